import { MASK, redact, redactText } from '../../../src/audit/redact';

describe('redactText: configured secret values and credentials in URLs', () => {
  it.each([
    [
      'a configured secret anywhere in a message',
      'login failed with s3cr3t-pw for elastic',
      ['s3cr3t-pw'],
      `login failed with ${MASK} for elastic`,
    ],
    ['every occurrence', 'k=abcd1234 again abcd1234', ['abcd1234'], `k=${MASK} again ${MASK}`],
    ['several secrets', 'pw=alpha-1 key=beta-22', ['alpha-1', 'beta-22'], `pw=${MASK} key=${MASK}`],
    [
      'secrets shorter than 4 characters are left alone (too many false hits)',
      'abc in abcdef',
      ['abc'],
      'abc in abcdef',
    ],
    ['an empty secret changes nothing', 'nothing here', [''], 'nothing here'],
    [
      'user:password in an http URL',
      'GET https://elastic:changeme@es.example:9200/_msearch',
      [],
      `GET https://elastic:${MASK}@es.example:9200/_msearch`,
    ],
    [
      'user:password in an smtp URL',
      'smtp://mailer:p%40ss@mail.example:587',
      [],
      `smtp://mailer:${MASK}@mail.example:587`,
    ],
    [
      'a URL without credentials stays',
      'see http://es.example:9200/_cluster/health',
      [],
      'see http://es.example:9200/_cluster/health',
    ],
    ['user without password stays', 'https://elastic@es.example', [], 'https://elastic@es.example'],
  ])('%s', (_name, text, secrets, expected) => {
    expect(redactText(text, secrets)).toBe(expected);
  });
});

describe('redact: records, errors and nested values', () => {
  it('masks secret-looking keys whatever their value, and leaves the others', () => {
    const record = {
      password: 'pw-1',
      api_key: 'id:key',
      apiKey: 'x',
      Authorization: 'Basic ZWxhc3RpYzpjaGFuZ2VtZQ==',
      headers: { authorization: 'ApiKey abc', cookie: 'session=1', 'x-request-id': 'r-1' },
      webhook_secret: 'hmac',
      token: 't',
      smtp: { credentials: { user: 'u', pass: 'p' } },
      username: 'elastic',
      rule: 'ssh_bruteforce',
      count: 3,
    };
    expect(redact(record, [])).toEqual({
      password: MASK,
      api_key: MASK,
      apiKey: MASK,
      Authorization: MASK,
      headers: { authorization: MASK, cookie: MASK, 'x-request-id': 'r-1' },
      webhook_secret: MASK,
      token: MASK,
      smtp: { credentials: MASK },
      username: 'elastic',
      rule: 'ssh_bruteforce',
      count: 3,
    });
  });

  it('keeps empty and missing secrets visible as such (an unset password is not a leak)', () => {
    expect(redact({ password: '', api_key: null, secret: undefined }, [])).toEqual({
      password: '',
      api_key: null,
      secret: undefined,
    });
  });

  it('masks secret values inside ordinary fields, arrays and errors', () => {
    const err = new Error('connect to https://u:hunter22@es:9200 failed, key hunter22');
    expect(
      redact(
        {
          message: 'sent with hunter22',
          list: ['a', 'x hunter22 y'],
          error: err,
          nested: { deep: [{ text: 'hunter22' }] },
        },
        ['hunter22'],
      ),
    ).toEqual({
      message: `sent with ${MASK}`,
      list: ['a', `x ${MASK} y`],
      error: { name: 'Error', message: `connect to https://u:${MASK}@es:9200 failed, key ${MASK}` },
      nested: { deep: [{ text: MASK }] },
    });
  });

  it('returns numbers, booleans and null unchanged, and stops at a depth limit without throwing', () => {
    expect(redact(42, ['42424'])).toBe(42);
    expect(redact(true, [])).toBe(true);
    expect(redact(null, [])).toBeNull();
    let deep: Record<string, unknown> = { leaf: 'ok' };
    for (let i = 0; i < 30; i++) deep = { next: deep };
    expect(() => redact(deep, ['x'])).not.toThrow();
  });
});
