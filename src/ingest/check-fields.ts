/**
 * The last gate before a document is indexed: the fields rules group and count by must hold what
 * their names say. A parser (or a configured format, or a JSON field map) that captured garbage
 * into them yields a counted, sampled failure instead of a document with a garbage field.
 */
import { isIP } from 'node:net';
import type { EcsDoc, FailureReason } from './types';

/** A host name as resolvers and syslog write it; labels of letters, digits, `_` and `-`. */
const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?$/;

/** True for an IP address, a host name, or a unix socket (`unix:`, as nginx logs local clients). */
export function isAddress(value: string): boolean {
  if (isIP(value)) return true;
  if (value.startsWith('unix:')) return !/[\s"]/.test(value);
  // digits and dots only, but not an IP (999.1.1.1, 1.2.3): a mangled address, not a host name
  if (/^[\d.]+$/.test(value)) return false;
  return HOST_NAME.test(value);
}

export interface FieldProblem {
  reason: FailureReason;
  detail: string;
}

/** The first garbage field of a document, or undefined when it is sound. */
export function findGarbage(doc: EcsDoc): FieldProblem | undefined {
  const time = Date.parse(String(doc['@timestamp']));
  if (Number.isNaN(time)) return { reason: 'bad_timestamp', detail: 'no readable event time' };
  const source = doc.source as { ip?: unknown; address?: unknown } | undefined;
  if (source?.ip !== undefined && (typeof source.ip !== 'string' || !isIP(source.ip)))
    return {
      reason: 'bad_address',
      detail: `source.ip ${JSON.stringify(source.ip).slice(0, 60)} is not an IP`,
    };
  if (source?.address !== undefined && (typeof source.address !== 'string' || !isAddress(source.address)))
    return {
      reason: 'bad_address',
      detail: `client address ${JSON.stringify(source.address).slice(0, 60)} is neither an IP nor a host name`,
    };
  const status = (doc.http as { response?: { status_code?: unknown } } | undefined)?.response?.status_code;
  if (
    status !== undefined &&
    !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 999)
  )
    return {
      reason: 'bad_status',
      detail: `HTTP status ${JSON.stringify(status).slice(0, 20)} is not a 3-digit code`,
    };
  const bytes = (doc.http as { response?: { body?: { bytes?: unknown } } } | undefined)?.response?.body
    ?.bytes;
  if (bytes !== undefined && !(Number.isSafeInteger(bytes) && (bytes as number) >= 0))
    return {
      reason: 'bad_access_line',
      detail: `response size ${JSON.stringify(bytes).slice(0, 20)} is not a byte count`,
    };
  return undefined;
}
