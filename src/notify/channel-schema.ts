import { z } from 'zod';
import { formatDuration } from '../config/duration';
import { duration } from '../config/schema-kit';
import { SEVERITIES } from '../types';

/**
 * The `alerts:` section of config.yaml. The config loader substitutes `${ENV}` / `${ENV:-default}`
 * and `*_file` secrets before validation, so values may arrive as strings ("587", "true",
 * "a@x, b@y"); the schema accepts those forms.
 *
 * A channel whose `enabled` is left out is active when its endpoint is set (email `host`, slack
 * and webhook `url`), so `host: ${SMTP_HOST:-}` turns email on exactly when SMTP_HOST is set.
 */

const durationOr = (fallback: string) => duration().prefault(fallback);

const bool = (fallback?: boolean) => {
  const base = z.union([z.boolean(), z.enum(['true', 'false', 'yes', 'no', '1', '0', ''])]).transform((v) => {
    if (typeof v === 'boolean') return v;
    if (v === '') return undefined;
    return v === 'true' || v === 'yes' || v === '1';
  });
  return fallback === undefined ? base.optional() : base.default(fallback).transform((v) => v ?? fallback);
};

const port = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*\d+\s*$/, 'expected a port number')
      .transform(Number),
  ])
  .pipe(
    z
      .number()
      .int()
      .min(1, 'expected a port between 1 and 65535')
      .max(65535, 'expected a port between 1 and 65535'),
  );

const oneLine = z.string().refine((s) => !/[\r\n]/.test(s), { message: 'must be one line' });

const address = z
  .string()
  .trim()
  .refine((s) => /^[^\s@<>]+@[^\s@<>]+$|^[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>$/.test(s), {
    message: 'expected an email address such as alerts@example.com',
  });

/** `to: [a@x, b@y]` or `to: "a@x, b@y"` (as ALERT_EMAIL_TO reads). */
const addressList = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(address));

const httpUrl = z
  .string()
  .trim()
  .refine((s) => s === '' || /^https?:\/\/[^\s]+$/i.test(s), { message: 'expected an http(s) URL' });

const common = {
  enabled: bool(),
  min_severity: z.enum(SEVERITIES).default('low'),
};

const emailChannel = z
  .object({
    type: z.literal('email'),
    ...common,
    host: z.string().trim().default(''),
    port: port.default(587),
    /** SMTPS (implicit TLS, usually port 465) */
    secure: bool(false),
    /** refuse to send unless the server upgrades to TLS with STARTTLS */
    require_tls: bool(true),
    username: oneLine.optional(),
    password: z.string().optional(),
    tls: z
      .object({ ca_file: z.string().optional(), verify: bool(true) })
      .strict()
      .prefault({}),
    from: z.string().trim().default(''),
    to: addressList,
    cc: addressList,
    timeout: durationOr('30s'),
  })
  .strict();

const slackChannel = z
  .object({ type: z.literal('slack'), ...common, url: httpUrl.default(''), timeout: durationOr('10s') })
  .strict();

const headerName = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const webhookChannel = z
  .object({
    type: z.literal('webhook'),
    ...common,
    url: httpUrl.default(''),
    secret: z.string().optional(),
    headers: z.record(z.string().regex(headerName, 'expected an HTTP header name'), oneLine).default({}),
    timeout: durationOr('10s'),
  })
  .strict();

const endpointOf = (c: { type: string; host?: string; url?: string }) =>
  (c.type === 'email' ? c.host : c.url) ?? '';

export const channelSchema = z
  .discriminatedUnion('type', [emailChannel, slackChannel, webhookChannel])
  .superRefine((c, ctx) => {
    const active = c.enabled ?? endpointOf(c) !== '';
    if (!active) return;
    const missing = (path: string, what: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message: what });
    if (c.type === 'email') {
      if (!c.host) missing('host', 'required when the channel is enabled (set SMTP_HOST)');
      if (!c.from) missing('from', 'required when the channel is enabled (set ALERT_EMAIL_FROM)');
      else if (!address.safeParse(c.from).success)
        missing('from', 'expected an email address such as alerts@example.com');
      if (c.to.length === 0) missing('to', 'at least one recipient is required (set ALERT_EMAIL_TO)');
      if (c.password && !c.username) missing('username', 'required when password is set');
    } else if (!c.url) {
      missing(
        'url',
        `required when the channel is enabled (set ${c.type === 'slack' ? 'SLACK_WEBHOOK_URL' : 'ALERT_WEBHOOK_URL'})`,
      );
    }
  })
  .transform((c) => ({ ...c, enabled: c.enabled ?? endpointOf(c) !== '' }));

export const alertsSchema = z
  .object({
    kibana_url: httpUrl.optional().transform((s) => (s ? s.replace(/\/+$/, '') : undefined)),
    outbox: z
      .object({
        max_age: durationOr('48h'),
        base_delay: durationOr('30s'),
        max_delay: durationOr('30m'),
        /** how long an entry stays claimed (`sending`) before a crashed sender's entry is due again */
        claim_timeout: durationOr('5m'),
      })
      .strict()
      .prefault({}),
    channels: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]+$/, 'channel names use letters, digits, _ and -'),
        channelSchema,
      )
      .default({}),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.outbox.max_delay < a.outbox.base_delay) {
      ctx.addIssue({
        code: 'custom',
        path: ['outbox', 'max_delay'],
        message: `must not be shorter than base_delay (${formatDuration(a.outbox.base_delay)})`,
      });
    }
  });

export type ChannelConfig = z.output<typeof channelSchema>;
export type EmailChannelConfig = Extract<ChannelConfig, { type: 'email' }>;
export type SlackChannelConfig = Extract<ChannelConfig, { type: 'slack' }>;
export type WebhookChannelConfig = Extract<ChannelConfig, { type: 'webhook' }>;
export type AlertsConfig = z.output<typeof alertsSchema>;
export type OutboxSettings = AlertsConfig['outbox'];
/** What a user writes under `alerts:` (before defaults and parsing). */
export type AlertsConfigInput = z.input<typeof alertsSchema>;
