/**
 * Pure: ReportData → Vega-Lite specs. Every string that came from logs (IPs, user names) is
 * cleaned and capped before it becomes a label; the SVG renderer escapes it as text.
 */
import type { TopLevelSpec } from 'vega-lite';
import { cleanLine } from '../notify/sanitize';
import { SEVERITIES } from '../types';
import type { RankedEntity, ReportData } from './report-data';

export const SEVERITY_COLORS = {
  low: '#1a7f37',
  medium: '#9a6700',
  high: '#bc4c00',
  critical: '#cf222e',
} as const;
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const LABEL_MAX = 40;

export interface ChartSpec {
  id: string;
  title: string;
  /** one sentence under the chart: what it shows and how it was computed */
  caption: string;
  spec: TopLevelSpec;
}

const config = {
  font: FONT,
  background: 'white',
  view: { stroke: '#d0d7de' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eaeef2' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

const shortDay = (day: string) => day.slice(5);

/** Bars per report day, stacked by `stack` with fixed colours. */
function dailyStackedBars(
  data: ReportData,
  rows: { day: string; count: number }[],
  stack: { field: string; domain: string[]; range: string[]; legend: string | null },
  yTitle: string,
  height: number,
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config,
    width: 560,
    height,
    data: { values: rows.map((r) => ({ ...r, label: shortDay(r.day) })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: {
        field: 'label',
        type: 'ordinal',
        title: 'day',
        scale: { domain: data.period.days.map(shortDay) },
        axis: { labelAngle: 0 },
      },
      y: { field: 'count', type: 'quantitative', aggregate: 'sum', title: yTitle, axis: { tickMinStep: 1 } },
      color: {
        field: stack.field,
        type: 'nominal',
        scale: { domain: stack.domain, range: stack.range },
        legend: { title: stack.legend },
      },
      order: { field: stack.field, sort: 'descending' },
    },
  };
}

export function alertsChart(data: ReportData): ChartSpec {
  return {
    id: 'alerts-by-day',
    title: 'Alerts per day by severity',
    caption:
      'New and escalated alerts written by vigil scan/monitor; repeats inside the realert period are not counted.',
    spec: dailyStackedBars(
      data,
      data.alertsByDay,
      {
        field: 'severity',
        domain: [...SEVERITIES],
        range: SEVERITIES.map((s) => SEVERITY_COLORS[s]),
        legend: 'severity',
      },
      'alerts',
      220,
    ),
  };
}

/** Event volume per rule per day against the band mean ± 1σ of the days before. */
export function volumeChart(data: ReportData): ChartSpec {
  const active = new Set(data.rules.filter((r) => r.events > 0 || r.alerts > 0).map((r) => r.id));
  const values = data.volume.filter((v) => active.has(v.rule)).map((v) => ({ ...v, label: shortDay(v.day) }));
  return {
    id: 'volume-vs-baseline',
    title: 'Event volume per rule against its baseline',
    caption: `Events matching each rule's filter per day (line); the band is the mean ± 1σ of the previous ${data.baselineDays} days since the rule's first event (dashed: the mean). Rules without events are left out.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      config,
      data: { values },
      facet: {
        field: 'rule',
        type: 'nominal',
        title: null,
        header: { labelFontSize: 12, labelFontWeight: 'bold' },
      },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 200,
        height: 110,
        encoding: {
          x: {
            field: 'label',
            type: 'ordinal',
            title: null,
            scale: { domain: data.period.days.map(shortDay) },
            axis: { labelAngle: -45 },
          },
        },
        layer: [
          {
            mark: { type: 'area', color: '#0969da', opacity: 0.18 },
            encoding: { y: { field: 'low', type: 'quantitative', title: 'events' }, y2: { field: 'high' } },
          },
          {
            mark: { type: 'line', color: '#0969da', strokeDash: [4, 3], strokeWidth: 1 },
            encoding: { y: { field: 'mean', type: 'quantitative' } },
          },
          {
            mark: { type: 'line', color: '#cf222e', point: true, tooltip: true },
            encoding: { y: { field: 'count', type: 'quantitative' } },
          },
        ],
      },
    },
  };
}

function topChart(
  id: string,
  title: string,
  caption: string,
  field: string,
  rows: RankedEntity[],
): ChartSpec {
  return {
    id,
    title,
    caption,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      config,
      width: 460,
      height: { step: 22 },
      data: { values: rows.map((r) => ({ entity: cleanLine(r.value, LABEL_MAX), count: r.count })) },
      mark: { type: 'bar', color: '#bc4c00', tooltip: true },
      encoding: {
        y: { field: 'entity', type: 'nominal', sort: '-x', title: field, axis: { labelLimit: 320 } },
        x: { field: 'count', type: 'quantitative', title: 'events' },
      },
    },
  };
}

export function topIpsChart(data: ReportData): ChartSpec {
  return topChart(
    'top-source-ips',
    'Top 10 source IPs',
    'Events matching any rule, by source.ip, over the period.',
    'source.ip',
    data.topSourceIps,
  );
}

export function topUsersChart(data: ReportData): ChartSpec {
  return topChart(
    'top-users',
    'Top 10 users',
    'Events matching any rule, by user.name, over the period.',
    'user.name',
    data.topUsers,
  );
}

export function scheduleChart(data: ReportData): ChartSpec {
  return {
    id: 'business-vs-off-hours',
    title: 'Business hours vs off-hours',
    caption: `Events matching any rule per day, split by the calendar (${data.period.timezone}) in 15-minute slots.`,
    spec: dailyStackedBars(
      data,
      data.schedule,
      {
        field: 'schedule',
        domain: ['business hours', 'off-hours'],
        range: ['#54aeff', '#0a3069'],
        legend: null,
      },
      'events',
      200,
    ),
  };
}

export function failuresChart(data: ReportData): ChartSpec {
  return topChart(
    'failures-by-type',
    'Failures by type',
    'Failed events (event.outcome: failure) of every source, by event.action · event.dataset, over the period.',
    'action · dataset',
    data.failureTypes.slice(0, 10).map((f) => ({ value: `${f.action} · ${f.dataset}`, count: f.count })),
  );
}

export function reportCharts(data: ReportData): ChartSpec[] {
  return [
    alertsChart(data),
    volumeChart(data),
    topIpsChart(data),
    topUsersChart(data),
    scheduleChart(data),
    failuresChart(data),
  ];
}
