import { buildDiscoverUrl } from '../../../src/notify/kibana';
import { capLength, cleanLine, cleanText } from '../../../src/notify/sanitize';

describe('sanitize', () => {
  it.each([
    ['bob\r\nBcc: evil@example.com', 'bob Bcc: evil@example.com'],
    ['tab\there', 'tab here'],
    ['nul\u0000bell\u0007', 'nulbell'],
    ['rlo\u202Egnp.exe', 'rlognp.exe'],
    ['line\u2028sep', 'line sep'],
    ['日本語 🚨 עברית', '日本語 🚨 עברית'],
  ])('cleanLine(%j) = %j', (input, expected) => {
    expect(cleanLine(input)).toBe(expected);
  });

  it('keeps line breaks in prose but normalises CR', () => {
    expect(cleanText('one\r\ntwo\rthree')).toBe('one\ntwo\nthree');
  });

  it('caps by code point and never splits a surrogate pair', () => {
    expect(capLength('🚨'.repeat(10), 4)).toBe('🚨🚨🚨…');
    expect(Array.from(cleanText('x'.repeat(10_240))).length).toBe(512);
  });

  it('builds a Discover link whose query cannot be broken out of by log values', () => {
    const url = buildDiscoverUrl('https://kibana.example.com/', {
      entity: { 'user.name': `a"' or !x` },
      window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:10:00.000Z' },
    });
    const a = decodeURIComponent(url.split('&_a=')[1]);
    expect(a).toBe(`(query:(language:kuery,query:'user.name:"a\\"!' or !!x"'))`);
    expect(url.startsWith('https://kibana.example.com/app/discover#/?_g=')).toBe(true);
  });
});
