/** deploy/k8s: every manifest validates against the Kubernetes schemas, and the CronJob is safe to run. */
import fs from 'node:fs';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import YAML from 'yaml';
import { REPO, readYamlDocs, tempDir, validateVigilConfig } from './deploy-kit';

const K8S = path.join(REPO, 'deploy', 'k8s');
// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML; the schema test types them
type Loose = Record<string, any>;
// kubernetes-models validates with the JSON schemas generated from the Kubernetes OpenAPI spec (ajv)
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'batch/v1/CronJob': CronJob,
};

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };

function manifestsIn(dir: string): { file: string; doc: Manifest }[] {
  const out: { file: string; doc: Manifest }[] = [];
  for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, f.name);
    if (f.isDirectory()) out.push(...manifestsIn(p));
    else if (f.name.endsWith('.yaml') && f.name !== 'kustomization.yaml' && f.name !== 'config.yaml') {
      for (const doc of readYamlDocs(p)) out.push({ file: path.relative(K8S, p), doc: doc as Manifest });
    }
  }
  return out;
}

const manifests = manifestsIn(K8S);
const byKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const cronJob = byKind('CronJob')[0] as unknown as { spec: Loose };
const deployment = byKind('Deployment')[0] as unknown as { spec: Loose };

describe('Kubernetes manifests (deploy/k8s)', () => {
  test('every manifest validates against the Kubernetes schema of its kind', () => {
    expect(manifests.map((m) => `${m.doc.kind}/${m.doc.metadata.name}`).sort()).toEqual([
      'ConfigMap/vigil-queries',
      'CronJob/vigil-scan',
      'Deployment/vigil-monitor',
      'Secret/vigil-credentials',
      'Service/vigil-metrics',
    ]);
    for (const { file, doc } of manifests) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect({ file, known: Boolean(Model) }).toEqual({ file, known: true });
      let error = '';
      try {
        new Model(doc as never).validate();
      } catch (e) {
        error = (e as Error).message;
      }
      expect({ file, error }).toEqual({ file, error: '' });
    }
  });

  test('the schema check is real: a wrong type or a missing field is rejected', () => {
    const broken = structuredClone(cronJob) as { spec: Loose };
    broken.spec.concurrencyPolicy = 42;
    expect(() => new CronJob(broken as never).validate()).toThrow(/concurrencyPolicy/);
    const noImage = structuredClone(cronJob) as { spec: Loose };
    delete noImage.spec.jobTemplate.spec.template.spec.containers[0].name;
    expect(() => new CronJob(noImage as never).validate()).toThrow(/name/);
  });

  test('the CronJob runs scan --duration 10 --resume every 10 minutes, one at a time, bounded', () => {
    const s = cronJob.spec;
    expect(s.schedule).toBe('*/10 * * * *');
    expect(s.concurrencyPolicy).toBe('Forbid');
    expect(s.startingDeadlineSeconds).toBeGreaterThan(0);
    const job = s.jobTemplate.spec;
    expect(job.backoffLimit).toBeGreaterThanOrEqual(0);
    expect(job.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(job.activeDeadlineSeconds).toBeLessThan(600); // ends before the next run is due
    const c = job.template.spec.containers[0];
    expect(c.args).toEqual(['scan', '--duration', '10', '--resume']);
    expect(job.template.spec.restartPolicy).toBe('Never');
  });

  test.each([
    ['CronJob', () => cronJob.spec.jobTemplate.spec.template.spec],
    ['Deployment', () => deployment.spec.template.spec],
  ])(
    '%s: non-root, read-only root filesystem, logs on an emptyDir, requests and limits',
    (_kind, podSpec) => {
      const pod = podSpec();
      const c = pod.containers[0];
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      const logs = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/var/log/vigil');
      expect(pod.volumes.find((v: { name: string }) => v.name === logs.name)).toHaveProperty('emptyDir');
      expect(c.resources.requests).toEqual(
        expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
      );
      expect(c.resources.limits).toEqual(
        expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
      );
      const mounts = Object.fromEntries(
        pod.volumes.map((v: Loose) => [v.name, v.configMap?.name ?? v.secret?.secretName]),
      );
      expect(Object.values(mounts)).toEqual(
        expect.arrayContaining(['vigil-config', 'vigil-queries', 'vigil-credentials']),
      );
    },
  );

  test('the monitor Deployment: liveness on /livez, readiness on /healthz, on a named port the Service exposes', () => {
    const c = deployment.spec.template.spec.containers[0];
    expect(c.args.slice(0, 5)).toEqual(['monitor', '--metrics-port', '9464', '--metrics-host', '0.0.0.0']);
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    // /healthz is 503 while Elasticsearch is down; a restart would not bring it back (issue 13, defect 10)
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    const svc = byKind('Service')[0] as unknown as {
      spec: { ports: { name: string; targetPort: string }[] };
    };
    expect(svc.spec.ports[0]).toMatchObject({ name: 'metrics', targetPort: 'metrics' });
  });

  test('kustomizations name files that exist; the queries ConfigMap matches queries/', () => {
    for (const dir of [K8S, path.join(K8S, 'monitor')]) {
      const k = YAML.parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as {
        resources: string[];
        configMapGenerator?: { files: string[] }[];
      };
      const files = [...k.resources, ...(k.configMapGenerator ?? []).flatMap((g) => g.files)];
      for (const f of files)
        expect({ f, exists: fs.existsSync(path.join(dir, f)) }).toEqual({ f, exists: true });
    }
    const { render, OUT } = require(path.join(REPO, 'scripts', 'k8s-queries.js')) as {
      render(): string;
      OUT: string;
    };
    expect(fs.readFileSync(OUT, 'utf8')).toBe(render()); // if not: node scripts/k8s-queries.js
  });

  test('the config in the ConfigMap passes vigil validate with the Secret mounted as files', () => {
    const dir = tempDir('vigil-k8s-');
    try {
      const secret = byKind('Secret')[0] as unknown as { stringData: Record<string, string> };
      const secrets = path.join(dir, 'secrets');
      fs.mkdirSync(secrets);
      for (const [k, v] of Object.entries(secret.stringData)) fs.writeFileSync(path.join(secrets, k), v);
      const queries = path.join(dir, 'queries');
      fs.mkdirSync(queries);
      const cm = byKind('ConfigMap')[0] as unknown as { data: Record<string, string> };
      for (const [k, v] of Object.entries(cm.data)) fs.writeFileSync(path.join(queries, k), v);
      const config = path.join(dir, 'config.yaml');
      fs.writeFileSync(
        config,
        fs.readFileSync(path.join(K8S, 'config.yaml'), 'utf8').replaceAll('/run/secrets/vigil', secrets),
      );
      const env = Object.fromEntries(
        cronJob.spec.jobTemplate.spec.template.spec.containers[0].env.map(
          (e: { name: string; value: string }) => [e.name, e.value],
        ),
      );
      const r = validateVigilConfig(config, env);
      expect(r.problems).toEqual([]);
      expect(r.rules).toBe(Object.keys(cm.data).length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
