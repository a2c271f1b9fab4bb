/**
 * Pure checks of what an operator types into `vigil silence add` and `vigil ack`: comments,
 * authors and matchers are input like any other. Each problem is one line naming the flag.
 * Bounds keep a silence or an ack small enough to show in a table and store in the state index.
 */

import { parseDuration } from '../config/duration';
import { nearest } from '../config/format-issues';
import { SEVERITIES } from '../types';
import type { EntityMatcher, SilenceMatchers } from './match-silence';
import { hasWildcard, isAddressField, parseCidr } from './match-value';

export const COMMENT_MAX = 1000;
export const AUTHOR_MAX = 100;
export const MATCHER_VALUE_MAX = 256;
export const ENTITY_MATCHERS_MAX = 10;
/** silences not yet ended, at most: each cycle reads them all and matches every finding */
export const SILENCES_MAX = 1000;
/** a silence lasts at most this long: a forgotten silence must end by itself */
export const SILENCE_MAX_MS = 90 * 86_400_000;

// C0 and C1 controls (ESC starts terminal sequences), bidi overrides, line/paragraph separators
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const FIELD = /^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,255}$/;

/** A free text (comment, author): trimmed, non-empty, bounded, without control characters. */
export function checkText(
  flag: string,
  value: string | undefined,
  max: number,
  hint = '',
): { value?: string; problem?: string } {
  const text = (value ?? '').trim();
  if (!text) return { problem: `${flag}: missing${hint ? `; ${hint}` : ''}` };
  if (UNSAFE.test(text)) return { problem: `${flag}: control characters are not allowed` };
  if (Array.from(text).length > max) return { problem: `${flag}: at most ${max} characters` };
  return { value: text };
}

/** `source.ip=198.51.100.7`, `user.name=backup-*`, `source.ip=10.0.0.0/8` */
export function parseEntityMatcher(text: string): { matcher?: EntityMatcher; problem?: string } {
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  if (UNSAFE.test(text)) return { problem: `--entity: ${shown}: control characters are not allowed` };
  const eq = text.indexOf('=');
  if (eq < 0) return { problem: `--entity: ${shown} needs field=value, e.g. source.ip=198.51.100.7` };
  const field = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  if (!field || !value)
    return { problem: `--entity: ${shown} needs field=value, e.g. source.ip=198.51.100.7` };
  if (!FIELD.test(field))
    return { problem: `--entity: ${shown}: "${field}" is not a field name like source.ip` };
  if (value.length > MATCHER_VALUE_MAX)
    return { problem: `--entity: ${shown}: the value is longer than ${MATCHER_VALUE_MAX} characters` };
  if (isAddressField(field) && !hasWildcard(value) && !parseCidr(value))
    return {
      problem: `--entity: ${shown}: "${value}" is not an address or CIDR range (e.g. 198.51.100.7 or 10.0.5.0/24)`,
    };
  return { matcher: { field, value } };
}

/** The matchers of a new silence, or its problems. `rules`: the ids of the loaded rules. */
export function parseMatchers(
  input: { rule?: string; severity?: string; entity: string[] },
  rules: string[],
): { matchers?: SilenceMatchers; problems: string[] } {
  const problems: string[] = [];
  const entity: EntityMatcher[] = [];
  for (const e of input.entity) {
    const r = parseEntityMatcher(e);
    if (r.problem) problems.push(r.problem);
    else if (r.matcher) entity.push(r.matcher);
  }
  if (input.entity.length > ENTITY_MATCHERS_MAX)
    problems.push(`--entity: at most ${ENTITY_MATCHERS_MAX} matchers`);
  const rule = input.rule?.trim();
  if (rule !== undefined) {
    if (!/^[a-z0-9_*?]{1,64}$/.test(rule))
      problems.push(`--rule: ${JSON.stringify(rule.slice(0, 80))} is not a rule id or a pattern like ssh_*`);
    else if (!hasWildcard(rule) && !rules.includes(rule)) {
      const near = nearest(rule, rules);
      problems.push(`--rule: no rule "${rule}"${near ? `, did you mean "${near}"?` : ''}`);
    }
  }
  const severity = input.severity?.trim();
  if (
    severity !== undefined &&
    !hasWildcard(severity) &&
    !(SEVERITIES as readonly string[]).includes(severity)
  )
    problems.push(
      `--severity: expected ${SEVERITIES.join(', ')}, got ${JSON.stringify(severity.slice(0, 40))}`,
    );
  if (rule === undefined && severity === undefined && input.entity.length === 0)
    problems.push('a silence needs at least one matcher: --rule, --severity or --entity');
  if (problems.length) return { problems };
  return {
    matchers: {
      ...(rule !== undefined ? { rule } : {}),
      ...(severity !== undefined ? { severity } : {}),
      entity,
    },
    problems,
  };
}

/** When a silence starting at `nowMs` ends: `--for 8h` or `--until <ISO instant>`; default 1h. */
export function silenceEnd(
  input: { for?: string; until?: string },
  nowMs: number,
): { endMs?: number; problem?: string } {
  if (input.for !== undefined && input.until !== undefined)
    return { problem: '--for and --until: give one of them, not both' };
  let end: number;
  if (input.until !== undefined) {
    // an instant needs its zone: "2026-12-05T18:00" alone would be read in the local zone
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(input.until))
      return {
        problem: `--until: expected an ISO instant with its zone like 2026-12-05T18:00:00Z, got ${JSON.stringify(input.until.slice(0, 40))}`,
      };
    end = Date.parse(input.until);
    if (Number.isNaN(end))
      return { problem: `--until: ${JSON.stringify(input.until)} is not a valid instant` };
    if (end <= nowMs) return { problem: `--until: ${input.until} is not in the future` };
  } else {
    const ms = parseDuration(input.for ?? '1h');
    if (ms === undefined || ms <= 0)
      return {
        problem: `--for: expected a duration like 30m, 8h or 2d, got ${JSON.stringify((input.for ?? '').slice(0, 40))}`,
      };
    end = nowMs + ms;
  }
  if (end - nowMs > SILENCE_MAX_MS)
    return { problem: `${input.until !== undefined ? '--until' : '--for'}: a silence lasts at most 90d` };
  return { endMs: end };
}
