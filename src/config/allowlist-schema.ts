/**
 * `allowlist:` of a source group or a rule override: field → values whose events the rules never
 * see. An address field (`source.ip`, anything ending in `.ip`) takes addresses and CIDR ranges
 * (IPv4 and IPv6); any other field takes exact values or wildcard patterns (`backup-*`).
 */
import { z } from 'zod';
import { isAddressField, parseCidr } from '../evaluate/match-value';
import { fieldName } from './schema-kit';

/** Bounds: an allowlist is a short list people maintain, not a blocklist feed. */
export const ALLOWLIST_MAX_VALUES = 1000;
const VALUE_MAX = 256;
// C0 and C1 controls: invisible in a config review, never a real log value to allow
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const allowValue = z
  .union([z.string(), z.number().transform(String)], { error: 'expected a value (a string)' })
  .pipe(
    z
      .string()
      .min(1, { error: 'expected a non-empty value' })
      .max(VALUE_MAX, { error: `expected a value of at most ${VALUE_MAX} characters` })
      .refine((v) => !CONTROL.test(v), { error: 'expected a value without control characters' })
      .refine((v) => v.trim() === v, { error: 'expected a value without surrounding spaces' }),
  );

export const allowlistSchema = z
  .record(
    fieldName(),
    z
      .array(allowValue, { error: 'expected a list of values' })
      .min(1, { error: 'expected at least one value (or leave the field out)' })
      .max(ALLOWLIST_MAX_VALUES, { error: `expected at most ${ALLOWLIST_MAX_VALUES} values` }),
    { error: 'expected a mapping of field → list of values, e.g. {source.ip: [10.0.5.0/24]}' },
  )
  .superRefine((list, ctx) => {
    for (const [field, values] of Object.entries(list)) {
      if (!isAddressField(field)) continue;
      values.forEach((v, i) => {
        if (!parseCidr(v))
          ctx.addIssue({
            code: 'custom',
            path: [field, i],
            message: `"${v}" is not a CIDR range (expected an address like 10.0.5.7 or a range like 10.0.5.0/24 or 2001:db8::/32)`,
          });
      });
    }
  });

export type Allowlist = z.output<typeof allowlistSchema>;

/** The group's allowlist and the rule's own together: both apply. */
export function mergeAllowlists(...lists: (Allowlist | undefined)[]): Allowlist {
  const out: Allowlist = {};
  for (const list of lists)
    for (const [field, values] of Object.entries(list ?? {}))
      out[field] = [...new Set([...(out[field] ?? []), ...values])];
  return out;
}
