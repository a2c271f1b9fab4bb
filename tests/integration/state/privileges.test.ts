/**
 * Privileges on the secured cluster (x-pack security, TLS), with roles and users made through the
 * security API: the role documented in the README is enough for `vigil scan`; without write on the
 * state index, or without any privilege on a state index that does not exist yet, scan exits 3
 * with one line naming the index and the missing privilege, and no stack trace.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, type estypes } from '@elastic/elasticsearch';
import { ENGINE_NEUTRAL } from '../../../src/collect/client';
import { ensureStateIndex } from '../../../src/state/state-index';
import { indexDocs, sshFailures } from '../../helpers/ecs';
import { expectOneLine, secured } from '../../helpers/secure-cluster';
import { REPO, tempDir, writeConfig } from '../../helpers/vigil-cli';
import { waitFor } from '../../helpers/vigil-process';
import { alertsFor, MIN, scan } from './state-kit';

jest.setTimeout(180_000);

const PREFIX = 'it-state-privileges';
const AUTH = `${PREFIX}-auth`;
const PASSWORD = 'it-state-privileges-pw';
const made: { users: string[]; roles: string[]; indices: string[]; templates: string[] } = {
  users: [],
  roles: [],
  indices: [],
  templates: [],
};

let admin: Client;
/** file realm files we changed → their original text */
const fileRealm = new Map<string, string>();

beforeAll(async () => {
  const s = secured();
  admin = new Client({
    ...ENGINE_NEUTRAL,
    node: s.url,
    auth: { username: s.user, password: s.password },
    tls: { ca: fs.readFileSync(s.ca) },
  });
  await admin.indices.delete({ index: AUTH, ignore_unavailable: true });
  await admin.indices.create({
    index: AUTH,
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: {
      dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
      properties: { '@timestamp': { type: 'date' }, source: { properties: { ip: { type: 'ip' } } } },
    },
  });
  made.indices.push(AUTH);
  await indexDocs(admin, AUTH, sshFailures('203.0.113.99', 20, Date.now() - 5 * MIN, MIN));
});

afterAll(async () => {
  for (const username of made.users) await admin.security.deleteUser({ username }, { ignore: [404] });
  for (const name of made.roles) await admin.security.deleteRole({ name }, { ignore: [404] });
  const alerts = await admin.indices.get({ index: `${PREFIX}-*-alerts-*`, allow_no_indices: true });
  await admin.indices.delete({
    index: [...made.indices, ...Object.keys(alerts)].join(','),
    ignore_unavailable: true,
  });
  for (const name of made.templates) await admin.indices.deleteIndexTemplate({ name }, { ignore: [404] });
  for (const [file, text] of fileRealm) fs.writeFileSync(file, text);
  await admin.close();
});

/**
 * The role from the README ("State" → privileges), for one state index and alerts prefix; `state`
 * replaces the state index privileges. Each privilege is needed: view_index_metadata on the state
 * index for the existence check, manage_index_templates for the alerts template, monitor only for
 * `vigil doctor`; the sources need read alone (msearch, field_caps).
 */
function vigilRole(
  stateIndex: string,
  alertsPrefix: string,
  state?: string[],
): estypes.SecurityPutRoleRequest {
  return {
    name: '',
    cluster: ['manage_index_templates', 'monitor'],
    indices: [
      { names: [AUTH], privileges: ['read'] },
      ...(state?.length === 0
        ? []
        : [
            {
              names: [stateIndex],
              privileges: state ?? ['create_index', 'view_index_metadata', 'read', 'write'],
            },
          ]),
      { names: [`${alertsPrefix}-*`], privileges: ['create_index', 'write'] },
    ],
  };
}

/**
 * Makes a user with one role. Through the security API when the cluster can (a full distribution);
 * Elastic's test distribution lacks the analysis module the native realm's index needs, so there
 * the user and role go into the file realm of the harness's cluster (config/users, users_roles,
 * roles.yml; reloaded within seconds), restored in afterAll.
 */
async function defineUser(
  username: string,
  role: Omit<estypes.SecurityPutRoleRequest, 'name'>,
): Promise<void> {
  try {
    await admin.security.putRole({ ...role, name: username });
    made.roles.push(username);
    await admin.security.putUser({ username, password: PASSWORD, roles: [username] });
    made.users.push(username);
    return;
  } catch (e) {
    if (!/Unknown filter type|pattern_capture/.test(String((e as Error).message))) throw e;
  }
  const dir = path.dirname(path.dirname(secured().ca));
  const files = ['users', 'users_roles', 'roles.yml'].map((f) => path.join(dir, f));
  if (!files.every((f) => fs.existsSync(f)))
    throw new Error(`no native realm and no file realm under ${dir}`);
  for (const f of files) if (!fileRealm.has(f)) fileRealm.set(f, fs.readFileSync(f, 'utf8'));
  const salt = crypto.randomBytes(32);
  const hash = crypto.pbkdf2Sync(PASSWORD, salt, 10_000, 32, 'sha512');
  const [users, usersRoles, roles] = files;
  fs.appendFileSync(roles, `\n${username}: ${JSON.stringify(role)}\n`);
  fs.appendFileSync(usersRoles, `${username}:${username}\n`);
  fs.appendFileSync(
    users,
    `${username}:{PBKDF2}10000$${salt.toString('base64')}$${hash.toString('base64')}\n`,
  );
  // loaded once the user authenticates and holds the role's first index privilege
  const probe = asUser(username);
  const first = role.indices?.[0];
  await waitFor(
    `the file realm to load ${username}`,
    async () => {
      const r = await probe.security.hasPrivileges({
        index: first ? [{ names: first.names as string[], privileges: first.privileges }] : [],
      });
      return r.has_all_requested;
    },
    { timeoutMs: 30_000 },
  );
  await probe.close();
}

function asUser(username: string): Client {
  const s = secured();
  return new Client({
    ...ENGINE_NEUTRAL,
    node: s.url,
    auth: { username, password: PASSWORD },
    tls: { ca: fs.readFileSync(s.ca) },
  });
}

/** A user with this role, and a config that logs in as it. */
async function userWith(
  name: string,
  role: estypes.SecurityPutRoleRequest,
  stateIndex: string,
  alertsPrefix: string,
) {
  const s = secured();
  const username = `${PREFIX}-${name}`;
  const { name: _, ...body } = role;
  await defineUser(username, body);
  made.indices.push(stateIndex);
  made.templates.push(`${alertsPrefix}-template`);
  const dir = tempDir('vigil-state-priv-');
  return writeConfig(
    dir,
    `elasticsearch:
  nodes: ["${s.url}"]
  username: ${username}
  password: ${PASSWORD}
  tls: { ca_file: "${s.ca}" }
  request_timeout: 20s
  max_retries: 0
sources:
  auth: { indices: [${AUTH}] }
  web: { indices: [${AUTH}] }
  windows: { indices: [${AUTH}] }
calendar: { timezone: UTC }
schedule: { interval: 1m, query_delay: 0s }
rules:
  dir: ${path.join(REPO, 'queries')}
logging:
  dir: ${dir}/logs
state:
  index: ${stateIndex}
  alerts_index: ${alertsPrefix}
`,
  );
}

const scanArgs = ['--duration', '10', '--rule', 'ssh_bruteforce'];

test('the role the README documents is enough: scan creates the state index and raises the alert', async () => {
  const stateIndex = `${PREFIX}-ok-state`;
  const alertsPrefix = `${PREFIX}-ok-alerts`;
  const config = await userWith('ok', vigilRole(stateIndex, alertsPrefix), stateIndex, alertsPrefix);
  const r = await scan(config, scanArgs);
  expect(r.stderr).not.toMatch(/error|denied|privilege/i);
  expect(r.code).toBe(0);
  expect(alertsFor(r, 'ssh_bruteforce', '203.0.113.99').map((a) => a.status)).toEqual(['new']);
  const again = await scan(config, scanArgs);
  expect(again.code).toBe(0);
  expect(alertsFor(again, 'ssh_bruteforce', '203.0.113.99').map((a) => a.status)).toEqual(['suppressed']);
  expect(await admin.indices.exists({ index: stateIndex })).toBe(true);
});

test('read-only on the state index: exit 3, one line naming the index and the write privilege', async () => {
  const stateIndex = `${PREFIX}-ro-state`;
  const alertsPrefix = `${PREFIX}-ro-alerts`;
  await ensureStateIndex(admin, stateIndex);
  const config = await userWith(
    'ro',
    vigilRole(stateIndex, alertsPrefix, ['read', 'view_index_metadata']),
    stateIndex,
    alertsPrefix,
  );
  const r = await scan(config, scanArgs);
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  expectOneLine(
    r.stderr,
    new RegExp(
      `^vigil: cannot write to the state index "${stateIndex}": the Elasticsearch user needs the "write" privilege on it`,
    ),
  );
});

test('no privilege on a state index that does not exist yet: exit 3, one line naming the first privilege missing', async () => {
  const stateIndex = `${PREFIX}-none-state`;
  const alertsPrefix = `${PREFIX}-none-alerts`;
  const config = await userWith('none', vigilRole(stateIndex, alertsPrefix, []), stateIndex, alertsPrefix);
  const r = await scan(config, scanArgs);
  expect(r.code).toBe(3);
  expectOneLine(
    r.stderr,
    new RegExp(`^vigil: .*state index "${stateIndex}".*needs the "view_index_metadata" privilege`),
  );
  expect(await admin.indices.exists({ index: stateIndex })).toBe(false);
});

test('without manage_index_templates: exit 3, one line naming the cluster privilege', async () => {
  const stateIndex = `${PREFIX}-notpl-state`;
  const alertsPrefix = `${PREFIX}-notpl-alerts`;
  const config = await userWith(
    'notpl',
    { ...vigilRole(stateIndex, alertsPrefix), cluster: [] },
    stateIndex,
    alertsPrefix,
  );
  const r = await scan(config, scanArgs);
  expect(r.code).toBe(3);
  expectOneLine(r.stderr, /^vigil: .*needs the "manage_index_templates" cluster privilege/);
});
