import { compileAccessFormat } from '../../../src/ingest/access-format';
import { flattenFields } from '../../../src/ingest/fields';
import { parseAccessLine, splitNginxPrefix } from '../../../src/ingest/parse-access';
import type { ParseContext } from '../../../src/ingest/parse-context';
import { ZonedClock } from '../../../src/ingest/syslog-time';

const ctx = (): ParseContext => ({
  path: 'access.log',
  offset: 0,
  nowMs: 0,
  clock: new ZonedClock('UTC'),
  shiftMs: 0,
});
const UA = 'Mozilla/5.0 (X11; Linux x86_64)';

describe('parseAccessLine', () => {
  it.each<[string, 'nginx' | 'apache', string, Record<string, unknown>]>([
    [
      'nginx combined',
      'nginx',
      `89.160.20.156 - bob [25/Oct/2016:14:49:34 +0200] "GET /favicon.ico HTTP/1.1" 404 571 "http://localhost:8080/" "${UA}"`,
      {
        '@timestamp': '2016-10-25T12:49:34.000Z',
        'source.ip': '89.160.20.156',
        'user.name': 'bob',
        'http.request.method': 'GET',
        'url.original': '/favicon.ico',
        'http.version': '1.1',
        'http.response.status_code': 404,
        'http.response.body.bytes': 571,
        'http.request.referrer': 'http://localhost:8080/',
        'user_agent.original': UA,
        'event.outcome': 'failure',
        'event.dataset': 'nginx.access',
        'event.category': ['web'],
      },
    ],
    [
      'nginx picks the first public address of a list',
      'nginx',
      `10.0.0.2, 10.0.0.1, 81.2.69.143 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "-"`,
      { 'source.ip': '81.2.69.143', 'event.outcome': 'success', 'user_agent.original': undefined },
    ],
    [
      'nginx with a host and port',
      'nginx',
      `example.com:80 81.2.69.143 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "-"`,
      { 'destination.domain': 'example.com', 'destination.port': 80, 'source.ip': '81.2.69.143' },
    ],
    [
      'nginx with an unparsable request',
      'nginx',
      `unix: - - [26/Feb/2019:15:39:42 +0100] "hello" 400 173 "-" "-"`,
      {
        'source.address': 'unix:',
        'source.ip': undefined,
        'http.request.method': undefined,
        'event.outcome': 'failure',
      },
    ],
    [
      'apache combined',
      'apache',
      `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 203023 "http://x/" "${UA}"`,
      {
        'source.ip': '83.149.9.216',
        'event.dataset': 'apache.access',
        'http.response.body.bytes': 203023,
        'event.type': undefined,
      },
    ],
    [
      'apache with "-" request and no bytes',
      'apache',
      `::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -`,
      {
        'source.ip': '::1',
        'http.response.status_code': 408,
        'http.response.body.bytes': undefined,
        'event.outcome': 'failure',
      },
    ],
    [
      'apache vhost',
      'apache',
      `vhost1.example 192.168.33.2 - - [26/Dec/2016:16:22:14 +0000] "GET /hello HTTP/1.1" 404 499 "-" "${UA}"`,
      { 'destination.domain': 'vhost1.example', 'source.ip': '192.168.33.2' },
    ],
    [
      'apache ssl request log',
      'apache',
      `[10/Aug/2018:09:45:56 +0200] 172.30.0.119 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 "GET /x HTTP/1.1" 1375`,
      { 'source.ip': '172.30.0.119', 'http.response.body.bytes': 1375, 'event.outcome': undefined },
    ],
  ])('%s', (_n, flavour, line, fields) => {
    const r = parseAccessLine(line, flavour, ctx());
    if (!r.ok) throw new Error(r.detail);
    const doc = flattenFields(r.docs[0]);
    for (const [k, v] of Object.entries(fields)) expect([k, doc[k]]).toEqual([k, v]);
  });

  it.each([
    ['not an access line', 'hello', 'bad_access_line'],
    ['bad date', '1.2.3.4 - - [99/Foo/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "-"', 'bad_timestamp'],
  ])('fails on %s', (_n, line, reason) => {
    const r = parseAccessLine(line, 'nginx', ctx());
    expect(r.ok ? 'ok' : r.reason).toBe(reason);
  });

  // issue 16: a scanner log whose exporter wrapped every line in one more pair of double quotes
  // was indexed by --type apache with source.address "\"192.168.4.163" and no source.ip
  const PLAIN = `192.168.4.163 - - [22/Jan/2019:03:56:14 +0330] "GET /admin.php HTTP/1.1" 404 209 "-" "${UA}"`;
  it.each([
    ['plain wrapping', `"${PLAIN}"`],
    ['inner quotes doubled (CSV)', `"${PLAIN.replace(/"/g, '""')}"`],
    ['inner quotes escaped (JSON)', `"${PLAIN.replace(/"/g, '\\"')}"`],
  ])('reads a wrapped line (%s) like the plain one, in both access parsers', (_n, wrapped) => {
    for (const flavour of ['apache', 'nginx'] as const) {
      const plain = parseAccessLine(PLAIN, flavour, ctx());
      const r = parseAccessLine(wrapped, flavour, ctx());
      if (!r.ok || !plain.ok) throw new Error(`${flavour}: ${r.ok ? '' : r.detail}`);
      const doc = flattenFields(r.docs[0]);
      const expected = flattenFields(plain.docs[0]);
      expect([flavour, doc['source.ip'], doc['source.address']]).toEqual([
        flavour,
        '192.168.4.163',
        '192.168.4.163',
      ]);
      for (const k of ['@timestamp', 'url.original', 'http.response.status_code', 'user_agent.original'])
        expect([flavour, k, doc[k]]).toEqual([flavour, k, expected[k]]);
    }
  });

  it('counts a line whose address would keep a quote as unparsed, never indexes it', () => {
    const r = parseAccessLine(
      `"192.168.4.163 - - [22/Jan/2019:03:56:14 +0330] "GET / HTTP/1.1" 404 209`,
      'apache',
      ctx(),
    );
    expect(r.ok ? 'ok' : r.reason).toBe('bad_address');
  });

  it('splits nginx prefixes like Filebeat', () => {
    expect(splitNginxPrefix('"10.5.102.222, 175.16.199.1, 204.246.1.1" 10.2.1.185')?.sourceAddress).toBe(
      '175.16.199.1',
    );
    expect(splitNginxPrefix('1.128.3.4 localhost')).toMatchObject({
      destination: { ip: '1.128.3.4' },
      sourceAddress: 'localhost',
    });
  });
});

describe('configured access formats', () => {
  it.each([
    [
      'nginx log_format',
      '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time',
      `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "POST /login HTTP/2.0" 401 12 "-" "${UA}" 0.003`,
    ],
    [
      'Apache LogFormat',
      '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-agent}i\\"',
      `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "POST /login HTTP/2.0" 401 12 "-" "${UA}"`,
    ],
  ])('%s', (_n, format, line) => {
    const r = parseAccessLine(line, 'nginx', ctx(), compileAccessFormat(format));
    if (!r.ok) throw new Error(r.detail);
    expect(flattenFields(r.docs[0])).toMatchObject({
      'source.ip': '1.2.3.4',
      'http.request.method': 'POST',
      'url.original': '/login',
      'http.version': '2.0',
      'http.response.status_code': 401,
      'http.response.body.bytes': 12,
      'user_agent.original': UA,
      'event.outcome': 'failure',
      '@timestamp': '2015-05-17T10:05:03.000Z',
    });
  });

  it('rejects a format without placeholders', () => {
    expect(() => compileAccessFormat('plain text')).toThrow(/no \$variable/);
  });
});
