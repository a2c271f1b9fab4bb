import { flattenFields } from '../../../src/ingest/fields';
import { MAX_REPEAT, parseAuthLine } from '../../../src/ingest/parse-auth';
import type { ParseContext } from '../../../src/ingest/parse-context';
import { ZonedClock } from '../../../src/ingest/syslog-time';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const ctx = (): ParseContext => ({
  path: '/var/log/auth.log',
  offset: 42,
  nowMs: NOW,
  clock: new ZonedClock('UTC'),
  shiftMs: 0,
});

function parse(line: string): Record<string, unknown>[] {
  const r = parseAuthLine(line, ctx());
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.docs.map((d) => flattenFields(d));
}

const H = 'Feb 27 10:00:00 web1';

describe('parseAuthLine', () => {
  it.each<[string, string, Record<string, unknown>]>([
    [
      'sshd failed password',
      `${H} sshd[5774]: Failed password for root from 216.160.83.57 port 29160 ssh2`,
      {
        'event.action': 'ssh_login',
        'event.outcome': 'failure',
        'event.category': ['authentication'],
        'source.ip': '216.160.83.57',
        'source.port': 29160,
        'user.name': 'root',
        'system.auth.ssh.event': 'Failed',
        'system.auth.ssh.method': 'password',
        'process.name': 'sshd',
        'process.pid': 5774,
        'host.hostname': 'web1',
      },
    ],
    [
      'sshd failed for an invalid user',
      `${H} sshd[1]: Failed password for invalid user admin from 1.2.3.4 port 5 ssh2`,
      { 'user.name': 'admin', 'event.outcome': 'failure', 'source.ip': '1.2.3.4' },
    ],
    [
      'a user name cannot spoof the source',
      `${H} sshd[1]: Failed password for invalid user x from 6.6.6.6 port 1 ssh2 from 1.2.3.4 port 5 ssh2`,
      { 'source.ip': '1.2.3.4', 'user.name': 'x from 6.6.6.6 port 1 ssh2' },
    ],
    [
      'sshd accepted publickey with signature',
      `${H} sshd[3402]: Accepted publickey for vagrant from 10.0.2.2 port 63673 ssh2: RSA 39:33`,
      {
        'event.outcome': 'success',
        'event.category': ['authentication', 'session'],
        'system.auth.ssh.method': 'publickey',
        'system.auth.ssh.signature': 'RSA 39:33',
      },
    ],
    [
      'sshd invalid user',
      `${H} sshd[3430]: Invalid user test from 10.0.2.2 port 4711`,
      { 'system.auth.ssh.event': 'Invalid', 'user.name': 'test', 'source.port': 4711 },
    ],
    [
      'sshd hostname source',
      `${H} sshd[1]: Failed password for root from evil.example port 22 ssh2`,
      { 'source.address': 'evil.example', 'source.ip': undefined },
    ],
    [
      'PAM failure with a hostname rhost',
      `${H} sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=host.example  user=root`,
      {
        'event.action': 'authentication_failure',
        'event.outcome': 'failure',
        'source.address': 'host.example',
        'source.ip': undefined,
        'user.name': 'root',
      },
    ],
    [
      'PAM failure with an IP rhost',
      `${H} sudo: pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/0 ruser=bob rhost=10.0.0.9  user=bob`,
      { 'source.address': '10.0.0.9', 'source.ip': '10.0.0.9', 'user.name': 'bob' },
    ],
    [
      'sudo command',
      `${H} sudo: vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/cat /a ; echo b`,
      {
        'user.name': 'vagrant',
        'user.effective.name': 'root',
        'system.auth.sudo.command': '/bin/cat /a ; echo b',
        'system.auth.sudo.tty': 'pts/0',
        'system.auth.sudo.pwd': '/home/vagrant',
        'system.auth.sudo.user': 'root',
      },
    ],
    [
      'sudo not in sudoers',
      `${H} sudo:      tsg : user NOT in sudoers ; TTY=pts/1 ; PWD=/h ; USER=root ; COMMAND=/bin/ls`,
      { 'user.name': 'tsg', 'system.auth.sudo.error': 'user NOT in sudoers' },
    ],
    [
      'sudo incorrect password attempts',
      `${H} sudo: al : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/sh`,
      { 'system.auth.sudo.error': '3 incorrect password attempts' },
    ],
    [
      'sudo command not allowed',
      `${H} sudo: al : command not allowed ; TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/rm`,
      { 'system.auth.sudo.error': 'command not allowed' },
    ],
    [
      'useradd',
      `${H} useradd[6995]: new user: name=apache, UID=48, GID=48, home=/usr/share/httpd, shell=/sbin/nologin, from=/dev/pts/0`,
      {
        'event.category': ['iam'],
        'event.type': ['creation', 'user'],
        'user.name': 'apache',
        'user.id': '48',
        'system.auth.useradd.shell': '/sbin/nologin',
      },
    ],
    [
      'groupadd',
      `${H} groupadd[6991]: new group: name=apache, GID=48`,
      { 'event.type': ['creation', 'group'], 'group.name': 'apache', 'group.id': '48' },
    ],
    [
      'usermod add to group',
      `${H} usermod[7]: add 'bob' to group 'sudo'`,
      { 'event.type': ['change', 'group'], 'user.name': 'bob', 'group.name': 'sudo' },
    ],
    [
      'groupmod',
      `${H} groupmod[7]: group changed in /etc/group (group web/1001, new name: www)`,
      { 'event.type': ['change', 'group'], 'group.name': 'web' },
    ],
    [
      'cron root command',
      `${H} CRON[2623]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)`,
      {
        'user.name': 'root',
        'process.command_line': '   cd / && run-parts --report /etc/cron.hourly',
        'event.action': 'cron-command',
      },
    ],
    [
      'unrecognised line keeps header and message',
      `${H} systemd-logind[1118]: New seat seat0.`,
      {
        message: 'New seat seat0.',
        'process.name': 'systemd-logind',
        'event.action': undefined,
        'event.dataset': 'system.auth',
      },
    ],
    [
      'ISO time stamp with offset',
      '2019-06-14T13:01:15.412+01:30 localhost pam: user nobody logged out.',
      { '@timestamp': '2019-06-14T11:31:15.412Z', 'process.name': 'pam' },
    ],
    [
      'RFC 5424',
      '<34>1 2026-02-27T10:00:00Z web1 sshd 77 - - Failed password for root from 1.2.3.4 port 5 ssh2',
      { 'process.pid': 77, 'source.ip': '1.2.3.4', 'host.hostname': 'web1' },
    ],
  ])('%s', (_name, line, fields) => {
    const [doc] = parse(line);
    for (const [k, v] of Object.entries(fields)) expect([k, doc[k]]).toEqual([k, v]);
    expect(doc['event.original']).toBe(line);
    expect(doc['log.offset']).toBe(42);
  });

  // issue 16: RHEL 4/5 and some appliances log PAM failures with the module in the program name;
  // in a real log the only trace of an 80-failures brute force was in such lines
  it.each([
    [
      'sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4  user=root',
      { 'source.ip': '218.188.2.4', 'source.address': '218.188.2.4', 'user.name': 'root' },
    ],
    [
      'sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=static.example.com',
      { 'source.ip': undefined, 'source.address': 'static.example.com', 'user.name': undefined },
    ],
  ])('reads an old-style PAM failure: %s', (message, fields) => {
    const r = parseAuthLine(`Jun 15 04:06:18 combo ${message}`, ctx());
    if (!r.ok) throw new Error(r.detail);
    const doc = flattenFields(r.docs[0]);
    expect(doc).toMatchObject({
      'event.action': 'authentication_failure',
      'event.outcome': 'failure',
      'system.auth.pam.module': 'pam_unix',
      'system.auth.pam.origin': 'sshd',
      'process.name': 'sshd(pam_unix)',
      'process.pid': 19939,
    });
    for (const [k, v] of Object.entries(fields)) expect([k, doc[k]]).toEqual([k, v]);
  });

  it('leaves other old-style PAM lines as plain events', () => {
    const r = parseAuthLine('Jun 15 04:06:20 combo sshd(pam_unix)[19937]: check pass; user unknown', ctx());
    if (!r.ok) throw new Error(r.detail);
    expect(flattenFields(r.docs[0])['event.outcome']).toBeUndefined();
  });

  it('reads OpenSSH 9.8+ sshd-session lines like sshd lines', () => {
    const [failed] = parse(
      `${H} sshd-session[5774]: Failed password for root from 216.160.83.57 port 29160 ssh2`,
    );
    expect(failed).toMatchObject({
      'event.action': 'ssh_login',
      'event.outcome': 'failure',
      'source.ip': '216.160.83.57',
      'user.name': 'root',
      'process.name': 'sshd-session',
    });
    const [accepted] = parse(
      `${H} sshd-session[5775]: Accepted publickey for deploy from 2001:db8::7 port 50100 ssh2`,
    );
    expect(accepted).toMatchObject({
      'event.outcome': 'success',
      'source.ip': '2001:db8::7',
      'user.name': 'deploy',
    });
  });

  it('expands "message repeated N times" into N documents', () => {
    const docs = parse(
      `${H} sshd[6402]: message repeated 5 times: [ Failed password for root from 218.60.136.106 port 56338 ssh2]`,
    );
    expect(docs).toHaveLength(5);
    for (const d of docs)
      expect(d).toMatchObject({
        'system.auth.ssh.event': 'Failed',
        'source.ip': '218.60.136.106',
        'source.port': 56338,
      });
  });

  it('caps an absurd repeat count', () => {
    expect(
      parse(
        `${H} sshd[1]: message repeated 999999999 times: [ Failed password for root from 1.2.3.4 port 5 ssh2]`,
      ),
    ).toHaveLength(MAX_REPEAT);
  });

  it.each([
    ['no header', 'hello world', 'no_syslog_header'],
    ['bad month', 'Foo 27 10:00:00 web1 sshd[1]: x', 'no_syslog_header'],
    ['hour out of range', 'Feb 27 25:00:00 web1 sshd[1]: x', 'no_syslog_header'],
    ['empty', '', 'no_syslog_header'],
    ['invalid ISO date', '2019-13-45T10:00:00 web1 sshd[1]: x', 'bad_timestamp'],
  ])('fails on %s', (_n, line, reason) => {
    const r = parseAuthLine(line, ctx());
    expect(r.ok ? 'ok' : r.reason).toBe(reason);
  });
});
