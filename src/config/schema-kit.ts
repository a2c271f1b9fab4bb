/** Small zod building blocks whose error messages read well after a config path. */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { parseDuration } from './duration';

export const positiveInt = () =>
  z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' })
    .max(1e12, { error: 'expected a positive integer below 1e12' });

export const positiveNumber = () =>
  z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .max(1e15, { error: 'expected a number below 1e15' });

/** "90s", "2m", "24h", "30d" → milliseconds. */
export const duration = (opts: { allowZero?: boolean } = {}) =>
  z.string({ error: 'expected a duration like 90s, 10m, 24h or 30d' }).transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === undefined || ms > 366 * 86_400_000 || (ms === 0 && !opts.allowZero)) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected a duration like 90s, 10m, 24h or 30d (at most 366d)',
        input: s,
      });
      return z.NEVER;
    }
    return ms;
  });

/** A rule's window: a duration of whole seconds (spans start on whole seconds: sliding-window.ts). */
export const windowDuration = () =>
  duration().refine((ms) => ms % 1000 === 0, {
    error: 'expected whole seconds, e.g. 90s or 2m; milliseconds given',
  });

export const timeOfDay = () =>
  z.string({ error: 'expected HH:MM' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected HH:MM' });

export const isoDate = () =>
  z
    .string({ error: 'expected a date YYYY-MM-DD' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD' });

export const timezone = () =>
  z
    .string({ error: 'expected an IANA time zone like Europe/Berlin' })
    .refine((s) => IANAZone.isValidZone(s), { error: 'expected an IANA time zone like Europe/Berlin' });

export const cronExpression = () =>
  z
    .string({ error: 'expected a cron expression' })
    .refine(
      (s) =>
        s.trim().split(/\s+/).length >= 5 && (require('node-cron') as typeof import('node-cron')).validate(s),
      {
        error: 'expected a cron expression like "*/5 * * * *"',
      },
    );

export const nonEmptyString = (what = 'a non-empty string') =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}` })
    .max(10_000, { error: `expected ${what} of at most 10000 characters` });

/** An empty string (from `${VAR:-}`) counts as not set. */
export const optionalString = () =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.string({ error: 'expected a string' }).optional(),
  );

export const fieldName = () =>
  z
    .string({ error: 'expected a field name' })
    .regex(/^[A-Za-z0-9_@][A-Za-z0-9_.@-]*$/, { error: 'expected a field name like source.ip' })
    .max(256);
