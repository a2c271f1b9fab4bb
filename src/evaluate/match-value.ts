/**
 * Pure value matching shared by allowlists (checked in config) and silences (matched in dedup):
 * an address against an address or CIDR range (IPv4 and IPv6), any other value against an exact
 * value or a wildcard pattern (`*` any run of characters, `?` one character).
 */
import net from 'node:net';

/** A field holds addresses when it is named `ip` or ends in `.ip` (source.ip, host.ip, client.ip). */
export const isAddressField = (field: string): boolean => field === 'ip' || field.endsWith('.ip');

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** `10.0.5.0/24`, `2001:db8::/32`, or a plain address (a /32 or /128); undefined when neither. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const version = net.isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `address` lies in `range` (an address or CIDR range); false for anything not an address. */
export function addressInRange(address: string, range: Cidr): boolean {
  const version = net.isIP(address);
  if (version === 0) return false;
  const list = new net.BlockList();
  list.addSubnet(range.address, range.prefix, range.family);
  // BlockList also matches an IPv4-mapped IPv6 address (::ffff:10.0.5.7) against an IPv4 range
  return list.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

export const hasWildcard = (pattern: string): boolean => /[*?]/.test(pattern);

/** A wildcard pattern as an anchored RegExp; `\*` and `\?` stand for the characters themselves. */
export function wildcardRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) out += escapeRegExp(pattern[++i]);
    else if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += escapeRegExp(ch);
  }
  return new RegExp(`^${out}$`, 's');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * Whether a field's value matches a pattern: for an address field, a pattern that is an address
 * or a CIDR range matches the addresses in it; otherwise an exact value or a wildcard pattern.
 */
export function valueMatches(field: string, value: string, pattern: string): boolean {
  if (isAddressField(field)) {
    const range = parseCidr(pattern);
    if (range) return addressInRange(value, range);
  }
  return hasWildcard(pattern) ? wildcardRegExp(pattern).test(value) : value === pattern;
}
