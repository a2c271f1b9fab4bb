/**
 * The syslog header of an auth/secure line, as Filebeat's system/auth pipeline reads it:
 *   RFC 3164  `Mmm dd HH:MM:SS host prog[pid]: message`
 *   ISO 8601  `2019-06-14T10:40:20.912+01:30 host prog[pid]: message` (rsyslog high precision)
 *   RFC 5424  `<pri>1 2019-06-14T10:40:20Z host app procid msgid [sd] message`
 */

/** A year-less RFC 3164 time stamp; month is 1-12. */
export interface SyslogStamp {
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
}

export type HeaderTime = { kind: 'bsd'; stamp: SyslogStamp } | { kind: 'iso'; text: string };

export interface SyslogHeader {
  time: HeaderTime;
  hostname?: string;
  program?: string;
  pid?: number;
  message: string;
}

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

const BSD = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (.*)$/s;
const ISO =
  /^(?:<\d{1,3}>)?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) (.*)$/s;
const RFC5424 =
  /^<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[(?:[^\]\\]|\\.)*\](?:\[(?:[^\]\\]|\\.)*\])*)(?: (.*))?$/s;
/** `host prog[pid]: message`; the host is optional as in Filebeat's `%{SYSLOGHOST}?`. */
const REST = /^(?:(\S+) )?([^\s[\]:]+)(?:\[(\d{1,10})\])?: ?\s*(.*)$/s;

/** Parses the header, or returns undefined when the line has none. */
export function parseSyslogHeader(line: string): SyslogHeader | undefined {
  const bsd = BSD.exec(line);
  if (bsd) {
    const month = MONTHS[bsd[1]];
    if (!month) return undefined;
    const stamp: SyslogStamp = {
      month,
      day: Number(bsd[2]),
      hour: Number(bsd[3]),
      minute: Number(bsd[4]),
      second: Number(bsd[5]),
      millis: bsd[6] ? Number(bsd[6].slice(0, 3).padEnd(3, '0')) : 0,
    };
    if (stamp.day < 1 || stamp.day > 31 || stamp.hour > 23 || stamp.minute > 59 || stamp.second > 60)
      return undefined;
    return withRest({ kind: 'bsd', stamp }, bsd[7]);
  }
  if (line.startsWith('<')) {
    const r = RFC5424.exec(line);
    if (r) {
      return {
        time: { kind: 'iso', text: r[1] },
        hostname: r[2] === '-' ? undefined : r[2],
        program: r[3] === '-' ? undefined : r[3],
        pid: /^\d{1,10}$/.test(r[4]) ? Number(r[4]) : undefined,
        message: (r[7] ?? '').replace(/^\uFEFF/, ''),
      };
    }
  }
  const iso = ISO.exec(line);
  if (iso) return withRest({ kind: 'iso', text: iso[1] }, iso[2]);
  return undefined;
}

function withRest(time: HeaderTime, rest: string): SyslogHeader | undefined {
  const m = REST.exec(rest);
  if (!m) return undefined;
  return {
    time,
    hostname: m[1],
    program: m[2],
    pid: m[3] ? Number(m[3]) : undefined,
    message: m[4],
  };
}
