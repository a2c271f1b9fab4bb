/**
 * The report as HTML, self-contained (no script, no external file: it works offline), in two forms:
 * `file` embeds the charts as inline SVG; `email` references PNG attachments by Content-ID.
 * Every value from logs is cleaned (control and bidi characters, length) and HTML-escaped.
 */
import { DateTime } from 'luxon';
import { cleanLine } from '../notify/sanitize';
import { SEVERITIES } from '../types';
import { SEVERITY_COLORS } from './chart-specs';
import type { RenderedChart } from './render-charts';
import type { ReportData } from './report-data';

export function escapeHtml(value: unknown, max = 200): string {
  return cleanLine(value, max).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const NEW_ROWS = 25;

export function cidFor(chartId: string): string {
  return `${chartId}@vigil-report`;
}

export function reportTitle(data: ReportData): string {
  const first = data.period.days[0];
  const last = data.period.days[data.period.days.length - 1];
  return `vigil security report ${first} – ${last}`;
}

export function alertTotals(data: ReportData): Record<string, number> {
  const totals: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const a of data.alertsByDay) totals[a.severity] += a.count;
  return totals;
}

const STYLE = `body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;color:#1f2328;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;font-size:13px}.cards span{display:inline-block;margin:8px 12px 0 0;padding:6px 12px;border-radius:6px;color:#fff;font-weight:bold}
figure{margin:12px 0}figcaption{color:#57606a;font-size:12px;margin-top:4px}
table{border-collapse:collapse;font-size:12px;margin-top:8px}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f6f8fa}td.n{text-align:right}.warn{color:#9a6700}.empty{color:#57606a;font-style:italic}`;

function chartBlock(c: RenderedChart, mode: 'file' | 'email'): string {
  const body =
    mode === 'file'
      ? c.svg
      : `<img src="cid:${escapeHtml(cidFor(c.id))}" alt="${escapeHtml(c.title)}" style="max-width:100%">`;
  return `<figure class="chart" id="chart-${escapeHtml(c.id)}" data-chart="${escapeHtml(c.id)}">${body}<figcaption>${escapeHtml(c.caption, 400)}</figcaption></figure>`;
}

function table(head: string[], rows: (string | number)[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const cell = (v: string | number) =>
    typeof v === 'number' ? `<td class="n">${v}</td>` : `<td>${escapeHtml(v)}</td>`;
  return `<table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</table>`;
}

export function renderReportHtml(data: ReportData, charts: RenderedChart[], mode: 'file' | 'email'): string {
  const chart = (id: string) => {
    const c = charts.find((x) => x.id === id);
    return c ? chartBlock(c, mode) : '';
  };
  const totals = alertTotals(data);
  const days = data.period.days;
  const perRule = new Map<string, Map<string, number>>();
  for (const r of data.alertsByRuleDay) {
    const m = perRule.get(r.rule) ?? new Map<string, number>();
    m.set(r.day, r.count);
    perRule.set(r.rule, m);
  }
  const ruleRows = [...perRule].map(([rule, m]) => [
    rule,
    ...days.map((d) => m.get(d) ?? 0),
    days.reduce((a, d) => a + (m.get(d) ?? 0), 0),
  ]);
  const sched = { business: 0, off: 0 };
  for (const s of data.schedule) sched[s.schedule === 'business hours' ? 'business' : 'off'] += s.count;
  const local = (iso: string) =>
    DateTime.fromISO(iso, { zone: data.period.timezone }).toFormat('yyyy-MM-dd HH:mm');
  const title = reportTitle(data);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${days.length} days in ${escapeHtml(data.period.timezone)}, generated ${escapeHtml(local(data.generatedAt))} by vigil report</p>
<div class="cards">${SEVERITIES.slice()
    .reverse()
    .map((s) => `<span style="background:${SEVERITY_COLORS[s]}">${totals[s]} ${s}</span>`)
    .join('')}</div>
${data.warnings.length ? `<p class="warn">Some searches failed; their sections may be incomplete:<br>${data.warnings.map((w) => escapeHtml(w, 300)).join('<br>')}</p>` : ''}
<h2>Alerts</h2>
${chart('alerts-by-day')}
${table(['rule', ...days.map((d) => d.slice(5)), 'total'], ruleRows, 'No alerts in this period.')}
<h2>Event volume against baseline</h2>
${chart('volume-vs-baseline')}
<h2>Top source IPs and users</h2>
${chart('top-source-ips')}
${chart('top-users')}
<h2>Business hours vs off-hours</h2>
${chart('business-vs-off-hours')}
<p>${sched.business} events in business hours, ${sched.off} off-hours.</p>
<h2>New this week</h2>
<p class="meta">Source IPs and users seen in this period and not in the ${data.newEntityLookbackDays} days before.</p>
${table(
  ['field', 'value', 'first seen', 'events'],
  data.newEntities.slice(0, NEW_ROWS).map((e) => [e.field, e.value, local(e.firstSeen), e.count]),
  'No new source IPs or users.',
)}
${data.newEntities.length > NEW_ROWS ? `<p class="meta">… and ${data.newEntities.length - NEW_ROWS} more (busiest first per field).</p>` : ''}
<h2>Failures by type</h2>
${chart('failures-by-type')}
${table(
  ['action', 'outcome', 'dataset', 'events', 'latest messages'],
  data.failureTypes.map((f) => [f.action, f.outcome, f.dataset, f.count, f.messages.join(' | ')]),
  'No failed events in this period.',
)}
<h2>Anomaly alerts</h2>
<p class="meta">Alerts of the anomaly rules (an Isolation Forest over each entity's hour), highest score first.</p>
${table(
  ['time', 'rule', 'entity', 'score', 'why'],
  data.anomalyAlerts.map((a) => [local(a.at), a.rule, a.entity, a.score, a.why]),
  'No anomaly alerts in this period.',
)}
<h2>Rules</h2>
${table(
  ['rule', 'title', 'severity', 'alerts', 'events'],
  data.rules
    .filter((r) => r.alerts > 0 || r.events > 0)
    .map((r) => [r.id, r.title, r.severity, r.alerts, r.events]),
  'No rule matched any event.',
)}
</body></html>
`;
}

/** The plain-text part of the report email. */
export function renderReportText(data: ReportData): string {
  const totals = alertTotals(data);
  const lines = [
    reportTitle(data),
    '',
    `Alerts: ${SEVERITIES.map((s) => `${totals[s]} ${s}`).join(', ')}`,
    '',
  ];
  const perRule = new Map<string, number>();
  for (const r of data.alertsByRuleDay) perRule.set(r.rule, (perRule.get(r.rule) ?? 0) + r.count);
  for (const [rule, n] of [...perRule].sort((a, b) => b[1] - a[1]))
    lines.push(`  ${cleanLine(rule, 64)}: ${n}`);
  lines.push('', 'Top source IPs:');
  for (const e of data.topSourceIps) lines.push(`  ${cleanLine(e.value, 64)}  ${e.count}`);
  lines.push('', 'Top users:');
  for (const e of data.topUsers) lines.push(`  ${cleanLine(e.value, 64)}  ${e.count}`);
  lines.push('', `New source IPs and users: ${data.newEntities.length}`);
  for (const e of data.newEntities.slice(0, 20))
    lines.push(`  ${e.field} ${cleanLine(e.value, 64)} (first seen ${e.firstSeen})`);
  lines.push('', 'Failures by type (action / outcome / dataset):');
  for (const f of data.failureTypes.slice(0, 10))
    lines.push(
      `  ${f.action} / ${f.outcome} / ${f.dataset}: ${f.count}${f.messages[0] ? ` (latest: ${f.messages[0]})` : ''}`,
    );
  lines.push('', `Anomaly alerts: ${data.anomalyAlerts.length}`);
  for (const a of data.anomalyAlerts.slice(0, 10)) lines.push(`  ${a.at} ${a.rule} ${a.entity}: ${a.why}`);
  lines.push('', 'The charts are in the HTML part of this message.');
  return `${lines.join('\n')}\n`;
}
