/**
 * Shared pieces of the e2e tests: vigil is run as a user runs it (the built CLI, a config file,
 * the environment), against the real cluster and real receivers on loopback. Every run's output
 * and the audit log are checked for the configured secrets.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Client } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../src/collect/client';
import { makeSelfSignedCert, type SelfSigned, startHttpReceiver, startSmtp } from '../helpers/receivers';
import { baseConfig, OFF_HOURS_CALENDAR, type RunResult, runVigil, tempDir } from '../helpers/vigil-cli';

/** A file under ../shared (next to the repository); fails loudly when the checkout lacks it. */
export function sharedFile(...parts: string[]): string {
  const file = path.resolve(__dirname, '../../../shared', ...parts);
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: the e2e tests need the shared data next to the repository`);
  return file;
}

export function esClient(): Client {
  const node = process.env.ELASTICSEARCH_URL;
  if (!node)
    throw new Error('ELASTICSEARCH_URL is not set: run the e2e tests through the integration jest project');
  return new Client({ ...ENGINE_NEUTRAL, node, requestTimeout: 60_000 });
}

/** Secrets a test configures; none may reach stdout, stderr or the audit log. */
export const SECRETS = {
  smtpUser: 'vigil-mailer',
  smtpPassword: 'smtp-Pa55-e2e-7Qx!',
  webhookSecret: 'hmac-e2e-secret-K9v2',
  slackToken: 'slackTok3nE2E',
};

export interface E2E {
  /** unique per test file: prefix of every index the test creates */
  prefix: string;
  dir: string;
  logDir: string;
  configFile: string;
  client: Client;
  /** runs `vigil <args> --config <file>`; fails the test if a secret shows in stdout or stderr */
  vigil(args: string[], env?: Record<string, string | undefined>): Promise<RunResult>;
  /** every configured secret that occurs in a file under logging.dir (gzipped rotations included) */
  secretsInAuditLog(): string[];
  cleanup(): Promise<void>;
}

export interface E2EOptions {
  /** extra YAML appended to the config (e.g. the alerts section) */
  extra?: string;
  env?: Record<string, string | undefined>;
  /** index names in the prefix's namespace; auth defaults to `<prefix>-auth`, web to `<prefix>-web` */
  auth?: string[];
  web?: string[];
  /**
   * the calendar section; default OFF_HOURS_CALENDAR, because e2e tests put their events at "now"
   * and must find the same at any hour, on any weekday or holiday
   */
  calendar?: string;
  /** run with this config file (e.g. the shipped config.yaml) instead of writing one */
  configFile?: string;
}

export function createE2E(name: string, opts: E2EOptions = {}): E2E {
  const prefix = `e2e-${name}-${process.pid}-${Date.now().toString(36)}`;
  const dir = tempDir(`vigil-e2e-${name}-`);
  const logDir = path.join(dir, 'logs');
  const configFile = opts.configFile ?? path.join(dir, 'config.yaml');
  if (!opts.configFile)
    fs.writeFileSync(
      configFile,
      baseConfig({
        auth: opts.auth ?? [`${prefix}-auth`],
        web: opts.web ?? [`${prefix}-web`],
        windows: [`${prefix}-windows`],
        logDir,
        stateIndex: `${prefix}-state`,
        calendar: opts.calendar ?? OFF_HOURS_CALENDAR,
        extra: opts.extra,
      }),
    );
  const client = esClient();
  const secretValues = Object.values(SECRETS).filter((s) => s !== SECRETS.smtpUser);
  return {
    prefix,
    dir,
    logDir,
    configFile,
    client,
    async vigil(args, env = {}) {
      // VIGIL_LOG_DIR: where the shipped config.yaml writes its audit log
      const res = await runVigil([...args, '--config', configFile], {
        env: { VIGIL_LOG_DIR: logDir, ...opts.env, ...env },
      });
      const leaked = secretValues.filter((s) => res.stdout.includes(s) || res.stderr.includes(s));
      if (leaked.length > 0) {
        throw new Error(
          `vigil ${args.join(' ')} printed a secret (${leaked.length} of them):\n${res.stderr}`,
        );
      }
      return res;
    },
    secretsInAuditLog() {
      const found = new Set<string>();
      for (const file of listFiles(logDir)) {
        const raw = fs.readFileSync(file);
        const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
        for (const s of secretValues) if (text.includes(s)) found.add(`${s} in ${path.basename(file)}`);
      }
      return [...found];
    },
    async cleanup() {
      await client.indices.delete(
        { index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true },
        { ignore: [404] },
      );
      await client.indices.deleteIndexTemplate(
        { name: `${prefix}-state-alerts-template` },
        { ignore: [404] },
      );
      await client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full) : [full];
  });
}

/** The audit log as records (JSON lines of every plain file under logging.dir). */
export function readAuditLog(logDir: string): Record<string, unknown>[] {
  return listFiles(logDir)
    .filter((f) => !f.endsWith('.gz') && !f.endsWith('.json'))
    .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * The `alerts:` section as an operator writes it from the shipped example: every endpoint and
 * secret from the environment variables config.yaml documents, plus the loopback CA for STARTTLS.
 * Retries are due at once, so a second scan retries what the first could not send.
 */
export const ALERTS_FROM_ENV = `alerts:
  outbox: { max_age: 48h, base_delay: 1ms, max_delay: 1ms }
  channels:
    email:
      type: email
      min_severity: low
      host: \${SMTP_HOST:-}
      port: \${SMTP_PORT:-587}
      require_tls: \${SMTP_REQUIRE_TLS:-true}
      username: \${SMTP_USERNAME:-}
      password: \${SMTP_PASSWORD:-}
      tls: { ca_file: "\${SMTP_CA_FILE:-}" }
      from: \${ALERT_EMAIL_FROM:-}
      to: \${ALERT_EMAIL_TO:-}
      timeout: 10s
    slack:
      type: slack
      min_severity: high
      url: \${SLACK_WEBHOOK_URL:-}
      timeout: 5s
    webhook:
      type: webhook
      min_severity: low
      url: \${ALERT_WEBHOOK_URL:-}
      secret: \${ALERT_WEBHOOK_SECRET:-}
      timeout: 5s
`;

export interface Receivers {
  cert: SelfSigned;
  smtp: Awaited<ReturnType<typeof startSmtp>>;
  slack: Awaited<ReturnType<typeof startHttpReceiver>>;
  hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  /** the environment that points vigil's channels at these receivers */
  env: Record<string, string>;
  /** (re)starts the SMTP server on its port, e.g. after `smtp.close()` */
  restartSmtp(): Promise<void>;
  close(): Promise<void>;
}

/** A STARTTLS+AUTH SMTP server (self-signed certificate), a Slack receiver and a webhook receiver. */
export async function startReceivers(): Promise<Receivers> {
  const cert = makeSelfSignedCert();
  const mode = { kind: 'starttls' as const, cert, user: SECRETS.smtpUser, password: SECRETS.smtpPassword };
  const r: Receivers = {
    cert,
    smtp: await startSmtp(mode),
    slack: await startHttpReceiver(`/services/T0E2E/B0E2E/${SECRETS.slackToken}`),
    hook: await startHttpReceiver('/vigil'),
    env: {},
    async restartSmtp() {
      const mails = r.smtp.mails;
      r.smtp = await startSmtp(mode, Number(r.env.SMTP_PORT));
      r.smtp.mails.push(...mails);
    },
    async close() {
      await Promise.all([r.smtp.close().catch(() => undefined), r.slack.close(), r.hook.close()]);
      fs.rmSync(cert.dir, { recursive: true, force: true });
    },
  };
  r.env = {
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(r.smtp.port),
    SMTP_USERNAME: SECRETS.smtpUser,
    SMTP_PASSWORD: SECRETS.smtpPassword,
    SMTP_CA_FILE: cert.certFile,
    ALERT_EMAIL_FROM: 'vigil@example.com',
    ALERT_EMAIL_TO: 'soc@example.com, oncall@example.com',
    SLACK_WEBHOOK_URL: r.slack.url,
    ALERT_WEBHOOK_URL: r.hook.url,
    ALERT_WEBHOOK_SECRET: SECRETS.webhookSecret,
  };
  return r;
}
