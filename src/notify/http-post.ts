import { DeliveryError } from '../errors';
import { firstLine, isRetryableHttpStatus, redactSecrets } from './classify';

export interface PostTarget {
  /** for messages: `slack channel ops` */
  label: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** strings that must never appear in an error message (the URL itself, tokens, header values) */
  secrets: (string | undefined)[];
}

/**
 * POSTs `body` and resolves on 2xx. Throws a DeliveryError whose message names the channel and
 * the URL's origin only (a Slack URL is a secret; a webhook URL may carry a token), and whose
 * `retryable` follows classify.ts. No retries here: the outbox retries.
 */
export async function postBody(target: PostTarget, body: string): Promise<{ status: number; text: string }> {
  const where = `${target.label} (${originOf(target.url)})`;
  const fail = (text: string, retryable: boolean, cause?: unknown) =>
    new DeliveryError(redactSecrets(text, [target.url, ...target.secrets]), retryable, {
      cause: scrubCause(cause),
    });
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: 'POST',
      headers: target.headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (e) {
    const reason = describeFetchError(e, target.timeoutMs);
    throw fail(`${where}: ${reason}`, true, e);
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { status: res.status, text };
  const detail = text ? `: ${firstLine(text, 200)}` : '';
  if (res.status >= 300 && res.status < 400) {
    throw fail(`${where}: HTTP ${res.status} redirect refused; configure the final URL`, false);
  }
  throw fail(`${where}: HTTP ${res.status}${detail}`, isRetryableHttpStatus(res.status));
}

/** Scheme, host and port only: never the path or query, where webhook tokens live. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = err?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the receiver running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (/certificate|self[- ]signed/i.test(err?.cause?.message ?? ''))
    return `TLS: ${firstLine(err.cause?.message ?? '')}`;
  return firstLine(err?.cause?.message ?? (e instanceof Error ? e.message : String(e)));
}

/**
 * fetch errors keep the request (and so the URL) around; keep only a plain Error with the
 * code so nothing downstream (an audit logger serialising `cause`) can print the URL.
 */
function scrubCause(e: unknown): Error | undefined {
  if (!e) return undefined;
  const err = e as { name?: string; cause?: { code?: string } };
  const out = new Error(err.cause?.code ?? err.name ?? 'error');
  out.name = err.name ?? 'Error';
  return out;
}
