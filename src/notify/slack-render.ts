import type { Digest } from './digest';
import { buildDigestView, type FindingView, type RenderOptions } from './digest-view';
import { capLength } from './sanitize';

/** A Slack incoming-webhook payload (Block Kit). */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}
export type SlackText = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'actions'; elements: { type: 'button'; text: SlackText; url: string }[] }
  | { type: 'divider' };

/** Slack allows 50 blocks; each finding takes up to 4. */
export const SLACK_MAX_FINDINGS = 10;
const SECTION_MAX = 3000;
const FIELD_TEXT_MAX = 2000;
const HEADER_MAX = 150;
const URL_MAX = 3000;

/** Escapes Slack's control characters so log content cannot form links or mentions (<!channel>). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes, then shortens the raw text until the escaped form fits (never cutting an entity). */
function fitEscaped(text: string, max: number): string {
  let len = max;
  let out = escapeMrkdwn(capLength(text, len));
  while (out.length > max && len > 1) {
    len -= out.length - max;
    out = escapeMrkdwn(capLength(text, len));
  }
  return out;
}

const md = (text: string, max = SECTION_MAX): SlackText => ({ type: 'mrkdwn', text: capLength(text, max) });

export function renderSlack(digest: Digest, options: RenderOptions = {}): SlackMessage {
  const view = buildDigestView(digest, { ...options, maxFindings: SLACK_MAX_FINDINGS });
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: fitEscaped(view.subject, HEADER_MAX), emoji: false },
    },
    { type: 'context', elements: [md(escapeMrkdwn(view.summary))] },
  ];
  for (const f of view.findings) blocks.push(...findingBlocks(f));
  if (view.omittedNote) blocks.push({ type: 'context', elements: [md(escapeMrkdwn(view.omittedNote))] });
  blocks.push({
    type: 'context',
    elements: [md(escapeMrkdwn(`vigil · alert ids ${view.alertIds.join(', ')}`), 2000)],
  });
  return { text: escapeMrkdwn(view.subject), blocks };
}

function findingBlocks(f: FindingView): SlackBlock[] {
  const e = escapeMrkdwn;
  const head = `*${f.severityUpper}* · *${e(f.title)}*${f.description ? `\n${e(f.description)}` : ''}`;
  const fields: SlackText[] = [
    md(`*Entity*\n${e(f.entityText)}`, FIELD_TEXT_MAX),
    md(
      f.recovered
        ? `*Value*\n${f.value} ${e('<')} ${f.threshold} (below the threshold, ${f.schedule})`
        : `*Value*\n${f.value} (threshold ${f.threshold}, ${f.schedule})`,
      FIELD_TEXT_MAX,
    ),
    md(`*Window*\n${e(f.window)}`, FIELD_TEXT_MAX),
  ];
  if (f.firingSince) fields.push(md(`*Firing since*\n${e(f.firingSince)}`, FIELD_TEXT_MAX));
  if (f.baseline) fields.push(md(`*Baseline*\n${e(f.baseline)}`, FIELD_TEXT_MAX));
  if (f.anomaly) fields.push(md(`*Why*\n${e(f.anomaly)}`, FIELD_TEXT_MAX));
  const blocks: SlackBlock[] = [{ type: 'divider' }, { type: 'section', text: md(head), fields }];
  const extra: string[] = [];
  if (f.remediation) extra.push(`*What to do:* ${e(f.remediation)}`);
  if (f.samples.length > 0) {
    const lines = f.samples
      .slice(0, 3)
      .map((s) => s.fields.map((x) => `${x.field}: ${x.value}`).join('; '))
      .map((line) => e(line.replace(/`/g, "'")));
    extra.push(`*Sample events*\n\`\`\`${lines.join('\n')}\`\`\``);
  }
  if (extra.length > 0) blocks.push({ type: 'section', text: md(extra.join('\n')) });
  if (f.discoverUrl && f.discoverUrl.length <= URL_MAX) {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Open in Kibana' }, url: f.discoverUrl },
      ],
    });
  }
  return blocks;
}
