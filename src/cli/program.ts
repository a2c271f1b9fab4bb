/**
 * The vigil command line: parse flags, call the app, map errors to exit codes and one-line
 * messages. `start` runs it; src/cli/main.ts (the `vigil` command) loads this module from the
 * start-up bundle, or from its compiled files.
 */
// first: keeps modules the Elasticsearch client loads and vigil never uses from loading at start-up
import './defer-modules';
import { Command, CommanderError } from 'commander';
import { loadContext } from '../app/context';
import { createAuditLog } from '../audit/audit-log';
import { EXIT, errorMessage, VigilError } from '../errors';
import { ackCommand } from './commands/ack';
import { alertsCommand } from './commands/alerts';
import { doctorCommand } from './commands/doctor';
import { ingestCommand } from './commands/ingest';
import { monitorCommand } from './commands/monitor';
import { type NotifyContext, outboxCommand } from './commands/outbox';
import { reportCommand } from './commands/report';
import { scanCommand } from './commands/scan';
import { schemaCommand } from './commands/schema';
import { silenceCommand } from './commands/silence';
import { testAlertCommand } from './commands/test-alert';
import { validateCommand } from './commands/validate';

const VERSION: string = require('../../package.json').version;

export function buildProgram(): Command {
  const program = new Command('vigil')
    .version(VERSION, '-V, --version')
    .description(
      'vigil watches Elasticsearch for security events (SSH brute force, sudo misuse, DoS bursts, HTTP error spikes, login-failure rates, data-transfer spikes) and alerts people.',
    )
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  vigil validate                      check config.yaml and queries/*.yaml
  vigil doctor                        check the cluster, index patterns and field mappings
  vigil scan --duration 10            one pass over the last 10 minutes
  vigil monitor --duration 120        keep watching for 120 minutes (0: until stopped)
  vigil scan --from 2026-03-01T00:00:00Z --to 2026-03-02T00:00:00Z --format json
  vigil ingest /var/log/auth.log --type auth      index raw logs as ECS documents
  vigil outbox                        alerts waiting for delivery (or dead)
  vigil test-alert --channel email    send a marked test message through one channel
  vigil alerts --since 24h            recent alerts: firing, silenced, acknowledged, recovered
  vigil silence add --rule ssh_bruteforce --entity source.ip=198.51.100.7 --for 8h --comment "pentest"
  vigil ack <alert id> --comment "blocked, ticket SEC-124"   no realert until it recovers or escalates

Environment: ELASTICSEARCH_URL, ELASTIC_USER, ELASTIC_PASSWORD, ELASTIC_API_KEY, ELASTIC_CA_FILE,
VIGIL_CONFIG (config file), NO_COLOR, VIGIL_DEBUG=1 (stack traces; how vigil started),
VIGIL_BUNDLE=0 (run the compiled files instead of the start-up bundle).

Exit codes: 0 success, 1 internal error, 2 config or usage error, 3 Elasticsearch unavailable
or every rule failed, 4 some alert could not be delivered (it stays in the outbox).`,
    );
  const notifyDeps = { loadContext: notifyContext };
  for (const cmd of [
    scanCommand(),
    monitorCommand(),
    validateCommand(),
    doctorCommand(),
    ingestCommand(),
    outboxCommand(notifyDeps),
    testAlertCommand(notifyDeps),
    schemaCommand(),
    reportCommand(),
    alertsCommand(),
    silenceCommand(),
    ackCommand(),
  ]) {
    program.addCommand(cmd);
  }
  program.exitOverride();
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** What `vigil outbox` and `vigil test-alert` need from the config file. */
function notifyContext(opts: { config?: string }): NotifyContext {
  const ctx = loadContext(opts);
  const cfg = ctx.loaded.config;
  const audit = createAuditLog(cfg.logging, ctx.loaded.secrets);
  process.once('beforeExit', () => {
    void ctx.client.close();
    void audit.close();
  });
  return {
    client: ctx.client,
    stateIndex: cfg.state.index,
    alerts: cfg.alerts,
    logger: audit,
    configPath: ctx.loaded.file,
  };
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    return reportError(e);
  }
}

export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
      return EXIT.ok;
    return EXIT.config;
  }
  if (e instanceof VigilError) {
    for (const line of e.message.split('\n')) process.stderr.write(`vigil: ${line}\n`);
    return e.exitCode;
  }
  process.stderr.write(
    `vigil: internal error: ${errorMessage(e).split('\n')[0]} (set VIGIL_DEBUG=1 for details)\n`,
  );
  if (process.env.VIGIL_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return EXIT.internal;
}

/** Runs the command line on process.argv and sets the exit code. */
export function start(): void {
  // `vigil ... | head` closes the pipe early: that is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e);
    },
  );
}
