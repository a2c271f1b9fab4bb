/** `vigil ingest <paths...>`: raw log files into Elasticsearch as ECS documents. Thin: flags → runIngest. */

import fs from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { Command, Option } from 'commander';
import { defaultConfigPath } from '../../app/context';
import { createClient, ENGINE_NEUTRAL } from '../../collect/client';
import { loadConfig } from '../../config/load-config';
import { ConfigError, EXIT, UsageError } from '../../errors';
import type { IngestOptions } from '../../ingest/run-ingest';
import { LOG_TYPES } from '../../ingest/types';

interface IngestFlags {
  type: string;
  index?: string;
  follow?: boolean;
  year?: string;
  timezone?: string;
  shiftToNow?: boolean | string;
  format: 'table' | 'json';
  config?: string;
  parserConfig?: string;
  logFormat?: string;
  registry?: string;
  host?: string;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description(
      'index raw log files (auth.log/secure, nginx/apache access, JSON lines) as ECS documents, Filebeat-compatible',
    )
    .argument('<paths...>', 'files or globs; .gz files are read transparently')
    .addOption(new Option('-t, --type <type>', 'log type').choices([...LOG_TYPES]).makeOptionMandatory())
    .option('-i, --index <name>', 'index to write (default: vigil-logs-<type>-<yyyy.MM.dd> by event day)')
    .option(
      '-F, --follow',
      'keep reading as the files grow, across rotations (like tail -F); stop with Ctrl-C',
    )
    .option(
      '--year <yyyy>',
      'year of the first year-less syslog line (default: inferred so no event is in the future)',
    )
    .option(
      '--timezone <zone>',
      'zone of time stamps that carry none: an IANA name (Europe/Paris) or an offset (-02:00); written to event.timezone (default: the local zone)',
    )
    .option(
      '--host <name>',
      'access logs: the server they come from, as host.name/host.hostname and part of the document ids (default: this machine, with its OS and architecture, like add_host_metadata)',
    )
    .option(
      '--shift-to-now [time]',
      'shift all events so that <time> (default: the last event) lands at now, keeping gaps',
    )
    .addOption(
      new Option('-f, --format <format>', 'summary format').choices(['table', 'json']).default('table'),
    )
    .option(
      '-c, --config <file>',
      'vigil config file (Elasticsearch connection; for now read from the environment)',
    )
    .option('--parser-config <file>', 'YAML with access.format and json.fields / json.timestamp_field')
    .option('--log-format <format>', 'nginx log_format or Apache LogFormat string of the access log')
    .option(
      '--registry <file>',
      'follow mode: offsets file (default: $XDG_STATE_HOME/vigil/ingest-registry.json)',
    )
    .addHelpText(
      'after',
      `
Elasticsearch: ELASTICSEARCH_URL (default http://localhost:9200), ELASTIC_USER / ELASTIC_PASSWORD or
ELASTIC_API_KEY, ELASTIC_CA_FILE.
Document ids come from the lines' content, never from the path or the ingesting machine: the same
content ingested again (renamed, rotated, gzipped, from another machine) adds nothing (duplicates).
A run with corrected --year/--timezone replaces the earlier documents ("replaced N documents whose
time changed"), also when they sit in another daily index.
Bad lines are counted, sampled in the summary and skipped; they never stop the run.

Exit codes: 0 every line indexed (or a duplicate), 5 done but some lines were unparsed or rejected
or a file unreadable (see the summary), 2 usage error, 3 Elasticsearch unavailable.`,
    )
    .action(async (paths: string[], flags: IngestFlags) => {
      process.exitCode = await runIngestCommand(paths, flags);
    });
}

async function runIngestCommand(paths: string[], flags: IngestFlags): Promise<number> {
  const client = ingestClient(flags.config);
  const controller = new AbortController();
  const stop = () => controller.abort();
  // Only follow mode runs until stopped; a one-shot run keeps the default Ctrl-C behaviour.
  if (flags.follow) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  const options: IngestOptions = {
    paths,
    type: flags.type,
    index: flags.index,
    follow: flags.follow,
    year: flags.year,
    timezone: flags.timezone,
    shiftToNow: flags.shiftToNow,
    parserConfig: flags.parserConfig,
    logFormat: flags.logFormat,
    registry: flags.registry,
    host: flags.host,
  };
  try {
    // the parsers, bulk writer and progress bar load only for ingest
    const { runIngest } = await import('../../ingest/run-ingest');
    const { formatSummary, isPartial } = await import('../../ingest/summary');
    const summary = await runIngest(options, {
      client,
      signal: controller.signal,
      progressStream: process.stderr,
    });
    const text = formatSummary(summary, flags.format);
    (flags.format === 'json' ? process.stdout : process.stderr).write(`${text}\n`);
    return isPartial(summary) ? EXIT.partial : EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await client.close();
  }
}

/**
 * The cluster to write to: from the vigil config (`--config`, $VIGIL_CONFIG or ./config.yaml) when
 * there is one, so TLS, API keys and *_file secrets work as for scan; else from ELASTICSEARCH_URL.
 */
function ingestClient(configOpt?: string): Client {
  const file = defaultConfigPath(configOpt);
  if (configOpt || fs.existsSync(file)) {
    const loaded = loadConfig(file);
    return createClient(
      {
        ...loaded.config.elasticsearch,
        request_timeout: Math.max(loaded.config.elasticsearch.request_timeout, 60_000),
      },
      loaded.file,
    );
  }
  return new Client(clientOptionsFromEnv());
}

/** Elasticsearch connection from the environment, when there is no config file. */
export function clientOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientOptions {
  const node = env.ELASTICSEARCH_URL || 'http://localhost:9200';
  if (!/^https?:\/\//.test(node))
    throw new UsageError(`ELASTICSEARCH_URL: expected http(s)://host:port, got "${node.slice(0, 60)}"`);
  const opts: ClientOptions = {
    node,
    requestTimeout: 60_000,
    maxRetries: 3,
    name: 'vigil-ingest',
    ...ENGINE_NEUTRAL,
  };
  if (env.ELASTIC_API_KEY) opts.auth = { apiKey: env.ELASTIC_API_KEY };
  else if (env.ELASTIC_USER) opts.auth = { username: env.ELASTIC_USER, password: env.ELASTIC_PASSWORD ?? '' };
  if (env.ELASTIC_CA_FILE) {
    try {
      opts.tls = { ca: fs.readFileSync(env.ELASTIC_CA_FILE) };
    } catch (e) {
      throw new ConfigError(
        `ELASTIC_CA_FILE: cannot read ${env.ELASTIC_CA_FILE} (${(e as NodeJS.ErrnoException).code})`,
        { cause: e },
      );
    }
  }
  return opts;
}
