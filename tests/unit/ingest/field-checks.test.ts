/**
 * The last gate before indexing (issue 16): which values count as an address, a time, a status or
 * a size, and the url.* parts of a request target (Filebeat's uri_parts).
 */
import { findGarbage, isAddress } from '../../../src/ingest/check-fields';
import { urlParts } from '../../../src/ingest/url-parts';

describe('isAddress', () => {
  it.each([
    '192.0.2.1',
    '::1',
    '2001:db8::8a2e:370:7334',
    '::ffff:192.0.2.1',
    'host-1.example.com',
    'web_1',
    'unix:',
  ])('takes %s', (a) => expect(isAddress(a)).toBe(true));
  it.each(['"192.168.4.163', '999.1.1.1', '1.2.3', '192.0.2.1:8080', 'a b', '-x-', 'host.', '[::1]', ''])(
    'refuses %s',
    (a) => expect(isAddress(a)).toBe(false),
  );
});

describe('findGarbage', () => {
  const ok = { '@timestamp': '2026-01-01T00:00:00.000Z' };
  it.each<[string, Record<string, unknown>, string | undefined]>([
    [
      'a sound access document',
      {
        ...ok,
        source: { address: 'h.example' },
        http: { response: { status_code: 404, body: { bytes: 0 } } },
      },
      undefined,
    ],
    ['no time', { '@timestamp': 'Invalid' }, 'bad_timestamp'],
    ['a host name in source.ip', { ...ok, source: { ip: 'h.example' } }, 'bad_address'],
    ['a quote in source.address', { ...ok, source: { address: '"10.0.0.1' } }, 'bad_address'],
    ['a status of NaN', { ...ok, http: { response: { status_code: Number.NaN } } }, 'bad_status'],
    ['a 4-digit status', { ...ok, http: { response: { status_code: 2000 } } }, 'bad_status'],
    ['a negative size', { ...ok, http: { response: { body: { bytes: -1 } } } }, 'bad_access_line'],
  ])('%s', (_name, doc, reason) => {
    expect(findGarbage(doc)?.reason).toBe(reason);
  });
});

describe('urlParts', () => {
  it.each<[string, string | undefined, Record<string, unknown>]>([
    ['/', undefined, { original: '/', path: '/' }],
    [
      '/assets/xxxx?q=100',
      'example.com',
      { original: '/assets/xxxx?q=100', domain: 'example.com', path: '/assets/xxxx', query: 'q=100' },
    ],
    [
      '/A%20Beka/15%20e.MP4',
      undefined,
      { original: '/A%20Beka/15%20e.MP4', path: '/A Beka/15 e.MP4', extension: 'mp4' },
    ],
    [
      '/bad%zzescape.php?x=%22',
      undefined,
      { original: '/bad%zzescape.php?x=%22', path: '/bad%zzescape.php', query: 'x="', extension: 'php' },
    ],
    [
      'http://lessons.example.com:8080/a.b/c#top',
      'vhost',
      {
        original: 'http://lessons.example.com:8080/a.b/c#top',
        scheme: 'http',
        domain: 'lessons.example.com',
        port: 8080,
        path: '/a.b/c',
        fragment: 'top',
      },
    ],
  ])('%s', (original, domain, expected) => {
    expect(urlParts(original, domain)).toEqual(expected);
  });
});
