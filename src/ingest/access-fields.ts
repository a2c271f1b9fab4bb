/** The pieces of an access log line that become ECS fields, shared by the built-in and configured formats. */
import { isIP } from 'node:net';
import { addRelated } from './fields';
import { addFilebeatMeta, baseDoc, type ParseContext } from './parse-context';
import type { EcsDoc } from './types';
import { urlParts } from './url-parts';

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const HTTPDATE =
  /^(\d{1,2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))? ([+-])(\d{2}):?(\d{2})$/;

/** `10/Oct/2000:13:55:36 -0700` → epoch ms, NaN when unreadable. */
export function parseHttpDate(text: string): number {
  const m = HTTPDATE.exec(text);
  if (!m) return Number.NaN;
  const month = MONTHS[m[2]];
  if (month === undefined) return Number.NaN;
  const [year, day, hour, minute, second] = [m[3], m[1], m[4], m[5], m[6]].map(Number);
  const local = Date.UTC(year, month, day, hour, minute, second, Number(m[7] ?? 0));
  // Date.UTC rolls 31/Feb over into March and 25:00 into the next day: a garbage time, not a time
  const rolled = new Date(local);
  if (rolled.getUTCDate() !== day || rolled.getUTCHours() !== hour || minute > 59 || second > 60)
    return Number.NaN;
  if (Number(m[9]) > 18 || Number(m[10]) > 59) return Number.NaN;
  const offset = (Number(m[9]) * 60 + Number(m[10])) * (m[8] === '-' ? -1 : 1);
  return local - offset * 60_000;
}

const REQUEST = /^(\w+) (.*) HTTP\/(\d+(?:\.\d+)?)$/s;

/** What a format captured from one line; every field optional except the time. */
export interface AccessParts {
  ms: number;
  sourceAddress?: string;
  /** nginx: the `remote_ip_list` the source was chosen from. */
  remoteIpList?: string[];
  user?: string;
  request?: string;
  method?: string;
  url?: string;
  httpVersion?: string;
  status?: number;
  bytes?: number;
  referrer?: string;
  userAgent?: string;
  destination?: { ip?: string; domain?: string; port?: number };
  /** apache ssl_request_log: `TLSv1.2` and the cipher. */
  tls?: { protocol: string; cipher: string };
}

export type AccessFlavour = 'nginx' | 'apache';

/** Fills method/url/version from the request line (`GET /x HTTP/1.1`) when it has that shape. */
export function splitRequest(parts: AccessParts): void {
  if (parts.request === undefined) return;
  const m = REQUEST.exec(parts.request);
  if (!m) return;
  parts.method ??= m[1];
  parts.url ??= m[2];
  parts.httpVersion ??= m[3];
}

function present(v: string | undefined): v is string {
  return v !== undefined && v !== '' && v !== '-';
}

/** Builds the ECS document of an access line the way Filebeat's nginx/apache access pipelines do. */
export function buildAccessDoc(
  line: string,
  parts: AccessParts,
  flavour: AccessFlavour,
  ctx: ParseContext,
): EcsDoc {
  // Filebeat's apache module has no add_locale: its documents carry no event.timezone
  const doc = baseDoc(ctx, line, parts.ms, flavour, `${flavour}.access`, flavour === 'nginx');
  const event = doc.event as Record<string, unknown>;
  event.category = ['web'];
  if (flavour === 'nginx') event.type = ['access'];
  if (parts.status !== undefined) event.outcome = parts.status >= 400 ? 'failure' : 'success';
  if (present(parts.sourceAddress)) {
    doc.source = isIP(parts.sourceAddress)
      ? { address: parts.sourceAddress, ip: parts.sourceAddress }
      : { address: parts.sourceAddress };
  }
  if (parts.remoteIpList) doc.nginx = { access: { remote_ip_list: parts.remoteIpList } };
  if (present(parts.user)) doc.user = { name: parts.user };
  const request: Record<string, unknown> = {};
  if (present(parts.method)) request.method = parts.method;
  if (present(parts.referrer)) request.referrer = parts.referrer;
  const response: Record<string, unknown> = {};
  if (parts.status !== undefined) response.status_code = parts.status;
  if (parts.bytes !== undefined) response.body = { bytes: parts.bytes };
  const http: Record<string, unknown> = {};
  if (request.method !== undefined || request.referrer !== undefined) http.request = request;
  if (response.status_code !== undefined || response.body !== undefined) http.response = response;
  if (present(parts.httpVersion)) http.version = parts.httpVersion;
  if (http.request || http.response || http.version) doc.http = http;
  const dest = parts.destination;
  if (present(parts.url)) doc.url = urlParts(parts.url, dest?.domain);
  else if (dest?.domain) doc.url = { domain: dest.domain };
  if (present(parts.userAgent)) doc.user_agent = { original: parts.userAgent };
  if (dest && (dest.ip || dest.domain)) doc.destination = { ...dest };
  if (parts.tls) addTls(doc, parts.tls, flavour);
  addRelated(doc);
  addFilebeatMeta(doc, flavour, 'access');
  return doc;
}

/** `TLSv1.2` → tls.version_protocol `tls`, tls.version `1.2`, as Filebeat's apache pipeline. */
function addTls(doc: EcsDoc, tls: NonNullable<AccessParts['tls']>, flavour: AccessFlavour): void {
  const m = /^([A-Za-z]+?)v?(\d+(?:\.\d+)?)$/.exec(tls.protocol);
  doc.tls = m
    ? { cipher: tls.cipher, version: m[2], version_protocol: m[1].toLowerCase() }
    : { cipher: tls.cipher };
  doc[flavour] = { access: { ssl: { protocol: tls.protocol, cipher: tls.cipher } } };
}

/** Filebeat's nginx rule: the first address of the list that is not private, else the first. */
export function pickSourceAddress(list: string[]): string | undefined {
  return list.find((ip) => !isPrivateByDots(ip)) ?? list[0];
}

/** A port of Filebeat's painless isPrivate: only dotted IPv4 in 10/8, 172.16/12, 192.168/16, 127/8. */
function isPrivateByDots(ip: string): boolean {
  const parts = ip.split('.');
  const a = Number(parts[0]);
  const b = Number(parts[1]);
  if (parts.length < 2 || !/^\d+$/.test(parts[0]) || !/^\d+$/.test(parts[1])) return false;
  return a === 10 || a === 127 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31);
}
