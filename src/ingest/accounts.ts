/**
 * Account management (useradd, usermod, groupadd, groupmod, userdel, groupdel) and cron commands.
 * useradd/groupadd creation lines follow Filebeat's system/auth pipeline; the others are vigil's.
 */
import type { Fields } from './auth-messages';

const NEW_USER = /^new user: name=([^,]*), UID=(\d+), GID=(\d+), home=([^,]*), shell=([^,]*)(?:, .*)?$/s;
const NEW_GROUP = /^new group: name=([^,]*), GID=(\d+)$/;
const ADD_TO_GROUP = /^add '([^']*)' to (?:shadow )?group '([^']*)'$/;
const CHANGE_USER = /^(change user|lock user|unlock user|change user name) '([^']*)'(?: to '([^']*)')?/;
const DELETE_USER = /^delete user '([^']*)'$/;
const GROUP_CHANGED = /^group changed in \S+ \(group ([^/]*)\/(\d+)(?:, (.*))?\)$/;
const REMOVED_GROUP = /^removed group '([^']*)'/;
const CRON_CMD = /^\(([^)]*)\) CMD \((.*)\)$/s;

function iam(type: string[], extra: Fields): Fields {
  return { event: { category: ['iam'], type, outcome: 'success' }, ...extra };
}

/** useradd, usermod, userdel, groupadd, groupmod, groupdel messages. */
export function parseAccountChange(program: string, message: string): Fields | undefined {
  if (program === 'useradd' || program === 'groupadd') {
    const u = NEW_USER.exec(message);
    if (u) {
      return iam(['creation', 'user'], {
        user: { name: u[1], id: u[2] },
        group: { id: u[3] },
        system: { auth: { useradd: { home: u[4], shell: u[5] } } },
      });
    }
    const g = NEW_GROUP.exec(message);
    if (g) return iam(['creation', 'group'], { group: { name: g[1], id: g[2] } });
  }
  const add = ADD_TO_GROUP.exec(message);
  if (add) return iam(['change', 'group'], { user: { name: add[1] }, group: { name: add[2] } });
  if (program === 'usermod' || program === 'passwd') {
    const c = CHANGE_USER.exec(message);
    if (c) {
      const user: Record<string, unknown> = { name: c[2] };
      if (c[3]) user.changes = { name: c[3] };
      return iam(['change', 'user'], { user });
    }
  }
  if (program === 'userdel') {
    const d = DELETE_USER.exec(message);
    if (d) return iam(['deletion', 'user'], { user: { name: d[1] } });
  }
  if (program === 'groupmod') {
    const gm = GROUP_CHANGED.exec(message);
    if (gm) return iam(['change', 'group'], { group: { name: gm[1], id: gm[2] } });
  }
  if (program === 'groupdel') {
    const gd = REMOVED_GROUP.exec(message);
    if (gd) return iam(['deletion', 'group'], { group: { name: gd[1] } });
  }
  return undefined;
}

/** `CRON[123]: (root) CMD (command)` */
export function parseCronCommand(message: string): Fields | undefined {
  const m = CRON_CMD.exec(message);
  if (!m) return undefined;
  return {
    event: { action: 'cron-command', category: ['process'], type: ['start'] },
    user: { name: m[1] },
    process: { command_line: m[2] },
  };
}
