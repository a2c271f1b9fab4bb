import {
  classifySmtpError,
  isRetryableHttpStatus,
  isRetryableSmtpCode,
  redactSecrets,
} from '../../../src/notify/classify';

describe('failure classification', () => {
  it.each([
    [200, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, true],
    [410, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
  ])('HTTP %i is retryable: %s', (status, retryable) => {
    expect(isRetryableHttpStatus(status)).toBe(retryable);
  });

  it.each([
    [421, true],
    [450, true],
    [451, true],
    [452, true],
    [535, false],
    [550, false],
    [554, false],
  ])('SMTP %i is retryable: %s', (code, retryable) => {
    expect(isRetryableSmtpCode(code)).toBe(retryable);
  });

  const where = { channel: 'email', host: 'smtp.example.com', port: 587, secrets: ['hunter2-password'] };

  it('treats a 5xx SMTP rejection as permanent and names the server', () => {
    const err = classifySmtpError(
      Object.assign(new Error('Message failed: 550 5.7.1 relaying denied'), {
        code: 'EMESSAGE',
        responseCode: 550,
        response: '550 5.7.1 relaying denied',
      }),
      where,
    );
    expect(err.retryable).toBe(false);
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe(
      'email channel email: SMTP 550 at smtp.example.com:587: 550 5.7.1 relaying denied',
    );
  });

  it('retries connection failures and 4xx, with a hint', () => {
    const refused = classifySmtpError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:587'), { code: 'ESOCKET' }),
      where,
    );
    expect(refused.retryable).toBe(true);
    expect(refused.message).toContain('is the SMTP server running?');
    const greylisted = classifySmtpError(
      Object.assign(new Error('x'), { code: 'EENVELOPE', responseCode: 451, response: '451 try later' }),
      where,
    );
    expect(greylisted.retryable).toBe(true);
  });

  it('never lets a secret through, even when the server echoes it', () => {
    const err = classifySmtpError(
      Object.assign(new Error('Invalid login: 535 bad password hunter2-password'), {
        code: 'EAUTH',
        responseCode: 535,
        response: '535 bad password hunter2-password',
      }),
      where,
    );
    expect(err.message).not.toContain('hunter2-password');
    expect(err.message).toContain('***');
    expect(err.message).toContain('check username and password');
  });

  it('redacts secrets in their URL-encoded forms too', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXsecret';
    expect(redactSecrets(`posting to ${url} failed`, [url])).toBe('posting to *** failed');
    expect(redactSecrets(`token=${encodeURIComponent('a b/c')}`, ['a b/c'])).toBe('token=***');
  });
});
