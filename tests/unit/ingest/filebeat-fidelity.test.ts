/**
 * Issue 16, Filebeat fidelity: the fields Filebeat writes that vigil did not (event.timezone, the
 * pam_succeed_if user) and the `--timezone` forms Filebeat users give (offsets such as -02:00).
 */
import { flattenFields } from '../../../src/ingest/fields';
import { checkIngestOptions } from '../../../src/ingest/ingest-options';
import { parseAccessLine } from '../../../src/ingest/parse-access';
import { parseAuthLine } from '../../../src/ingest/parse-auth';
import type { ParseContext } from '../../../src/ingest/parse-context';
import { ZonedClock } from '../../../src/ingest/syslog-time';

const ctx = (zone: string): ParseContext => ({
  path: '/var/log/secure',
  offset: 0,
  nowMs: Date.parse('2026-03-01T00:00:00Z'),
  clock: new ZonedClock(zone),
  shiftMs: 0,
});

function auth(line: string, zone = 'UTC'): Record<string, unknown> {
  const r = parseAuthLine(line, ctx(zone));
  if (!r.ok) throw new Error(r.detail);
  return flattenFields(r.docs[0]);
}

describe('pam_succeed_if lines (Filebeat: user.name and related.user)', () => {
  it.each([
    ['sshd', 'uid >= 1000', 'not met', 'root'],
    ['gdm', 'user ingroup nopasswdlogin', 'not met', 'rhardy'],
    ['lightdm', 'user ingroup nopasswdlogin', 'was met', 'robert smith'],
  ])('%s: requirement "%s" %s by user "%s"', (origin, req, verb, user) => {
    const doc = auth(
      `Feb 22 16:45:20 slave22 sshd[2738]: pam_succeed_if(${origin}:auth): requirement "${req}" ${verb} by user "${user}"`,
    );
    expect(doc['user.name']).toBe(user);
    expect(doc['related.user']).toEqual([user]);
    expect(doc['event.outcome']).toBeUndefined();
  });
});

describe('event.timezone, as Filebeat add_locale writes it', () => {
  it.each([
    ['-02:00', '-02:00', '2026-02-22T18:45:20.000Z'],
    ['+0530', '+05:30', '2026-02-22T11:15:20.000Z'],
    ['UTC-2', '-02:00', '2026-02-22T18:45:20.000Z'],
    ['Europe/Paris', 'Europe/Paris', '2026-02-22T15:45:20.000Z'],
    ['UTC', '+00:00', '2026-02-22T16:45:20.000Z'],
  ])('--timezone %s → event.timezone %s, and the stamp read in that zone', (zone, label, instant) => {
    const doc = auth('Feb 22 16:45:20 slave22 sshd[1]: Connection closed by 1.2.3.4', zone);
    expect(doc['event.timezone']).toBe(label);
    expect(doc['@timestamp']).toBe(instant);
  });

  it('is written on access lines too (their stamps carry an offset; the field says the reader zone)', () => {
    const r = parseAccessLine(
      '1.2.3.4 - - [22/Feb/2026:16:45:20 +0100] "GET / HTTP/1.1" 200 5 "-" "x"',
      'nginx',
      ctx('-02:00'),
    );
    if (!r.ok) throw new Error(r.detail);
    expect(flattenFields(r.docs[0])['event.timezone']).toBe('-02:00');
    expect(r.docs[0]['@timestamp']).toBe('2026-02-22T15:45:20.000Z');
  });
});

describe('--timezone', () => {
  const check = (timezone: string) => () => checkIngestOptions({ paths: ['x'], type: 'auth', timezone });
  it.each(['-02:00', '+05:30', '+0530', 'Z', 'UTC-2', 'Europe/Paris', 'America/Argentina/Buenos_Aires'])(
    'accepts %s',
    (zone) => {
      expect(check(zone)).not.toThrow();
    },
  );
  it.each(['-25:00', '+02:75', 'Mars/Olympus', '2h'])('rejects %s with one line naming the flag', (zone) => {
    expect(check(zone)).toThrow(
      /^--timezone: ".*" is not an IANA time zone .* nor an offset such as -02:00$/,
    );
  });
});

describe('--host', () => {
  it('rejects a name with spaces or quotes', () => {
    expect(() => checkIngestOptions({ paths: ['x'], type: 'nginx', host: 'web 1"' })).toThrow(
      /^--host: "web 1"" is not a host name$/,
    );
  });
});
