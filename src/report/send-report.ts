/**
 * Mails the report through one configured email channel: the same SMTP settings, TLS rules and
 * secret-free error lines as alert digests. The charts travel as PNG attachments referenced by
 * Content-ID, since mail clients drop inline SVG.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors';
import type { AlertsConfig, EmailChannelConfig } from '../notify/channel-schema';
import { classifySmtpError } from '../notify/classify';
import { createEmailTransport } from '../notify/email-channel';
import type { NotifyLogger } from '../notify/logger';
import { cleanLine } from '../notify/sanitize';

export interface ReportMail {
  subject: string;
  html: string;
  text: string;
  /** chart id → PNG */
  images: { id: string; cid: string; png: Buffer }[];
  /** the same report as a self-contained HTML file, attached for archiving */
  attachmentHtml: string;
  /** stable per channel and period: a resend carries the same Message-ID */
  key: string;
}

/** The email channel named by --email, or a UsageError naming the channels there are. */
export function emailChannel(alerts: AlertsConfig, name: string): EmailChannelConfig {
  const channel = alerts.channels[name];
  const emails = Object.entries(alerts.channels)
    .filter(([, c]) => c.type === 'email')
    .map(([n]) => n);
  if (channel?.type !== 'email') {
    throw new UsageError(
      `--email ${name}: no email channel of that name under alerts.channels (email channels: ${emails.join(', ') || 'none'})`,
    );
  }
  if (!channel.enabled) {
    throw new UsageError(
      `--email ${name}: the channel is not enabled (set its host, e.g. SMTP_HOST, or enabled: true)`,
    );
  }
  return channel;
}

export async function sendReportMail(
  name: string,
  channel: EmailChannelConfig,
  mail: ReportMail,
  logger: NotifyLogger,
): Promise<void> {
  const transport = createEmailTransport(name, channel, { logger });
  const id = createHash('sha256').update(`${name}\n${mail.key}`).digest('hex').slice(0, 40);
  try {
    await transport.sendMail({
      from: channel.from,
      to: channel.to,
      cc: channel.cc.length > 0 ? channel.cc : undefined,
      subject: cleanLine(mail.subject, 200),
      text: mail.text,
      html: mail.html,
      messageId: `<report-${id}@vigil>`,
      attachments: [
        ...mail.images.map((img) => ({
          filename: `${img.id}.png`,
          content: img.png,
          contentType: 'image/png',
          cid: img.cid,
        })),
        {
          filename: 'vigil-report.html',
          content: mail.attachmentHtml,
          contentType: 'text/html; charset=utf-8',
        },
      ],
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  } catch (e) {
    throw classifySmtpError(e, {
      channel: name,
      host: channel.host,
      port: channel.port,
      secrets: [channel.password],
    });
  } finally {
    transport.close();
  }
}
