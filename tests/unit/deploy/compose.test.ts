/** docker-compose.yml cannot run here (no Docker engine): it is checked statically. */
import fs from 'node:fs';
import path from 'node:path';
import { REPO, readEnvFile, readYamlDocs, validateVigilConfig } from './deploy-kit';

const composeFile = path.join(REPO, 'docker-compose.yml');
const compose = readYamlDocs(composeFile)[0] as {
  services: Record<string, Record<string, unknown>>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const envExample = readEnvFile(path.join(REPO, '.env.example'));

/** Every ${VAR}, ${VAR:-default} and ${VAR:?message} that compose substitutes ($$ escapes a literal $). */
function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?-][^}]*)?\}/g))
    names.add(m[1]);
  return [...names].sort();
}

describe('docker-compose.yml next to ELK', () => {
  test('has the stack the README promises', () => {
    expect(Object.keys(services).sort()).toEqual([
      'elasticsearch',
      'filebeat',
      'kibana',
      'mailpit',
      'sample-logs',
      'setup',
      'vigil',
    ]);
  });

  test('every image has a pinned tag (no latest, Elastic images on 8.19.x)', () => {
    for (const [name, svc] of Object.entries(services)) {
      const image = String(svc.image ?? '');
      expect({ name, image, pinned: /:[^:/]+$/.test(image) && !image.endsWith(':latest') }).toEqual({
        name,
        image,
        pinned: true,
      });
      if (image.startsWith('docker.elastic.co/')) expect(image).toMatch(/:8\.19\.\d+$/);
    }
    expect(services.vigil.build).toBe('.');
  });

  test('every variable the compose file reads is documented in .env.example', () => {
    const used = referencedVariables(fs.readFileSync(composeFile, 'utf8'));
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((v) => !(v in envExample))).toEqual([]);
  });

  test('security is on and every password comes from .env', () => {
    const es = services.elasticsearch.environment as Record<string, string>;
    expect(es['xpack.security.enabled']).toBe('true');
    expect(es.ELASTIC_PASSWORD).toMatch(/^\$\{ELASTIC_PASSWORD/);
    const fromEnv = (name: string) => `$${'{'}${name}}`;
    expect((services.kibana.environment as Record<string, string>).ELASTICSEARCH_PASSWORD).toBe(
      fromEnv('KIBANA_PASSWORD'),
    );
    expect((services.vigil.environment as Record<string, string>).ELASTIC_PASSWORD).toBe(
      fromEnv('VIGIL_ES_PASSWORD'),
    );
  });

  test('services wait for healthy dependencies; the long-running ones have healthchecks', () => {
    const deps = (name: string) => services[name].depends_on as Record<string, { condition: string }>;
    expect(deps('vigil')).toEqual({
      elasticsearch: { condition: 'service_healthy' },
      setup: { condition: 'service_completed_successfully' },
      mailpit: { condition: 'service_healthy' },
      filebeat: { condition: 'service_healthy' },
    });
    expect(deps('setup').elasticsearch).toEqual({ condition: 'service_healthy' });
    for (const name of ['elasticsearch', 'kibana', 'filebeat', 'mailpit'])
      expect(services[name].healthcheck).toHaveProperty('test');
    // vigil's healthcheck is the image's HEALTHCHECK on /livez: Swarm and autoheal restart an
    // unhealthy container, and a restart does not end an Elasticsearch outage (/healthz would be 503)
    expect(fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8')).toMatch(
      /HEALTHCHECK[\s\S]*127\.0\.0\.1:9464\/livez/,
    );
    expect(services.vigil.command).toEqual([
      'monitor',
      '--metrics-port',
      '9464',
      '--metrics-host',
      '0.0.0.0',
    ]);
  });

  test('Filebeat runs the system and nginx modules on the mounted logs', () => {
    const fb = readYamlDocs(path.join(REPO, 'deploy/compose/filebeat.yml'))[0] as {
      'filebeat.modules': { module: string }[];
    };
    expect(fb['filebeat.modules'].map((m) => m.module).sort()).toEqual(['nginx', 'system']);
    const volumes = services.filebeat.volumes as string[];
    expect(volumes).toEqual(
      expect.arrayContaining([
        './deploy/compose/filebeat.yml:/usr/share/filebeat/filebeat.yml:ro',
        '/var/log:/var/log/host:ro',
      ]),
    );
    for (const v of [
      ...volumes,
      ...(services.vigil.volumes as string[]),
      ...(services['sample-logs'].volumes as string[]),
      ...(services.setup.volumes as string[]),
    ]) {
      const host = v.split(':')[0];
      if (host.startsWith('./'))
        expect({ v, exists: fs.existsSync(path.join(REPO, host)) }).toEqual({ v, exists: true });
    }
  });

  test("vigil's config in the stack passes vigil validate with the stack's environment", () => {
    const env: Record<string, string> = { ...envExample };
    for (const [k, v] of Object.entries(services.vigil.environment as Record<string, string>)) {
      env[k] = v.replace(/\$\{([A-Z_]+)(?::-([^}]*))?\}/g, (_, name, def) => envExample[name] ?? def ?? '');
    }
    const r = validateVigilConfig(
      path.join(REPO, 'deploy/compose/vigil.yaml'),
      env,
      path.join(REPO, 'queries'),
    );
    expect(r.problems).toEqual([]);
    expect(r.rules).toBeGreaterThan(10);
  });
});
