/** Secrets never reach a log: configured secret values and secret-looking keys are masked. */
const SECRET_KEY = /pass(word)?|api_?key|authorization|secret|token|cookie|credential/i;
export const MASK = '[REDACTED]';

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4 && out.includes(s)) out = out.split(s).join(MASK);
  // credentials inside URLs: scheme://user:pass@host
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${MASK}@`);
}

export function redact(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message, secrets) };
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] =
      SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? MASK : redact(v, secrets, depth + 1);
  return out;
}
