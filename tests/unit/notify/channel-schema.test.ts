import { alertsSchema } from '../../../src/notify/channel-schema';
import { routeAlerts, unknownChannelNames } from '../../../src/notify/route';
import { makeAlert } from './alert-fixtures';

const issues = (input: unknown) =>
  (alertsSchema.safeParse(input).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('alerts config schema', () => {
  it('parses durations, env-style strings and defaults', () => {
    const cfg = alertsSchema.parse({
      kibana_url: 'https://kibana.example.com/',
      outbox: { max_age: '2d', base_delay: '10s' },
      channels: {
        email: {
          type: 'email',
          host: 'smtp.example.com',
          port: '2525',
          require_tls: 'false',
          username: 'vigil',
          password: 'pw',
          from: 'vigil@example.com',
          to: 'a@example.com, b@example.com',
        },
        slack: { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X', min_severity: 'high' },
        hook: {
          type: 'webhook',
          url: 'https://siem.example.com/in',
          secret: 's',
          headers: { Authorization: 'Bearer t' },
        },
      },
    });
    expect(cfg.kibana_url).toBe('https://kibana.example.com');
    expect(cfg.outbox).toEqual({
      max_age: 172_800_000,
      base_delay: 10_000,
      max_delay: 1_800_000,
      claim_timeout: 300_000,
    });
    const email = cfg.channels.email;
    if (email.type !== 'email') throw new Error('expected email');
    expect(email).toMatchObject({
      enabled: true,
      port: 2525,
      secure: false,
      require_tls: false,
      min_severity: 'low',
      to: ['a@example.com', 'b@example.com'],
      cc: [],
      tls: { verify: true },
      timeout: 30_000,
    });
    expect(cfg.channels.slack).toMatchObject({ enabled: true, min_severity: 'high', timeout: 10_000 });
  });

  it('turns a channel off when its endpoint is empty (SMTP_HOST unset) and enabled is not given', () => {
    const cfg = alertsSchema.parse({
      channels: { email: { type: 'email', host: '', from: '', to: '' }, slack: { type: 'slack', url: '' } },
    });
    expect(cfg.channels.email.enabled).toBe(false);
    expect(cfg.channels.slack.enabled).toBe(false);
  });

  it('reads the example config after env substitution: channels follow their variables', () => {
    const example = (env: Record<string, string>) => ({
      kibana_url: env.KIBANA_URL ?? '',
      channels: {
        email: {
          type: 'email',
          min_severity: 'medium',
          host: env.SMTP_HOST ?? '',
          port: env.SMTP_PORT ?? '587',
          username: env.SMTP_USERNAME ?? '',
          password: env.SMTP_PASSWORD ?? '',
          from: env.ALERT_EMAIL_FROM ?? '',
          to: env.ALERT_EMAIL_TO ?? '',
        },
        slack: { type: 'slack', min_severity: 'high', url: env.SLACK_WEBHOOK_URL ?? '' },
        webhook: {
          type: 'webhook',
          url: env.ALERT_WEBHOOK_URL ?? '',
          secret: env.ALERT_WEBHOOK_SECRET ?? '',
        },
      },
    });
    const none = alertsSchema.parse(example({}));
    expect(Object.values(none.channels).map((c) => c.enabled)).toEqual([false, false, false]);
    expect(none.kibana_url).toBeUndefined();
    const some = alertsSchema.parse(
      example({
        SMTP_HOST: 'smtp.example.com',
        SMTP_PORT: '465',
        ALERT_EMAIL_FROM: 'vigil@example.com',
        ALERT_EMAIL_TO: 'a@example.com,b@example.com',
        SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/x',
      }),
    );
    expect(some.channels.email).toMatchObject({
      enabled: true,
      port: 465,
      to: ['a@example.com', 'b@example.com'],
    });
    expect(some.channels.slack.enabled).toBe(true);
    expect(some.channels.webhook.enabled).toBe(false);
  });

  it('names the path of each problem', () => {
    expect(
      issues({
        outbox: { max_age: 'five' },
        channels: {
          mail: { type: 'email', enabled: true, host: 'smtp', port: 70000, to: ['not-an-address'], bogus: 1 },
          hook: { type: 'webhook', enabled: true, headers: { 'Bad Header': 'x', 'X-Ok': 'a\r\nb' } },
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        'outbox.max_age: expected a duration like 90s, 10m, 24h or 30d (at most 366d)',
        'channels.mail.port: expected a port between 1 and 65535',
        'channels.mail.to.0: expected an email address such as alerts@example.com',
        expect.stringMatching(/^channels\.mail: Unrecognized key: "bogus"/),
        expect.stringMatching(/^channels\.hook\.headers\.Bad Header/),
        'channels.hook.headers.X-Ok: must be one line',
      ]),
    );
    expect(issues({ channels: { mail: { type: 'email', enabled: true } } })).toEqual([
      'channels.mail.host: required when the channel is enabled (set SMTP_HOST)',
      'channels.mail.from: required when the channel is enabled (set ALERT_EMAIL_FROM)',
      'channels.mail.to: at least one recipient is required (set ALERT_EMAIL_TO)',
    ]);
    expect(issues({ channels: { s: { type: 'slack', enabled: 'true' } } })).toEqual([
      'channels.s.url: required when the channel is enabled (set SLACK_WEBHOOK_URL)',
    ]);
    expect(issues({ outbox: { base_delay: '1h', max_delay: '1m' } })).toEqual([
      'outbox.max_delay: must not be shorter than base_delay (1h)',
    ]);
    expect(issues({ kibana_url: 'javascript:alert(1)' })).toEqual(['kibana_url: expected an http(s) URL']);
  });
});

describe('routeAlerts', () => {
  const cfg = alertsSchema.parse({
    channels: {
      email: {
        type: 'email',
        host: 'smtp',
        from: 'v@example.com',
        to: 'a@example.com',
        min_severity: 'medium',
      },
      slack: { type: 'slack', url: 'https://hooks.slack.com/x', min_severity: 'high' },
      off: { type: 'webhook', enabled: false, url: 'https://x' },
    },
  });

  it('makes one digest per channel, honouring min_severity, rule routing and enabled', () => {
    const low = makeAlert({ id: 'low', severity: 'low' });
    const medium = makeAlert({ id: 'medium', severity: 'medium' });
    const critical = makeAlert({ id: 'critical', severity: 'critical' });
    const slackOnly = makeAlert({ id: 'slack-only', severity: 'critical', channels: ['slack'] });
    const routed = routeAlerts([low, medium, critical, slackOnly], cfg.channels);
    expect([...routed.keys()]).toEqual(['email', 'slack']);
    expect(routed.get('email')?.map((a) => a.id)).toEqual(['medium', 'critical']);
    expect(routed.get('slack')?.map((a) => a.id)).toEqual(['critical', 'slack-only']);
    expect(unknownChannelNames([makeAlert({ channels: ['pager', 'slack'] })], cfg.channels)).toEqual([
      'pager',
    ]);
  });
});
