/**
 * One reliability scenario: its own indices, rules folder, config, audit folder and receivers;
 * `vigil monitor` processes spawned from the built CLI (so they can be SIGKILLed); an attacker
 * that keeps indexing SSH brute-force bursts (one new source IP per burst) and buffers them while
 * Elasticsearch is down, as a log shipper does; and the accounting of what reached the SMTP
 * server: per Message-ID, per alert id, per attacking IP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { createEcsIndex, sshFailures } from '../../helpers/ecs';
import { makeSelfSignedCert, type SelfSigned, type SmtpReceiver, startSmtp } from '../../helpers/receivers';
import { CLI, type RunResult, runVigil, tempDir } from '../../helpers/vigil-cli';
import { type EsProxy, startEsProxy } from './es-proxy';
import { deletePrefixed, sshRuleYaml } from './rules';

/** Secrets every scenario configures; none may appear in any output or audit file. */
export const REL_SECRETS = {
  smtpUser: 'rel-mailer',
  smtpPassword: 'rel-Smtp-Pa55-9Zq',
};

export const BURST = 6; // failures per attacking IP; the rule fires at 5

export const RULE_YAML = sshRuleYaml('rel_ssh', '2m');

export interface VigilProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

export interface MailTally {
  /** mails received (resends included) */
  raw: number;
  /** distinct Message-IDs */
  messageIds: Set<string>;
  /** alert id → distinct Message-IDs that carried it */
  alertMessages: Map<string, Set<string>>;
  /** attacking IP → distinct alert ids that named it */
  ipAlerts: Map<string, Set<string>>;
  /** Message-IDs received more than once (at-least-once resends) */
  resent: string[];
}

export interface ScenarioOptions {
  /** URL vigil talks to (a proxy in front of the cluster) */
  esUrl: string;
  /** where the attacker indexes directly (the cluster itself) */
  directUrl: string;
  schedule?: string;
  /** replaces the elasticsearch: section's timeout/retry lines */
  esTuning?: string;
  claimTimeout?: string;
  /** rule id → rule file YAML (default: one SSH rule, rel_ssh) */
  rules?: Record<string, string>;
  /** more channels under alerts.channels, indented by 4 spaces (e.g. a webhook) */
  extraChannels?: string;
  /** alerts.outbox settings (default: max_age 1h, base_delay 200ms, max_delay 1s) */
  outbox?: string;
}

export interface Scenario {
  prefix: string;
  dir: string;
  logDir: string;
  configFile: string;
  smtp: SmtpReceiver;
  cert: SelfSigned;
  attacker: Client;
  /** IPs whose bursts were indexed (or are buffered) */
  attacked: string[];
  /** indexes one burst per IP now (timestamps 20 s in the past), buffering while the cluster is down */
  attack(count: number): Promise<void>;
  /** indexes `count` SSH failures from `ip` spread over [atMs, atMs + spanMs), buffering while the cluster is down */
  burst(
    ip: string,
    count: number,
    atMs: number,
    spanMs: number,
    extra?: Record<string, unknown>,
  ): Promise<void>;
  /** the email channel as the main config has it (YAML, indented for alerts.channels) */
  emailChannel: string;
  /** writes another config file in the scenario folder, the same but for its channels; returns its path */
  writeConfig(name: string, channels: string): string;
  /** tries to index what was buffered; true when nothing is left */
  flush(): Promise<boolean>;
  setDirectUrl(url: string): void;
  monitor(extraArgs?: string[], env?: Record<string, string>): VigilProcess;
  /** starts `vigil <args> --config <file>` without waiting (a scan to kill mid-way) */
  start(args: string[], env?: Record<string, string>, configFile?: string): VigilProcess;
  /** runs `vigil <args> --config <file>` to the end (e.g. scan) */
  run(args: string[], configFile?: string): Promise<RunResult>;
  restartSmtp(): Promise<void>;
  stopSmtp(): Promise<void>;
  tally(): MailTally;
  /** polls until every attacked IP reached the SMTP server, or the deadline */
  waitForAllAlerts(timeoutMs: number): Promise<MailTally>;
  /** every configured secret found in any output or audit file: must stay empty */
  leakedSecrets(): string[];
  cleanup(): Promise<void>;
}

let ipCounter = 0;

export async function createScenario(name: string, opts: ScenarioOptions): Promise<Scenario> {
  const prefix = `rel-${name}-${process.pid}-${Date.now().toString(36)}`;
  const dir = tempDir(`vigil-rel-${name}-`);
  const logDir = path.join(dir, 'logs');
  const rulesDir = path.join(dir, 'rules');
  fs.mkdirSync(rulesDir);
  for (const [id, yaml] of Object.entries(opts.rules ?? { rel_ssh: RULE_YAML }))
    fs.writeFileSync(path.join(rulesDir, `${id}.yaml`), yaml);
  const cert = makeSelfSignedCert();
  const smtpMode = {
    kind: 'starttls' as const,
    cert,
    user: REL_SECRETS.smtpUser,
    password: REL_SECRETS.smtpPassword,
  };
  let smtp = await startSmtp(smtpMode);
  const smtpPort = smtp.port;
  // mails of earlier SMTP server instances (stopSmtp / restartSmtp)
  const archive: SmtpReceiver['mails'] = [];
  const allMails = () => [...archive, ...smtp.mails];
  const emailChannel = `    email:
      type: email
      host: 127.0.0.1
      port: ${smtpPort}
      require_tls: true
      username: ${REL_SECRETS.smtpUser}
      password: \${REL_SMTP_PASSWORD}
      tls: { ca_file: ${cert.certFile} }
      from: vigil@example.com
      to: soc@example.com
      timeout: 5s
`;
  const writeConfig = (name: string, channels: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(
      file,
      `elasticsearch:
  nodes: ["\${VIGIL_REL_ES}"]
${opts.esTuning ?? '  request_timeout: 5s\n  max_retries: 1'}
sources:
  auth: { indices: [${prefix}-auth] }
calendar: { timezone: UTC }
schedule: ${opts.schedule ?? '{ interval: 2s, query_delay: 1s }'}
rules: { dir: ${rulesDir} }
logging: { dir: ${logDir}, level: debug }
state: { index: ${prefix}-state, alerts_index: ${prefix}-alerts, lease: 5s }
alerts:
  outbox: { ${opts.outbox ?? 'max_age: 1h, base_delay: 200ms, max_delay: 1s'}, claim_timeout: ${opts.claimTimeout ?? '5m'} }
  channels:
${channels}`,
    );
    return file;
  };
  const configFile = writeConfig('config.yaml', emailChannel + (opts.extraChannels ?? ''));
  let attacker = new Client({
    ...ENGINE_NEUTRAL,
    node: opts.directUrl,
    requestTimeout: 10_000,
    maxRetries: 0,
  });
  await createEcsIndex(attacker, `${prefix}-auth`);
  const buffer: { id: string; doc: Record<string, unknown> }[] = [];
  const attacked: string[] = [];
  const processes: VigilProcess[] = [];
  const outputs: string[] = [];

  const vigilEnv = { VIGIL_REL_ES: opts.esUrl, REL_SMTP_PASSWORD: REL_SECRETS.smtpPassword };

  const flush = async () => {
    if (buffer.length === 0) return true;
    const batch = buffer.slice();
    try {
      const res = await attacker.bulk({
        refresh: true,
        operations: batch.flatMap((d) => [{ create: { _index: `${prefix}-auth`, _id: d.id } }, d.doc]),
      });
      // 409: already indexed before a crash cut off the answer
      const failed = res.items.filter((i) => i.create?.error && i.create.status !== 409);
      if (failed.length) return false;
      buffer.splice(0, batch.length);
      return true;
    } catch {
      return false;
    }
  };

  const s: Scenario = {
    prefix,
    dir,
    logDir,
    configFile,
    get smtp() {
      return smtp;
    },
    cert,
    get attacker() {
      return attacker;
    },
    attacked,
    async attack(count) {
      const at = Date.now() - 20_000;
      for (let i = 0; i < count; i++) {
        ipCounter++;
        const ip = `10.${(process.pid % 200) + 20}.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
        attacked.push(ip);
        sshFailures(ip, BURST, at, 500).forEach((doc, j) => {
          buffer.push({ id: `${ip}-${j}`, doc });
        });
      }
      await flush();
    },
    async burst(ip, count, atMs, spanMs, extra = {}) {
      sshFailures(ip, count, atMs, spanMs, extra).forEach((doc, j) => {
        buffer.push({ id: `${ip}-${atMs}-${j}`, doc });
      });
      await flush();
    },
    emailChannel,
    writeConfig,
    flush,
    setDirectUrl(url) {
      void attacker.close();
      attacker = new Client({ ...ENGINE_NEUTRAL, node: url, requestTimeout: 10_000, maxRetries: 0 });
    },
    monitor(extraArgs = [], env = {}) {
      return s.start(['monitor', '--log-level', 'debug', '--grace', '10s', ...extraArgs], env);
    },
    start(args, env = {}, config = configFile) {
      const child = spawn(process.execPath, [CLI, ...args, '--config', config], {
        env: { ...process.env, NO_COLOR: '1', ...vigilEnv, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const slot = outputs.push('') - 1;
      child.stdout?.on('data', (d) => {
        outputs[slot] += d;
      });
      child.stderr?.on('data', (d) => {
        outputs[slot] += d;
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      const p: VigilProcess = {
        child,
        output: () => outputs[slot],
        exited,
        kill: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
      };
      processes.push(p);
      return p;
    },
    async run(args, config = configFile) {
      const res = await runVigil([...args, '--config', config], { env: vigilEnv });
      outputs.push(res.stdout + res.stderr);
      return res;
    },
    async stopSmtp() {
      await smtp.close();
      archive.push(...smtp.mails.splice(0));
    },
    async restartSmtp() {
      smtp = await startSmtp(smtpMode, smtpPort);
    },
    tally() {
      return tallyMails(allMails());
    },
    async waitForAllAlerts(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const t = tallyMails(allMails());
        if (attacked.every((ip) => t.ipAlerts.has(ip)) || Date.now() > deadline) return t;
        await sleep(500);
      }
    },
    leakedSecrets() {
      const secrets = [REL_SECRETS.smtpPassword];
      return findSecrets(secrets, [...outputs], logDir);
    },
    async cleanup() {
      for (const p of processes) p.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
      await smtp.close().catch(() => undefined);
      const admin = new Client({ ...ENGINE_NEUTRAL, node: opts.directUrl, requestTimeout: 30_000 });
      await deletePrefixed(admin, prefix);
      await admin.close();
      await attacker.close();
      fs.rmSync(cert.dir, { recursive: true, force: true });
      if (process.env.VIGIL_KEEP_SCENARIO) console.log(`kept ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return s;
}

/** Message-IDs, alert ids and IPs out of the mails the SMTP server accepted. */
export function tallyMails(mails: readonly { parsed: { messageId?: string; text?: string } }[]): MailTally {
  const t: MailTally = {
    raw: mails.length,
    messageIds: new Set(),
    alertMessages: new Map(),
    ipAlerts: new Map(),
    resent: [],
  };
  for (const m of mails) {
    const mid = m.parsed.messageId ?? '(none)';
    if (t.messageIds.has(mid)) t.resent.push(mid);
    t.messageIds.add(mid);
    const text = m.parsed.text ?? '';
    const ids = /Alert ids: ([0-9a-f, ]+)/.exec(text)?.[1].split(', ') ?? [];
    const ips = [...text.matchAll(/^Entity:\s+source\.ip=(\S+)/gm)].map((x) => x[1]);
    for (const id of ids) {
      const set = t.alertMessages.get(id) ?? new Set();
      set.add(mid);
      t.alertMessages.set(id, set);
    }
    // findings and ids are listed in the same order
    ips.forEach((ip, i) => {
      const set = t.ipAlerts.get(ip) ?? new Set();
      if (ids[i]) set.add(ids[i]);
      t.ipAlerts.set(ip, set);
    });
  }
  return t;
}

/** Every secret that occurs in the given texts or in any file under the audit folder. */
export function findSecrets(secrets: string[], texts: string[], logDir: string): string[] {
  const found = new Set<string>();
  for (const [i, text] of texts.entries())
    for (const s of secrets) if (text.includes(s)) found.add(`${s} in output #${i}`);
  for (const file of listFiles(logDir)) {
    const raw = fs.readFileSync(file);
    const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
    for (const s of secrets) if (text.includes(s)) found.add(`${s} in ${path.basename(file)}`);
  }
  return [...found];
}

export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full) : [full];
  });
}

/** Audit records (JSON lines) of every plain file under the audit folder. */
export function auditRecords(logDir: string): Record<string, unknown>[] {
  return listFiles(logDir)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Waits until `check` is true (polling), or throws with `what` after the timeout. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The shared test cluster (from the global setup). */
export const esUrl = () => process.env.ELASTICSEARCH_URL as string;

/**
 * A proxy in front of the shared cluster for the whole file, and the scenarios to clean up
 * afterwards (registers beforeAll/afterAll).
 */
export function useProxiedCluster(): { proxy: EsProxy; scenarios: Scenario[] } {
  const ctx = { proxy: undefined as unknown as EsProxy, scenarios: [] as Scenario[] };
  beforeAll(async () => {
    ctx.proxy = await startEsProxy(esUrl());
  });
  afterAll(async () => {
    for (const s of ctx.scenarios) await s.cleanup().catch(() => undefined);
    await ctx.proxy?.close();
  });
  return ctx;
}
