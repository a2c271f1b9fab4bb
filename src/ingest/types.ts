/** Shared types of the ingest stage: raw lines in, ECS documents (nested objects) out. */

export type LogType = 'auth' | 'nginx' | 'apache' | 'json';
export const LOG_TYPES: readonly LogType[] = ['auth', 'nginx', 'apache', 'json'];

/** An ECS document as nested objects, e.g. `{ source: { ip } }`. */
export type EcsDoc = { '@timestamp'?: string; [field: string]: unknown };

/** Why a line was not turned into a document. Each reason is counted and sampled in the summary. */
export type FailureReason =
  | 'binary'
  | 'line_too_long'
  | 'invalid_utf8'
  | 'no_syslog_header'
  | 'bad_timestamp'
  | 'bad_access_line'
  | 'bad_address'
  | 'bad_status'
  | 'bad_json'
  | 'json_not_object';

export interface ParseFailure {
  ok: false;
  reason: FailureReason;
  /** Short human description, no line content. */
  detail: string;
}

export interface ParseSuccess {
  ok: true;
  /** Usually one; `message repeated N times: [...]` yields N. */
  docs: EcsDoc[];
}

export type ParseResult = ParseSuccess | ParseFailure;

/** Where a line came from; goes into `log.*` and into the document id. */
export interface LineSource {
  path: string;
  offset: number;
}

export function failure(reason: FailureReason, detail: string): ParseFailure {
  return { ok: false, reason, detail };
}
