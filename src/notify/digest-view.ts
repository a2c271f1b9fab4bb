import { DateTime } from 'luxon';
import type { Alert, Finding } from '../types';
import { boundAlert } from './bound-alert';
import { describeAnomaly } from './describe-anomaly';
import type { Digest } from './digest';
import { buildDiscoverUrl } from './kibana';
import { highestSeverity } from './route';
import { cleanLine, cleanText } from './sanitize';
import { buildSubject } from './subject';

/**
 * The plain-data view every renderer (email HTML, email text, Slack) formats. All text here is
 * already bounded and stripped of controls, but NOT escaped: escaping belongs to each format.
 */
export interface FindingView {
  title: string;
  severity: string;
  severityUpper: string;
  rule: string;
  description: string;
  remediation: string;
  entity: { field: string; value: string }[];
  entityText: string;
  value: string;
  threshold: string;
  schedule: string;
  /** a recovery: the value is below the threshold */
  recovered: boolean;
  /** a recovery: when the episode first fired, in the calendar's zone */
  firingSince?: string;
  baseline?: string;
  /** anomaly rules: the score and the features that drove it */
  anomaly?: string;
  window: string;
  samples: { fields: { field: string; value: string }[] }[];
  discoverUrl?: string;
}

export interface DigestView {
  subject: string;
  severityUpper: string;
  test: boolean;
  summary: string;
  findings: FindingView[];
  /** findings left out of the message because of its size cap */
  omitted: number;
  /** when findings are left out: how many there are in all, and where to see the rest */
  omittedNote?: string;
  alertIds: string[];
}

/** Findings shown in one message; the rest are counted in `omitted`. */
export const MAX_FINDINGS_PER_MESSAGE = 50;
/** The default of `state.alerts_index`, for callers that do not pass theirs. */
export const DEFAULT_ALERTS_INDEX = 'vigil-alerts';

export interface DigestViewOptions {
  kibanaUrl?: string;
  maxFindings?: number;
  /** the `state.alerts_index` prefix, named where the findings left out can be seen */
  alertsIndex?: string;
}

/** What a renderer (email, Slack) takes from the sender. */
export type RenderOptions = Pick<DigestViewOptions, 'kibanaUrl' | 'alertsIndex'>;

export function buildDigestView(digest: Digest, options: DigestViewOptions = {}): DigestView {
  const alerts = digest.alerts.map(boundAlert);
  const max = options.maxFindings ?? MAX_FINDINGS_PER_MESSAGE;
  const shown = alerts.slice(0, max);
  const test = digest.test === true;
  return {
    subject: buildSubject(alerts, { test }),
    severityUpper: test ? 'TEST' : highestSeverity(alerts).toUpperCase(),
    test,
    summary: summarize(alerts, test),
    findings: shown.map((a) => buildFindingView(a, options.kibanaUrl)),
    omitted: alerts.length - shown.length,
    omittedNote: describeOmitted(alerts, shown.length, options.alertsIndex ?? DEFAULT_ALERTS_INDEX),
    alertIds: alerts.map((a) => a.id),
  };
}

/**
 * The line under a message that could not show every finding: the total, and where all of them
 * are (`vigil alerts`, the alerts index, and a dry-run replay of the windows the findings span).
 */
export function describeOmitted(
  alerts: readonly Pick<Alert, 'window'>[],
  shown: number,
  alertsIndex: string,
): string | undefined {
  const rest = alerts.length - shown;
  if (rest <= 0) return undefined;
  const from = alerts.map((a) => a.window.start).sort()[0];
  const to = alerts
    .map((a) => a.window.end)
    .sort()
    .at(-1);
  const index = cleanLine(alertsIndex, 100);
  const limit = alerts.length > 100 ? ` --limit ${Math.min(alerts.length, 10_000)}` : '';
  return (
    `This message shows ${shown} of ${alerts.length} findings; see \`vigil alerts --since ${cleanLine(from, 40)}${limit}\` ` +
    `for the rest (they are in the alerts index ${index}-*, state.alerts_index; browse it in Kibana), and ` +
    `\`vigil scan --dry-run --format json --from ${cleanLine(from, 40)} --to ${cleanLine(to, 40)}\` lists them again.`
  );
}

function summarize(alerts: readonly Alert[], test: boolean): string {
  if (test) return 'This is a test message from vigil (vigil test-alert). No action is needed.';
  const rules = new Set(alerts.map((a) => a.rule)).size;
  const f = alerts.length === 1 ? '1 finding' : `${alerts.length} findings`;
  return `${f} from ${rules === 1 ? '1 rule' : `${rules} rules`}.`;
}

export function buildFindingView(alert: Alert, kibanaUrl?: string): FindingView {
  const entity = Object.entries(alert.entity).map(([field, value]) => ({
    field: cleanLine(field, 64),
    value: cleanLine(value),
  }));
  return {
    title: cleanLine(alert.title, 200),
    severity: alert.severity,
    severityUpper: alert.severity.toUpperCase(),
    rule: cleanLine(alert.rule, 128),
    description: cleanText(alert.description, 2000),
    remediation: cleanText(alert.remediation, 2000),
    entity,
    entityText: entity.length ? entity.map((e) => `${e.field}=${e.value}`).join(', ') : '(all events)',
    value: formatNumber(alert.value),
    threshold: formatNumber(alert.threshold),
    schedule: alert.schedule === 'off_hours' ? 'off-hours' : 'business hours',
    recovered: alert.status === 'recovered',
    firingSince: alert.firing_since ? formatInstant(alert.firing_since, alert.timezone) : undefined,
    baseline: alert.baseline ? describeBaseline(alert.baseline) : undefined,
    anomaly: alert.anomaly ? describeAnomaly(alert.anomaly) : undefined,
    window: formatWindow(alert.window, alert.timezone),
    samples: alert.samples.map((s) => ({
      fields: flattenSample(s).map(([field, value]) => ({
        field: cleanLine(field, 64),
        value: cleanLine(value),
      })),
    })),
    discoverUrl: kibanaUrl ? buildDiscoverUrl(kibanaUrl, alert) : undefined,
  };
}

function describeBaseline(b: NonNullable<Finding['baseline']>): string {
  const parts = [`expected about ${formatNumber(b.expected)}`, `${formatNumber(b.ratio)}× the usual`];
  if (b.sigma !== undefined) parts.push(`${formatNumber(b.sigma)}σ above the mean`);
  parts.push(`from ${b.samples} samples`);
  return parts.join(', ');
}

/** `2024-03-10 01:50 – 02:00 EST (America/New_York)`; the end shows its own offset across DST. */
export function formatWindow(window: Finding['window'], timezone: string): string {
  const zone = DateTime.now().setZone(timezone).isValid ? timezone : 'UTC';
  const start = DateTime.fromISO(window.start, { zone: 'utc' }).setZone(zone);
  const end = DateTime.fromISO(window.end, { zone: 'utc' }).setZone(zone);
  if (!start.isValid || !end.isValid) return cleanLine(`${window.start} – ${window.end}`, 120);
  const sameDay = start.hasSame(end, 'day');
  const endText = end.toFormat(sameDay ? 'HH:mm' : 'yyyy-LL-dd HH:mm');
  const startZone = start.offsetNameShort || start.toFormat('ZZ');
  const endZone = end.offsetNameShort || end.toFormat('ZZ');
  const zones = startZone === endZone ? endZone : `${startZone}/${endZone}`;
  return `${start.toFormat('yyyy-LL-dd HH:mm')} – ${endText} ${zones} (${zone})`;
}

/** `2024-03-08 02:00 EST (America/New_York)` */
export function formatInstant(iso: string, timezone: string): string {
  const zone = DateTime.now().setZone(timezone).isValid ? timezone : 'UTC';
  const t = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  if (!t.isValid) return cleanLine(iso, 64);
  return `${t.toFormat('yyyy-LL-dd HH:mm')} ${t.offsetNameShort || t.toFormat('ZZ')} (${zone})`;
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, '');
}

/** Nested sample documents become `a.b.c: value` pairs. */
function flattenSample(doc: Record<string, unknown>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(doc)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      out.push(...flattenSample(v as Record<string, unknown>, key));
    else out.push([key, v]);
  }
  return out.slice(0, 24);
}
