/**
 * The identity of an event: what a document id is made of. It depends on the content of the line,
 * never on where the line was read (path, rotation, compression, ingesting machine) nor on the time
 * vigil derived for it (`--year`, `--timezone`, `--shift-to-now`), so that:
 *   - the same content ingested again, from any copy, adds nothing;
 *   - a run with corrected time options finds the earlier documents and replaces them.
 * Identical lines in one file are distinct events (sshd logs the same `Failed password` line twice
 * in one second when a client tries twice): they are numbered in order of appearance.
 */
import { createHash } from 'node:crypto';

/** How many distinct recent lines one file remembers for numbering identical lines. */
const MAX_REMEMBERED = 100_000;

/** Numbers identical lines of one file: 0 for the first occurrence, 1 for the second, … */
export class OccurrenceCounter {
  private readonly seen = new Map<string, number>();

  /** The occurrence number of this line in the file so far (and counts it). */
  next(line: string): number {
    const n = this.seen.get(line) ?? 0;
    // identical lines carry the same time stamp, so they are near each other in a file: a bounded
    // memory of recent lines numbers them all
    if (n === 0 && this.seen.size >= MAX_REMEMBERED) this.seen.clear();
    this.seen.set(line, n + 1);
    return n;
  }
}

/** Trailing white space and CR are not content (CRLF and LF copies of a file are the same events). */
export function normaliseLine(line: string): string {
  return line.replace(/\s+$/, '');
}

export interface EventKey {
  /** The log type: the same bytes read as nginx or as apache are two different readings. */
  type: string;
  /** The origin host when the user names it (`--host`); lines of two named web servers differ. */
  origin?: string;
  /** The normalised line. */
  line: string;
  /** Occurrence of this exact line in its file (0 for the first). */
  occurrence: number;
  /** `message repeated N times`: the copy number (0 … N-1). */
  copy: number;
}

/** Stable 32-character id of an event. */
export function eventId(k: EventKey): string {
  return createHash('sha256')
    .update(`v2\u0000${k.type}\u0000${k.origin ?? ''}\u0000${k.occurrence}\u0000${k.copy}\u0000`)
    .update(k.line)
    .digest('base64url')
    .slice(0, 32);
}
