/**
 * `host.*` of the machine that ships access logs, as Filebeat's add_host_metadata writes it: access
 * lines do not name their server, and per-host rules (data_transfer_spike) group by host.hostname.
 * `--host <name>` names the server instead (logs copied from elsewhere); then only the name is
 * written, since the ingesting machine's OS and architecture would say nothing about that server.
 */
import fs from 'node:fs';
import os from 'node:os';

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i386', arm: 'armv7l' };

export function hostFields(named?: string): Record<string, unknown> {
  if (named !== undefined) return Object.freeze({ hostname: named, name: named });
  const hostname = os.hostname();
  const osFields: Record<string, string> = {
    type: os.platform(),
    platform: os.platform(),
    kernel: os.release(),
  };
  const release = readOsRelease();
  if (release.ID) osFields.platform = release.ID;
  if (release.NAME) osFields.name = release.NAME;
  if (release.VERSION_ID) osFields.version = release.VERSION_ID;
  // frozen: every access document of a run shares this object
  return Object.freeze({
    hostname,
    name: hostname,
    architecture: ARCH[os.arch()] ?? os.arch(),
    os: Object.freeze(osFields),
  });
}

function readOsRelease(): Record<string, string> {
  let text = '';
  try {
    text = fs.readFileSync('/etc/os-release', 'utf8');
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z_]+)=("?)(.*)\2$/gm)) out[m[1]] = m[3];
  return out;
}

/** `--host`: a host name as DNS and syslog write it, one line, no spaces. */
export function checkHostName(name: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(name)
    ? undefined
    : `--host: "${name.slice(0, 60)}" is not a host name`;
}
