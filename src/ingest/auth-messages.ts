/**
 * Message parsers of the system/auth fileset: each takes the message after the syslog header and
 * returns the ECS fields Filebeat's pipeline would add (nested objects), or undefined.
 */
import { isIP } from 'node:net';
import type { EcsDoc } from './types';

export type Fields = EcsDoc;

/** `source.ip` when the value is an IP, else `source.address` (a hostname never goes into an ip field). */
export function sourceOf(addr: string, port?: string): Record<string, unknown> {
  const source: Record<string, unknown> = isIP(addr) ? { ip: addr } : { address: addr };
  if (port !== undefined) source.port = Number(port);
  return source;
}

// Greedy user name and end anchor: a user name like `x from 6.6.6.6 port 1 ssh2` cannot spoof the source.
const SSH_LOGIN =
  /^(Accepted|Failed|Postponed) (\S+) for (?:invalid user )?(.*) from (\S+) port (\d{1,5})(?: ssh2)?(?:: (.*?))?(?: \[preauth\])?$/s;
const SSH_INVALID = /^(Invalid|Illegal) user ?(.*) from (\S+?)(?: port (\d{1,5}))?(?: \[preauth\])?$/s;
const SSH_DROPPED = /^Did not receive identification string from (\S+?)(?: port (\d{1,5}))?$/;

export function parseSshd(message: string): Fields | undefined {
  const login = SSH_LOGIN.exec(message);
  if (login) {
    const [, ev, method, user, addr, port, signature] = login;
    const ssh: Record<string, unknown> = { event: ev, method };
    if (signature) ssh.signature = signature;
    return {
      ...sshOutcome(ev),
      user: { name: user },
      source: sourceOf(addr, port),
      system: { auth: { ssh } },
    };
  }
  const invalid = SSH_INVALID.exec(message);
  if (invalid) {
    const [, ev, user, addr, port] = invalid;
    return {
      ...sshOutcome('Invalid'),
      user: { name: user },
      source: sourceOf(addr, port),
      system: { auth: { ssh: { event: ev } } },
    };
  }
  return parseDropped(message);
}

function parseDropped(message: string): Fields | undefined {
  const m = SSH_DROPPED.exec(message);
  if (!m) return undefined;
  return { source: sourceOf(m[1], m[2]), system: { auth: { ssh: { dropped_ip: m[1] } } } };
}

function sshOutcome(ev: string): Fields {
  if (ev === 'Accepted') {
    return {
      event: {
        action: 'ssh_login',
        category: ['authentication', 'session'],
        type: ['authentication_success', 'info'],
        outcome: 'success',
      },
    };
  }
  if (ev === 'Failed' || ev === 'Invalid') {
    return {
      event: {
        action: 'ssh_login',
        category: ['authentication'],
        type: ['authentication_failure', 'info'],
        outcome: 'failure',
      },
    };
  }
  return {};
}

const PAM_FAILURE = /^(\w+)\(([^:)]*):([^)]*)\): authentication failure;(.*)$/s;
const KV = /(\w+)=(\S*)/g;

/** `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=h  user=root` */
export function parsePamFailure(message: string): Fields | undefined {
  const m = PAM_FAILURE.exec(message);
  if (!m) return undefined;
  const kv: Record<string, string> = {};
  for (const [, k, v] of m[4].matchAll(KV)) kv[k] = v;
  const doc: Fields = {
    event: {
      action: 'authentication_failure',
      category: ['authentication'],
      type: ['info'],
      outcome: 'failure',
    },
    system: { auth: { pam: { module: m[1], origin: m[2], type: m[3] } } },
  };
  if (kv.rhost) doc.source = { address: kv.rhost, ...(isIP(kv.rhost) ? { ip: kv.rhost } : {}) };
  if (kv.user) doc.user = { name: kv.user };
  return doc;
}

const PAM_REQUIREMENT =
  /^pam_succeed_if\([^)]*\): requirement "(?:[^"\\]|\\.)*" (?:was|not) met by user "(.+)"$/s;

/**
 * `pam_succeed_if(sshd:auth): requirement "uid >= 1000" not met by user "root"`: the user, as
 * Filebeat gives it (user.name and related.user, no outcome: the line says which rule applied).
 */
export function parsePamRequirement(message: string): Fields | undefined {
  const m = PAM_REQUIREMENT.exec(message);
  return m ? { user: { name: m[1] } } : undefined;
}

/** The PAM lines vigil reads from any program: failures and pam_succeed_if requirements. */
export function parsePam(message: string): Fields | undefined {
  return parsePamFailure(message) ?? parsePamRequirement(message);
}

const SUDO_HEAD = /^\s*(\S+) : (.*)$/s;
const SUDO_KEY = /^(TTY|PWD|USER|GROUP|ENV|CHROOT|CWD|COMMAND)=(.*)$/s;

/** `alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/sh` */
export function parseSudo(message: string): Fields | undefined {
  const head = SUDO_HEAD.exec(message);
  if (!head) return undefined;
  const parts = head[2].split(' ; ');
  const sudo: Record<string, string> = {};
  const errors: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const kv = SUDO_KEY.exec(parts[i]);
    if (!kv) {
      if (Object.keys(sudo).length > 0) return undefined;
      errors.push(parts[i].trim());
      continue;
    }
    if (kv[1] === 'COMMAND') {
      sudo.command = [kv[2], ...parts.slice(i + 1)].join(' ; ');
      break;
    }
    sudo[kv[1].toLowerCase()] = kv[2];
  }
  if (sudo.command === undefined && sudo.user === undefined) return undefined;
  if (errors.length) sudo.error = errors.join(' ; ');
  const user: Record<string, unknown> = { name: head[1] };
  if (sudo.user) user.effective = { name: sudo.user };
  const out: Record<string, string> = {};
  for (const k of ['command', 'error', 'tty', 'pwd', 'user']) if (sudo[k] !== undefined) out[k] = sudo[k];
  return { user, system: { auth: { sudo: out } } };
}
