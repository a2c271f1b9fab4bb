/** One raw line → bulk items: decode, parse, count failures, and give each document its index and id. */
import type { BulkItem } from './bulk-index';
import { findGarbage } from './check-fields';
import { dailyIndexName } from './ecs-template';
import { eventId, normaliseLine, OccurrenceCounter } from './event-identity';
import { decodeLine, type RawLine } from './line-splitter';
import type { ParseContext } from './parse-context';
import { type ParserOptions, parseLine } from './parse-line';
import { type IngestSummary, recordFailure } from './summary';

export interface LineEnv {
  parser: ParserOptions;
  summary: IngestSummary;
  /** `--host`: the origin of the logs, part of every document id; absent when not named. */
  origin?: string;
  /** `host.*` of access log documents (the ingesting machine, or `--host`), as add_host_metadata. */
  hostFields?: Record<string, unknown>;
  /** A fixed index (`--index`), else the daily `vigil-logs-<type>-<day>`. */
  index?: string;
}

export function processLine(raw: RawLine, ctx: ParseContext, env: LineEnv): BulkItem[] {
  const { summary } = env;
  if (raw.length === 0 || (raw.length === 1 && raw.bytes?.[0] === 13)) return [];
  summary.linesRead++;
  ctx.offset = raw.offset;
  const where = `${ctx.path}:${raw.offset}`;
  const decoded = decodeLine(raw);
  if (!decoded.ok) {
    summary.unparsedLines++;
    const sample = raw.bytes ? raw.bytes.subarray(0, 80).toString('latin1') : undefined;
    recordFailure(summary, decoded.reason, where, sample);
    return [];
  }
  const text = decoded.text;
  if (decoded.invalidUtf8) {
    summary.invalidUtf8++;
    recordFailure(summary, 'invalid_utf8', where, text);
  }
  const parsed = parseLine(text, env.parser, ctx);
  if (!parsed.ok) {
    summary.unparsedLines++;
    recordFailure(summary, parsed.reason, where, text);
    return [];
  }
  const garbage = parsed.docs.map(findGarbage).find((g) => g !== undefined);
  if (garbage) {
    summary.unparsedLines++;
    recordFailure(summary, garbage.reason, `${where}: ${garbage.detail}`, text);
    return [];
  }
  const line = normaliseLine(text);
  ctx.occurrences ??= new OccurrenceCounter();
  const occurrence = ctx.occurrences.next(line);
  const { type } = env.parser;
  const withHost = env.hostFields && (type === 'nginx' || type === 'apache');
  return parsed.docs.map((doc, copy) => {
    // access lines name no host: one shared, never mutated object (documents are only serialised)
    if (withHost && doc.host === undefined) doc.host = env.hostFields;
    return {
      index: env.index ?? dailyIndexName(type, doc['@timestamp'] as string),
      id: eventId({ type, origin: env.origin, line, occurrence, copy }),
      doc,
    };
  });
}
