/** Log content is attacker-controlled: classify raw bytes, and make text safe to print. */

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Escapes control and bidi characters (`\x1b` → `\u001b`) and caps the length for display. */
export function escapeForDisplay(text: string, maxChars = 120): string {
  const capped = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return capped.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A line is binary when it holds a NUL byte or more than 10% control bytes (tab excepted).
 * Checked on raw bytes, before decoding.
 */
export function isBinaryLine(bytes: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0d) || b === 0x7f) control++;
  }
  return control > 0 && control * 10 > bytes.length;
}
