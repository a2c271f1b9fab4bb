/**
 * Shared set-up of the benchmarks that run the real monitor loop in process (soak, latency): a
 * temp folder with one SSH brute-force rule and a config against ELASTICSEARCH_URL, an email
 * channel to a loopback SMTP server (bench/smtp-sink.js, in a process of its own so the memory
 * measured is vigil's), the attack index, and the runtime (client, audit, outbox).
 */

export interface SmtpSink {
  port: number;
  /** accepted mails: when, and the source IPs they name */
  mails: { at: number; ips: string[] }[];
  close(): Promise<void>;
}

export function startSmtpSink(): Promise<SmtpSink> {
  const child = spawn(process.execPath, [path.resolve(process.cwd(), 'bench', 'smtp-sink.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const mails: SmtpSink['mails'] = [];
  let buf = '';
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const port = /^port (\d+)$/.exec(line);
        if (port)
          resolve({
            port: Number(port[1]),
            mails,
            close: () =>
              new Promise<void>((done) => {
                child.on('exit', () => done());
                child.kill('SIGTERM');
              }),
          });
        else if (line.startsWith('{')) mails.push(JSON.parse(line));
      }
    });
  });
}

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { buildRuntime, type Runtime } from '../src/app/runtime';
import { ENGINE_NEUTRAL } from '../src/collect/client';
import { createEcsIndex } from '../tests/helpers/ecs';
import { deletePrefixed, sshRuleYaml } from '../tests/reliability/kit/rules';

export interface BenchMonitor {
  url: string;
  prefix: string;
  /** the index attacks go to */
  index: string;
  rt: Runtime;
  smtp: SmtpSink;
  admin: Client;
  close(): Promise<void>;
}

export async function setUpBenchMonitor(
  name: string,
  opts: {
    interval: string;
    window: string;
    logging?: string;
    /** send mail to this port instead of the sink (e.g. a receiver that hangs), with this timeout */
    smtpPort?: number;
    smtpTimeout?: string;
  },
): Promise<BenchMonitor> {
  const url = process.env.ELASTICSEARCH_URL;
  if (!url) throw new Error('set ELASTICSEARCH_URL (npm run bench starts a cluster and sets it)');
  const prefix = `bench-${name}-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vigil-${name}-`));
  fs.mkdirSync(path.join(dir, 'rules'));
  fs.writeFileSync(path.join(dir, 'rules', `${name}_ssh.yaml`), sshRuleYaml(`${name}_ssh`, opts.window));
  const smtp = await startSmtpSink();
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
    email: { type: email, host: 127.0.0.1, port: ${opts.smtpPort ?? smtp.port}, require_tls: false, from: vigil@example.com, to: soc@example.com, timeout: ${opts.smtpTimeout ?? '5s'} }
`,
  );
  const admin = new Client({ ...ENGINE_NEUTRAL, node: url });
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
