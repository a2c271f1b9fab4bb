/** `vigil report`: collect → chart → HTML file and/or email. Named phases, timed for the audit log. */
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/context';
import type { AuditLog } from '../audit/audit-log';
import { reportCharts } from './chart-specs';
import { collectReport } from './collect-report';
import { renderSvg, svgToPng } from './render-charts';
import { cidFor, renderReportHtml, renderReportText, reportTitle } from './render-html';
import type { ReportData } from './report-data';
import { emailChannel, sendReportMail } from './send-report';

export interface RunReportOptions {
  days: number;
  out?: string;
  email?: string;
  nowMs: number;
}

export interface ReportResult {
  data: ReportData;
  file?: string;
  emailedTo?: string;
  timings: Record<string, number>;
}

export async function runReport(
  ctx: AppContext,
  audit: AuditLog,
  opts: RunReportOptions,
): Promise<ReportResult> {
  const cfg = ctx.loaded.config;
  // fail on a wrong --email before querying anything
  const channel = opts.email ? emailChannel(cfg.alerts, opts.email) : undefined;
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = Math.round(performance.now() - t0);
    }
  };

  const data = await timed('query', () =>
    collectReport(ctx.client, ctx.rules, {
      days: opts.days,
      nowMs: opts.nowMs,
      calendar: cfg.calendar,
      alertsIndex: cfg.state.alerts_index,
    }),
  );
  const charts = await timed('chart', () => Promise.all(reportCharts(data).map(renderSvg)));
  const html = renderReportHtml(data, charts, 'file');
  const result: ReportResult = { data, timings };
  if (opts.out) {
    const file = path.resolve(opts.out);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, html);
    result.file = file;
  }
  if (opts.email && channel) {
    const images = await timed('png', () =>
      charts.map((c) => ({ id: c.id, cid: cidFor(c.id), png: svgToPng(c.svg) })),
    );
    await timed('notify', () =>
      sendReportMail(
        opts.email as string,
        channel,
        {
          subject: `[vigil] ${reportTitle(data)}`,
          html: renderReportHtml(data, charts, 'email'),
          text: renderReportText(data),
          images,
          attachmentHtml: html,
          key: `${data.period.days[0]}/${data.period.days[data.period.days.length - 1]}/${cfg.state.alerts_index}`,
        },
        audit,
      ),
    );
    result.emailedTo = opts.email;
  }
  audit.record('report', {
    days: opts.days,
    period: {
      start: new Date(data.period.startMs).toISOString(),
      end: new Date(data.period.endMs).toISOString(),
    },
    file: result.file,
    email: result.emailedTo,
    warnings: data.warnings,
    phases_ms: timings,
  });
  return result;
}
