import { DeliveryError } from '../errors';

/**
 * Which failures are worth retrying. Permanent: SMTP 5xx, HTTP 4xx other than 408/429 — the
 * receiver understood us and said no, so retrying changes nothing. Everything else (connection
 * refused, timeouts, TLS handshakes, SMTP 4xx, HTTP 5xx/429) is retried by the outbox.
 */
export function isRetryableHttpStatus(status: number): boolean {
  if (status === 408 || status === 429) return true;
  return !(status >= 400 && status < 500);
}

export function isRetryableSmtpCode(code: number): boolean {
  return !(code >= 500 && code < 600);
}

/** Removes every secret (and its URL-encoded form) from a message before anyone sees it. */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  const all = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  for (const s of [...all].sort((a, b) => b.length - a.length)) {
    for (const form of new Set([s, encodeURIComponent(s), encodeURI(s)])) out = out.split(form).join('***');
  }
  return out;
}

interface SmtpLikeError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

const SMTP_CODE_HINTS: Record<string, string> = {
  ECONNECTION: 'cannot connect',
  ETIMEDOUT: 'timed out',
  ESOCKET: 'connection failed',
  EDNS: 'host not found',
  ETLS: 'TLS failed',
  EAUTH: 'authentication failed',
};

/** One secret-free line and a retry decision for a nodemailer failure. */
export function classifySmtpError(
  err: unknown,
  where: { channel: string; host: string; port: number; secrets: (string | undefined)[] },
): DeliveryError {
  const e = (err ?? {}) as SmtpLikeError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const retryable = code === undefined ? !isPermanentLocalError(e) : isRetryableSmtpCode(code);
  const detail = firstLine(e.response || e.message || String(err));
  const hint = smtpHint(e, detail);
  const kind = code !== undefined ? `SMTP ${code}` : (SMTP_CODE_HINTS[e.code ?? ''] ?? e.code ?? 'error');
  const text = `email channel ${where.channel}: ${kind} at ${where.host}:${where.port}: ${detail}${hint}`;
  return new DeliveryError(redactSecrets(text, where.secrets), retryable, { cause: err });
}

/** Errors raised before talking to the server about this message (bad envelope or message). */
function isPermanentLocalError(e: SmtpLikeError): boolean {
  return e.code === 'EENVELOPE' || e.code === 'EMESSAGE';
}

function smtpHint(e: SmtpLikeError, detail: string): string {
  if (/certificate|self[- ]signed|unable to verify/i.test(detail))
    return ' (set tls.ca_file, or tls.verify: false for a test server)';
  if (/STARTTLS/i.test(detail) || (e.code === 'ETLS' && /not|support/i.test(detail))) {
    return ' (the server does not offer STARTTLS: set require_tls: false only for a trusted relay)';
  }
  if (e.code === 'EAUTH') return ' (check username and password)';
  if (e.code === 'ECONNECTION' || /ECONNREFUSED/.test(detail))
    return ' (is the SMTP server running? check host and port)';
  return '';
}

export function firstLine(text: string, max = 300): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const clean = line.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
