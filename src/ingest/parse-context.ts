/** What a parser needs besides the line: where it came from, the clock and the time shift. */
import type { OccurrenceCounter } from './event-identity';
import type { YearTracker, ZonedClock } from './syslog-time';
import type { EcsDoc } from './types';

export interface ParseContext {
  /** Source path as given (goes into log.file.path). */
  path: string;
  /** Byte offset of the line in its file. */
  offset: number;
  /** "Now" in epoch ms: the reference for year inference. */
  nowMs: number;
  /** Zone of time stamps that carry none. */
  clock: ZonedClock;
  /** Per-file year state for year-less syslog stamps. */
  years?: YearTracker;
  /** Added to every event time (`--shift-to-now`); 0 when not shifting. */
  shiftMs: number;
  /** Per-file numbering of identical lines, part of the document id. */
  occurrences?: OccurrenceCounter;
}

/** The fields every document gets: time, zone of zone-less stamps, original line, file position, module and dataset. */
export function baseDoc(
  ctx: ParseContext,
  line: string,
  ms: number,
  module: string,
  dataset: string,
  withZone = true,
): EcsDoc {
  const event = withZone
    ? { kind: 'event', module, dataset, timezone: ctx.clock.label, original: line }
    : { kind: 'event', module, dataset, original: line };
  return {
    '@timestamp': new Date(ms + ctx.shiftMs).toISOString(),
    event,
    log: { file: { path: ctx.path }, offset: ctx.offset },
  };
}

/**
 * What Filebeat's module inputs add to every document of a fileset (`fileset.name`, `input.type`,
 * `service.type`), so that dashboards and queries written for Filebeat data find vigil's too.
 */
export function addFilebeatMeta(doc: EcsDoc, module: string, fileset: string): void {
  doc.fileset = { name: fileset };
  doc.input = { type: 'log' };
  doc.service = { type: module };
}
