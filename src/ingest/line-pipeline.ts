/** One raw line → bulk items: decode, parse, count failures, and give each document its index and id. */
import { type BulkItem, documentId } from './bulk-index';
import { dailyIndexName } from './ecs-template';
import { decodeLine, type RawLine } from './line-splitter';
import type { ParseContext } from './parse-context';
import { type ParserOptions, parseLine } from './parse-line';
import { type IngestSummary, recordFailure } from './summary';

export interface LineEnv {
  parser: ParserOptions;
  summary: IngestSummary;
  /** The ingesting machine, part of every document id. */
  host: string;
  /** A fixed index (`--index`), else the daily `vigil-logs-<type>-<day>`. */
  index?: string;
}

export function processLine(raw: RawLine, ctx: ParseContext, idPath: string, env: LineEnv): BulkItem[] {
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
  return parsed.docs.map((doc, copy) => ({
    index: env.index ?? dailyIndexName(env.parser.type, doc['@timestamp'] as string),
    id: documentId(env.host, idPath, raw.offset, text, copy),
    doc,
  }));
}
