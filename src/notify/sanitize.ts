/**
 * Log content is attacker-controlled. Everything that reaches a message passes through here:
 * control characters and bidirectional overrides are removed, lengths are capped by code point
 * (never splitting a surrogate pair), and one-line fields lose their line breaks.
 */

/** Default cap for one attacker-controlled field. */
export const FIELD_MAX = 512;

const ELLIPSIS = '…';
// C0 controls except TAB and LF, DEL, C1 controls.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Bidi embeddings/overrides/isolates (e.g. U+202E RIGHT-TO-LEFT OVERRIDE) used to disguise text,
// plus line/paragraph separators some clients render as line breaks.
const BIDI_AND_SEPARATORS = /[\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Caps `text` at `max` code points, ending with an ellipsis when it was cut. */
export function capLength(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

/** Multi-line text: keeps LF and TAB, drops CR and other controls, caps length. */
export function cleanText(value: unknown, max = FIELD_MAX): string {
  const text = stringify(value).replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(BIDI_AND_SEPARATORS, '');
  return capLength(text, max);
}

/** One-line text for headers, subjects and table cells: every line break becomes a space. */
export function cleanLine(value: unknown, max = FIELD_MAX): string {
  const text = stringify(value)
    .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI_AND_SEPARATORS, '');
  return capLength(text, max);
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
