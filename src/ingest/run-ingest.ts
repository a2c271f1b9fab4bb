/**
 * `vigil ingest`: raw log files → ECS documents in Elasticsearch. One pass over the files (or
 * `--follow`), after a planning pass that fixes the years of syslog stamps and the time shift.
 */
import fs from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { mapEsError } from '../collect/client';
import { UsageError } from '../errors';
import { type BulkItem, type BulkOptions, indexDocuments } from './bulk-index';
import { ECS_MAPPINGS, ensureEcsTemplate } from './ecs-template';
import { OccurrenceCounter } from './event-identity';
import { expandPaths, hasGlob } from './expand-paths';
import { followFiles } from './follow';
import { hostFields } from './host-metadata';
import { type CheckedOptions, checkIngestOptions, type IngestOptions } from './ingest-options';
import { type LineEnv, processLine } from './line-pipeline';
import type { ParseContext } from './parse-context';
import type { ParserOptions } from './parse-line';
import { type FilePlan, parseShiftAnchor, planFile } from './plan-times';
import { startProgress } from './progress';
import { readLineBatches } from './read-file';
import { defaultRegistryPath, Registry } from './registry';
import { emptySummary, type IngestSummary, recordFailure } from './summary';
import { YearTracker, ZonedClock } from './syslog-time';

export type { IngestOptions } from './ingest-options';
export type { IngestSummary } from './summary';

export interface IngestDeps {
  client: Client;
  /** The clock; default Date.now. */
  now?: () => number;
  /** Stops follow mode (after flushing). */
  signal?: AbortSignal;
  /** Where the progress bar goes; it is shown only when this is a TTY. */
  progressStream?: NodeJS.WriteStream;
  /** Follow mode: after each cycle that indexed documents. */
  onCycle?: (summary: IngestSummary) => void;
}

export async function runIngest(options: IngestOptions, deps: IngestDeps): Promise<IngestSummary> {
  const started = Date.now();
  const now = deps.now ?? Date.now;
  const checked = checkIngestOptions(options);
  const files = await resolveFiles(options);
  const clock = new ZonedClock(checked.timezone);
  const parser: ParserOptions = {
    type: checked.type,
    accessFormat: checked.accessFormat,
    jsonMap: checked.jsonMap,
  };
  const summary = emptySummary();
  const nowMs = now();

  const plans = new Map<string, FilePlan>();
  if (checked.type === 'auth' || options.shiftToNow) {
    for (const f of files)
      plans.set(f, await planFile(f, parser, clock, nowMs, checked.year).catch(() => ({})));
  }
  summary.shiftMs = computeShift(options.shiftToNow, plans, clock, nowMs);

  await prepareIndex(deps.client, options.index);
  const lookup = options.index ?? `vigil-logs-${checked.type}-*`;
  await refreshEarlier(deps.client, lookup);
  const env: LineEnv = {
    parser,
    summary,
    origin: options.host,
    hostFields: hostFields(options.host),
    index: options.index,
  };
  const makeContext = (f: string, fromStart: boolean): ParseContext => {
    // a file's planned start year holds for the file planned: once. A file opened later under the
    // same path (follow mode, after a rotation) is a new file: its year is inferred from its own
    // first line at the time it is opened.
    const plan = fromStart ? plans.get(f) : undefined;
    plans.delete(f);
    return {
      path: f,
      offset: 0,
      nowMs: now(),
      clock,
      shiftMs: summary.shiftMs,
      years: new YearTracker(clock, plan?.startYear ?? checked.year),
      occurrences: new OccurrenceCounter(),
    };
  };
  const bulk = { refresh: options.refresh, lookup };

  if (options.follow) {
    const registry = await Registry.load(options.registry ?? defaultRegistryPath());
    await followFiles({
      patterns: options.paths,
      pollMs: options.pollMs ?? 250,
      registry,
      signal: deps.signal ?? new AbortController().signal,
      makeContext,
      env,
      maxLineBytes: options.maxLineBytes,
      index: (items) => indexDocuments(deps.client, items, summary, bulk),
      onCycle: () => deps.onCycle?.(summary),
    });
    summary.files = files.length;
  } else {
    await indexFiles(files, deps, options, env, makeContext, bulk);
  }
  summary.elapsedMs = Date.now() - started;
  return summary;
}

/** Globs expand to files; a plain path must exist unless following (tail -F waits for it). */
async function resolveFiles(options: IngestOptions): Promise<string[]> {
  const files = await expandPaths(options.paths);
  const existing = files.filter((f) => fs.existsSync(f));
  if (!options.follow) {
    const missing = files.filter((f) => !existing.includes(f));
    if (missing.length) throw new UsageError(`no such file: ${missing[0].slice(0, 200)}`);
    if (existing.length === 0) {
      const globs = options.paths.filter(hasGlob).join(' ');
      throw new UsageError(`no file matches ${globs.slice(0, 200)}`);
    }
  }
  return existing;
}

function computeShift(
  shift: IngestOptions['shiftToNow'],
  plans: Map<string, FilePlan>,
  clock: ZonedClock,
  nowMs: number,
): number {
  if (!shift) return 0;
  const lasts = [...plans.values()].map((p) => p.lastEventMs).filter((ms): ms is number => ms !== undefined);
  if (lasts.length === 0) throw new UsageError('--shift-to-now: the input has no event with a readable time');
  const last = Math.max(...lasts);
  const anchor = typeof shift === 'string' ? parseShiftAnchor(shift, clock, last) : last;
  if (Number.isNaN(anchor)) {
    throw new UsageError(
      `--shift-to-now: cannot read "${String(shift).slice(0, 40)}"; give e.g. "Apr 20 14:14:29" or 2024-04-20T14:14:29Z`,
    );
  }
  return nowMs - anchor;
}

/** Earlier runs' documents become searchable, so that the lookup of earlier copies finds them. */
async function refreshEarlier(client: Client, lookup: string): Promise<void> {
  try {
    await client.indices.refresh({ index: lookup, ignore_unavailable: true, allow_no_indices: true });
  } catch (e) {
    throw mapEsError(e, `refreshing ${lookup}`, client);
  }
}

/** The template covers vigil-logs-*; an --index outside it is created with the same mappings. */
async function prepareIndex(client: Client, index: string | undefined): Promise<void> {
  await ensureEcsTemplate(client);
  if (!index || index.startsWith('vigil-logs-')) return;
  try {
    const exists = await client.indices.exists({ index });
    if (!exists) await client.indices.create({ index, mappings: ECS_MAPPINGS }, { ignore: [400] });
  } catch (e) {
    throw mapEsError(e, `creating index ${index}`, client);
  }
}

async function indexFiles(
  files: string[],
  deps: IngestDeps,
  options: IngestOptions,
  env: LineEnv,
  makeContext: (f: string, fromStart: boolean) => ParseContext,
  bulk: BulkOptions,
): Promise<void> {
  const sizes = files.map((f) => fs.statSync(f).size);
  const progress = startProgress(
    deps.progressStream ?? process.stderr,
    sizes.reduce((a, b) => a + b, 0),
  );
  const { summary } = env;
  async function* items(): AsyncGenerator<BulkItem> {
    let done = 0;
    for (const [i, f] of files.entries()) {
      const ctx = makeContext(f, true);
      summary.files++;
      try {
        for await (const batch of readLineBatches(f, options.maxLineBytes)) {
          for (const raw of batch) yield* processLine(raw, ctx, env);
          progress.update(done + (batch[batch.length - 1].offset / Math.max(1, sizes[i])) * sizes[i]);
        }
      } catch (e) {
        recordFailure(
          summary,
          'file_error',
          `${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
      done += sizes[i];
    }
  }
  try {
    await indexDocuments(deps.client, items(), summary, bulk);
  } finally {
    progress.stop();
  }
}

export type { CheckedOptions };
