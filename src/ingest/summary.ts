/** Counting what an ingest run did, and the one-line summary (plus sampled failures) it prints. */
import { escapeForDisplay } from './text';
import type { FailureReason } from './types';

export type CountedReason = FailureReason | 'rejected' | 'file_error';

export const MAX_SAMPLES = 3;

export interface FailureCount {
  count: number;
  /** Up to MAX_SAMPLES, truncated and with control characters escaped. */
  samples: string[];
}

export interface IngestSummary {
  files: number;
  linesRead: number;
  documentsIndexed: number;
  duplicates: number;
  /** Events indexed before with another time (or into another daily index): replaced, not copied. */
  replaced: number;
  /** Lines skipped because they could not be read or parsed. */
  unparsedLines: number;
  /** Documents Elasticsearch refused (other than duplicates). */
  rejected: number;
  /** Lines indexed with replacement characters for invalid UTF-8. */
  invalidUtf8: number;
  failures: Partial<Record<CountedReason, FailureCount>>;
  elapsedMs: number;
  /** Applied time shift in ms (`--shift-to-now`), 0 when none. */
  shiftMs: number;
}

export function emptySummary(): IngestSummary {
  return {
    files: 0,
    linesRead: 0,
    documentsIndexed: 0,
    duplicates: 0,
    replaced: 0,
    unparsedLines: 0,
    rejected: 0,
    invalidUtf8: 0,
    failures: {},
    elapsedMs: 0,
    shiftMs: 0,
  };
}

/** Counts one failure and keeps a sample: `path:offset: "escaped text"`. */
export function recordFailure(s: IngestSummary, reason: CountedReason, where: string, text?: string): void {
  const f = s.failures[reason] ?? { count: 0, samples: [] };
  f.count++;
  if (f.samples.length < MAX_SAMPLES) {
    f.samples.push(
      text === undefined
        ? escapeForDisplay(where, 200)
        : `${escapeForDisplay(where, 120)}: "${escapeForDisplay(text, 80)}"`,
    );
  }
  s.failures[reason] = f;
}

export function formatSummary(s: IngestSummary, format: 'table' | 'json'): string {
  if (format === 'json') return JSON.stringify(s);
  const secs = (s.elapsedMs / 1000).toFixed(1);
  const parts = [
    `${s.linesRead} lines read`,
    `${s.documentsIndexed} documents indexed`,
    `${s.duplicates} duplicates`,
    `${s.unparsedLines} unparsed lines`,
  ];
  if (s.replaced) parts.push(`replaced ${s.replaced} documents whose time changed`);
  if (s.rejected) parts.push(`${s.rejected} rejected by Elasticsearch`);
  if (s.invalidUtf8) parts.push(`${s.invalidUtf8} invalid UTF-8 lines indexed with U+FFFD`);
  const lines = [`ingest: ${s.files} file(s), ${parts.join(', ')}, in ${secs} s`];
  for (const [reason, f] of Object.entries(s.failures)) {
    lines.push(`  ${reason}: ${f.count}${f.samples.length ? ` (e.g. ${f.samples.join(' | ')})` : ''}`);
  }
  return lines.join('\n');
}

/** Lines or files that were not indexed: the run is partial (exit 5), whatever was indexed. */
export function isPartial(s: IngestSummary): boolean {
  return s.unparsedLines > 0 || s.rejected > 0 || (s.failures.file_error?.count ?? 0) > 0;
}
