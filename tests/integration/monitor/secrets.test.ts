/**
 * No secret reaches the audit trail or the console: monitor runs against the secured cluster
 * (basic auth over TLS), mails through an SMTP server that wants a password, signs webhooks with a
 * secret and fails to reach a webhook whose URL carries a token; then every audit file (rotated and
 * gzipped ones included) and all console output are searched for each secret, plain and in the
 * encodings that go over the wire (Basic authorization header, SMTP AUTH PLAIN).
 */

import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { ECS_TEST_MAPPINGS, indexDocs, sshFailures } from '../../helpers/ecs';
import {
  freePort,
  type HttpReceiver,
  makeSelfSignedCert,
  type SelfSigned,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtp,
} from '../../helpers/receivers';
import { secured } from '../../helpers/secure-cluster';
import { tempDir } from '../../helpers/vigil-cli';
import { killAllVigils, startVigil, waitFor } from '../../helpers/vigil-process';
import { auditFiles, auditText, cleanupIndices, eventsOf, monitorConfig, readAudit } from './monitor-kit';

const prefix = `mon-secrets-${process.pid}-${Date.now().toString(36)}`;
const SMTP_USER = 'vigil-mon-mailer';
const SMTP_PASSWORD = 'smtp-Pa55-mon-3Zq!';
const WEBHOOK_SECRET = 'hmac-mon-secret-8Kd3';
const URL_TOKEN = 'url-tok3n-mon-77Xy';

describe('vigil monitor: secrets stay out of the audit log and the console', () => {
  let es: ReturnType<typeof secured>;
  let client: Client;
  let cert: SelfSigned;
  let smtp: SmtpReceiver;
  let hook: HttpReceiver;
  let dir: string;

  beforeAll(async () => {
    es = secured();
    client = new Client({
      ...ENGINE_NEUTRAL,
      node: es.url,
      auth: { username: es.user, password: es.password },
      tls: { ca: fs.readFileSync(es.ca) },
    });
    cert = makeSelfSignedCert();
    smtp = await startSmtp({ kind: 'starttls', cert, user: SMTP_USER, password: SMTP_PASSWORD });
    hook = await startHttpReceiver('/vigil');
    dir = tempDir('vigil-mon-secrets-');
    await client.indices.create({
      index: `${prefix}-auth`,
      mappings: ECS_TEST_MAPPINGS,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
    });
  });
  afterAll(async () => {
    await killAllVigils();
    await Promise.all([smtp.close(), hook.close()]);
    await cleanupIndices(client, prefix);
    await client.close();
    fs.rmSync(cert.dir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds none of the configured secrets in any audit file or console line', async () => {
    const logDir = path.join(dir, 'logs');
    const config = path.join(dir, 'config.yaml');
    const deadPort = await freePort();
    fs.writeFileSync(
      config,
      monitorConfig({
        prefix,
        logDir,
        esExtra: `  username: \${ELASTIC_USER}
  password: \${ELASTIC_PASSWORD}
  tls: { ca_file: "\${ELASTIC_CA_FILE}" }`,
        logging: { level: 'debug', max_size: '10k', max_files: '50', zip: true },
        alerts: `alerts:
  outbox: { max_age: 1h, base_delay: 1ms, max_delay: 1ms }
  channels:
    email:
      type: email
      host: 127.0.0.1
      port: ${smtp.port}
      require_tls: true
      username: ${SMTP_USER}
      password: \${SMTP_PASSWORD}
      tls: { ca_file: "${cert.certFile}" }
      from: vigil@example.com
      to: soc@example.com
      timeout: 10s
    hook:
      type: webhook
      url: ${hook.url}
      secret: \${WEBHOOK_SECRET}
      timeout: 5s
    unreachable:
      type: webhook
      url: http://127.0.0.1:${deadPort}/hooks/${URL_TOKEN}?token=${URL_TOKEN}
      timeout: 2s
`,
      }),
    );
    const vigil = startVigil(
      ['monitor', '--config', config, '--rule', 'ssh_bruteforce', '--log-level', 'debug'],
      {
        env: {
          ELASTICSEARCH_URL: es.url,
          ELASTIC_USER: es.user,
          ELASTIC_PASSWORD: es.password,
          ELASTIC_CA_FILE: es.ca,
          SMTP_PASSWORD,
          WEBHOOK_SECRET,
        },
      },
    );
    const describe = () => `stderr:\n${vigil.stderr()}`;
    await waitFor('a first cycle', () => eventsOf(readAudit(logDir), 'cycle').length >= 1, { describe });
    await indexDocs(client, `${prefix}-auth`, sshFailures('192.0.2.99', 30, Date.now() - 5_000, 5_000));
    await waitFor(
      'the alert by email and webhook',
      () => smtp.mails.length >= 1 && hook.requests.length >= 1,
      {
        describe,
      },
    );
    // the unreachable webhook fails (and is retried) at least twice: its errors are in the logs
    await waitFor(
      'two failed deliveries to the unreachable webhook',
      () => eventsOf(readAudit(logDir), 'delivery').reduce((n, d) => n + (d.failed as number), 0) >= 2,
      { describe },
    );
    vigil.signal('SIGTERM');
    const { code } = await vigil.exited;
    expect({ code, stderr: vigil.stderr() }).toEqual({ code: 0, stderr: expect.any(String) });

    // the secrets were really used
    expect(smtp.mails[0].user).toBe(SMTP_USER);
    expect(hook.requests[0].headers['x-vigil-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const records = readAudit(logDir);
    expect(JSON.stringify(records)).toMatch(/ECONNREFUSED|unreachable|refused/i);
    // the failing channel is named by its origin only
    expect(JSON.stringify(records)).toContain(`webhook channel unreachable (http://127.0.0.1:${deadPort})`);

    const secrets: Record<string, string> = {
      'Elasticsearch password': es.password,
      'Elasticsearch Authorization header': Buffer.from(`${es.user}:${es.password}`).toString('base64'),
      'SMTP password': SMTP_PASSWORD,
      'SMTP AUTH PLAIN': Buffer.from(`\0${SMTP_USER}\0${SMTP_PASSWORD}`).toString('base64'),
      'webhook secret': WEBHOOK_SECRET,
      'token in a webhook URL': URL_TOKEN,
    };
    const files = auditFiles(logDir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    const places: Record<string, string> = {
      stdout: vigil.stdout(),
      stderr: vigil.stderr(),
      ...Object.fromEntries(files.map((f) => [path.basename(f), auditText(f)])),
    };
    const leaks = Object.entries(secrets).flatMap(([what, value]) =>
      Object.entries(places)
        .filter(([, text]) => text.includes(value))
        .map(([where]) => `${what} in ${where}`),
    );
    expect(leaks).toEqual([]);
  });
});
