/**
 * Pure silence semantics (after Alertmanager): a silence is active from its start until its end,
 * `start ≤ now < end`, so at the instant it ends it no longer silences anything. It matches an
 * alert when every matcher it has matches: the rule id and the severity (exact or wildcard), and
 * each entity matcher a field of the alert's entity (an address or CIDR range for address fields,
 * an exact value or a wildcard pattern otherwise). Time is always passed in.
 */
import type { Finding } from '../types';
import { valueMatches, wildcardRegExp } from './match-value';

export interface EntityMatcher {
  field: string;
  value: string;
}

export interface SilenceMatchers {
  /** rule id or wildcard pattern */
  rule?: string;
  /** severity or wildcard pattern */
  severity?: string;
  /** all must match; a field the alert's entity lacks does not match */
  entity: EntityMatcher[];
}

export interface Silence {
  id: string;
  matchers: SilenceMatchers;
  created_by: string;
  comment: string;
  /** ISO instants */
  created_at: string;
  starts_at: string;
  ends_at: string;
  /** set by `vigil silence expire`: who ended it early */
  expired_by?: string;
}

export function isSilenceActive(s: Pick<Silence, 'starts_at' | 'ends_at'>, nowMs: number): boolean {
  return Date.parse(s.starts_at) <= nowMs && nowMs < Date.parse(s.ends_at);
}

const patternMatches = (pattern: string | undefined, value: string): boolean =>
  pattern === undefined || wildcardRegExp(pattern).test(value);

/** Whether the silence's matchers match the alert (its activity aside). */
export function silenceMatches(
  matchers: SilenceMatchers,
  alert: Pick<Finding, 'rule' | 'severity' | 'entity'>,
): boolean {
  if (!patternMatches(matchers.rule, alert.rule)) return false;
  if (!patternMatches(matchers.severity, alert.severity)) return false;
  return matchers.entity.every(
    (m) => alert.entity[m.field] !== undefined && valueMatches(m.field, alert.entity[m.field], m.value),
  );
}

/**
 * The silence active at `nowMs` that matches the alert, if any; of several, the one that ends
 * last (then the smallest id), so the same alert gets the same silence on every instance.
 */
export function findSilence(
  silences: Silence[],
  alert: Pick<Finding, 'rule' | 'severity' | 'entity'>,
  nowMs: number,
): Silence | undefined {
  let best: Silence | undefined;
  for (const s of silences) {
    if (!isSilenceActive(s, nowMs) || !silenceMatches(s.matchers, alert)) continue;
    const later =
      best === undefined || s.ends_at > best.ends_at || (s.ends_at === best.ends_at && s.id < best.id);
    if (later) best = s;
  }
  return best;
}
