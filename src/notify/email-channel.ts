import fs from 'node:fs';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { ConfigError } from '../errors';
import type { EmailChannelConfig } from './channel-schema';
import { classifySmtpError } from './classify';
import type { Digest } from './digest';
import type { RenderOptions } from './digest-view';
import { renderEmail } from './email-render';
import type { NotifyLogger } from './logger';
import type { Sender } from './sender';
import { DELIVERY_HEADER } from './signature';

/**
 * Sends digests by SMTP. `secure` is SMTPS (implicit TLS); otherwise `require_tls` makes
 * nodemailer refuse to continue unless STARTTLS succeeds, so credentials never cross in clear.
 */
export function createEmailSender(
  name: string,
  config: EmailChannelConfig,
  options: RenderOptions & { logger: NotifyLogger; configPath?: string },
): Sender {
  // the options are checked now (an unreadable CA file is a config error at start-up); nodemailer
  // itself is loaded at the first message, so a cycle that sends none never pays for it
  const transportOptions = emailTransportOptions(name, config, options);
  let transport: Transporter<SMTPTransport.SentMessageInfo> | undefined;
  const secrets = [config.password];

  return {
    name,
    type: 'email',
    async send(digest: Digest): Promise<void> {
      const mail = renderEmail(digest, { kibanaUrl: options.kibanaUrl, alertsIndex: options.alertsIndex });
      try {
        transport ??= loadNodemailer().createTransport(transportOptions);
        await transport.sendMail({
          from: config.from,
          to: config.to,
          cc: config.cc.length > 0 ? config.cc : undefined,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: {
            [DELIVERY_HEADER]: digest.id,
            'Auto-Submitted': 'auto-generated',
            'X-Auto-Response-Suppress': 'All',
          },
          disableFileAccess: true,
          disableUrlAccess: true,
        });
      } catch (e) {
        throw classifySmtpError(e, { channel: name, host: config.host, port: config.port, secrets });
      }
    },
    close(): void {
      transport?.close();
    },
  };
}

/** The SMTP transport of one email channel (also used by `vigil report --email`). */
export function createEmailTransport(
  name: string,
  config: EmailChannelConfig,
  options: { logger: NotifyLogger; configPath?: string },
): Transporter<SMTPTransport.SentMessageInfo> {
  return loadNodemailer().createTransport(emailTransportOptions(name, config, options));
}

/** nodemailer, loaded when a message is about to be sent (it costs ~20 ms of start-up). */
function loadNodemailer(): typeof import('nodemailer') {
  return require('nodemailer');
}

function emailTransportOptions(
  name: string,
  config: EmailChannelConfig,
  options: { logger: NotifyLogger; configPath?: string },
): SMTPTransport.Options {
  const transportOptions: SMTPTransport.Options = {
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: !config.secure && config.require_tls,
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
    disableFileAccess: true,
    disableUrlAccess: true,
    tls: tlsOptions(name, config, options),
  };
  if (config.username) transportOptions.auth = { user: config.username, pass: config.password ?? '' };
  return transportOptions;
}

function tlsOptions(
  name: string,
  config: EmailChannelConfig,
  options: { logger: NotifyLogger; configPath?: string },
): SMTPTransport.Options['tls'] {
  const tls: NonNullable<SMTPTransport.Options['tls']> = {};
  if (config.tls.ca_file) {
    try {
      tls.ca = fs.readFileSync(config.tls.ca_file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(
        `${options.configPath ?? 'config.yaml'}: alerts.channels.${name}.tls.ca_file: cannot read ${config.tls.ca_file} (${code})`,
        { cause: e },
      );
    }
  }
  if (!config.tls.verify) {
    tls.rejectUnauthorized = false;
    options.logger.warn(
      `email channel ${name}: tls.verify is false, so the SMTP server's certificate is not checked; anyone on the path can read alerts and the password. Use tls.ca_file instead`,
      { channel: name },
    );
  }
  return tls;
}
