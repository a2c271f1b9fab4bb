import { UsageError } from '../../../src/errors';
import { checkIngestOptions } from '../../../src/ingest/ingest-options';
import { decodeLine, LineSplitter } from '../../../src/ingest/line-splitter';
import { escapeForDisplay } from '../../../src/ingest/text';

describe('LineSplitter', () => {
  it('yields lines with byte offsets across chunks, and the last line without a newline on flush', () => {
    const s = new LineSplitter();
    const a = s.push(Buffer.from('ab\ncé'));
    const b = s.push(Buffer.from('f\n\nxyz'));
    expect([...a, ...b].map((l) => [l.offset, l.bytes?.toString()])).toEqual([
      [0, 'ab'],
      [3, 'céf'],
      [8, ''],
    ]);
    expect(s.consumed).toBe(9);
    expect(s.flush()).toMatchObject({ offset: 9, length: 3 });
    expect(s.consumed).toBe(12);
  });

  it('reports a line over the cap as too long without keeping it', () => {
    const s = new LineSplitter(0, 10);
    const lines = [...s.push(Buffer.from('0123456789ABCDEF')), ...s.push(Buffer.from('GH\nok\n'))];
    expect(lines.map((l) => [l.offset, l.length, l.bytes?.toString()])).toEqual([
      [0, 18, undefined],
      [19, 2, 'ok'],
    ]);
    expect(decodeLine(lines[0])).toMatchObject({ ok: false, reason: 'line_too_long' });
  });
});

describe('decodeLine', () => {
  it.each<[string, Buffer, string]>([
    ['binary with NUL', Buffer.from([0x41, 0x00, 0x42]), 'binary'],
    ['mostly control bytes', Buffer.from([1, 2, 3, 4, 65]), 'binary'],
  ])('fails on %s', (_n, bytes, reason) => {
    expect(decodeLine({ offset: 0, length: bytes.length, bytes })).toMatchObject({ ok: false, reason });
  });

  it('decodes invalid UTF-8 with U+FFFD and flags it; strips CR', () => {
    const bytes = Buffer.from([0x61, 0xff, 0x62, 0x0d]);
    expect(decodeLine({ offset: 0, length: 4, bytes })).toEqual({
      ok: true,
      text: 'a\uFFFDb',
      invalidUtf8: true,
    });
  });
});

describe('escapeForDisplay', () => {
  it('escapes control and bidi characters and caps the length', () => {
    expect(escapeForDisplay('\u001b[31mred\u202e')).toBe('\\u001b[31mred\\u202e');
    expect(escapeForDisplay('x'.repeat(200), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('checkIngestOptions', () => {
  it.each([
    [{ paths: ['a'], type: 'syslog' }, /--type: expected one of auth, nginx, apache, json/],
    [{ paths: ['a'], type: 'auth', year: '25' }, /--year: expected a four-digit year/],
    [
      { paths: ['a'], type: 'auth', timezone: 'Mars/Olympus' },
      /--timezone: "Mars\/Olympus" is not an IANA time zone/,
    ],
    [{ paths: ['a'], type: 'auth', index: 'Bad Index' }, /--index/],
    [{ paths: ['a'], type: 'nginx', logFormat: 'nothing' }, /--log-format/],
  ])('rejects %o', (opts, message) => {
    expect(() => checkIngestOptions(opts)).toThrow(UsageError);
    expect(() => checkIngestOptions(opts)).toThrow(message);
  });

  it('accepts good options', () => {
    expect(
      checkIngestOptions({ paths: ['a'], type: 'auth', year: '2024', timezone: 'Europe/Paris' }),
    ).toMatchObject({ type: 'auth', year: 2024, timezone: 'Europe/Paris' });
  });
});
