/**
 * Shared set-up of the benchmarks that run the real monitor loop in process (soak, latency): a
 * temp folder with one SSH brute-force rule and a config against ELASTICSEARCH_URL, an email
 * channel to a loopback SMTP server, the attack index, and the runtime (client, audit, outbox).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { buildRuntime, type Runtime } from '../src/app/runtime';
import { createEcsIndex } from '../tests/helpers/ecs';
import { type SmtpReceiver, startSmtp } from '../tests/helpers/receivers';
import { deletePrefixed, sshRuleYaml } from '../tests/reliability/kit/rules';

export interface BenchMonitor {
  url: string;
  prefix: string;
  /** the index attacks go to */
  index: string;
  rt: Runtime;
  smtp: SmtpReceiver;
  admin: Client;
  close(): Promise<void>;
}

export async function setUpBenchMonitor(
  name: string,
  opts: { interval: string; window: string; logging?: string },
): Promise<BenchMonitor> {
  const url = process.env.ELASTICSEARCH_URL;
  if (!url) throw new Error('set ELASTICSEARCH_URL (npm run bench starts a cluster and sets it)');
  const prefix = `bench-${name}-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vigil-${name}-`));
  fs.mkdirSync(path.join(dir, 'rules'));
  fs.writeFileSync(path.join(dir, 'rules', `${name}_ssh.yaml`), sshRuleYaml(`${name}_ssh`, opts.window));
  const smtp = await startSmtp({ kind: 'plain' });
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    config,
    `elasticsearch: { nodes: ["${url}"], request_timeout: 10s, max_retries: 1 }
sources: { auth: { indices: [${prefix}-auth] } }
schedule: { interval: ${opts.interval}, query_delay: 0s }
rules: { dir: ${path.join(dir, 'rules')} }
logging: { dir: ${path.join(dir, 'logs')}${opts.logging ? `, ${opts.logging}` : ''} }
state: { index: ${prefix}-state, alerts_index: ${prefix}-alerts, lease: 5s }
alerts:
  outbox: { max_age: 1h, base_delay: 100ms, max_delay: 1s }
  channels:
    email: { type: email, host: 127.0.0.1, port: ${smtp.port}, require_tls: false, from: vigil@example.com, to: soc@example.com, timeout: 5s }
`,
  );
  const admin = new Client({ node: url });
  await createEcsIndex(admin, `${prefix}-auth`);
  const rt = buildRuntime({ config });
  return {
    url,
    prefix,
    index: `${prefix}-auth`,
    rt,
    smtp,
    admin,
    async close() {
      await rt.close();
      await smtp.close();
      await deletePrefixed(admin, prefix);
      await admin.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
