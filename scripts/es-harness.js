/**
 * A real Elasticsearch for development and tests, on machines with or without Docker.
 *
 * Order of preference:
 *   1. ELASTICSEARCH_URL, when set (a cluster the user already runs);
 *   2. Testcontainers, when a Docker engine answers;
 *   3. the engine's own test distribution from Maven Central, cached under ~/.cache/vigil/es,
 *      run as a dedicated non-root user, bound to 127.0.0.1 on a free port, single node, small heap.
 *
 * Which engine: VIGIL_ENGINE=elasticsearch:<version> | opensearch:<version> (default
 * elasticsearch:DEFAULT_VERSION; VIGIL_ES_VERSION=<version> still picks an Elasticsearch version).
 *
 * Every started cluster is recorded in ~/.cache/vigil/clusters/<name>.json so that `down` can stop it.
 */
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const DEFAULT_VERSION = '8.19.21';
// As root, Elasticsearch runs as another user, who cannot read /root: keep the cache where it can.
const CACHE =
  process.env.VIGIL_CACHE_DIR ||
  (typeof process.getuid === 'function' && process.getuid() === 0
    ? '/var/cache/vigil'
    : path.join(os.homedir(), '.cache', 'vigil'));
const CLUSTERS = path.join(CACHE, 'clusters');
const RUN_USER = 'vigil-es';
/** which run started a cluster (scripts/ci: `.ci/run` sets it), so that a run stops only its own */
const RUN_ID = process.env.VIGIL_RUN_ID || undefined;
/** What differs between the two engines' test distributions. */
const ENGINES = {
  elasticsearch: {
    name: 'Elasticsearch',
    artifact: 'org.elasticsearch.distribution.integ-test-zip:elasticsearch',
    bin: 'elasticsearch',
    yml: 'elasticsearch.yml',
    javaEnv: 'ES_JAVA_HOME',
    confEnv: 'ES_PATH_CONF',
    optsEnv: 'ES_JAVA_OPTS',
    /** first major that needs Java 21 */
    java21: 9,
    /** the zip has x-pack: security must be set either way */
    xpack: true,
  },
  opensearch: {
    name: 'OpenSearch',
    artifact: 'org.opensearch.distribution.integ-test-zip:opensearch',
    bin: 'opensearch',
    yml: 'opensearch.yml',
    javaEnv: 'OPENSEARCH_JAVA_HOME',
    confEnv: 'OPENSEARCH_PATH_CONF',
    optsEnv: 'OPENSEARCH_JAVA_OPTS',
    java21: 3,
    // no security plugin in the zip, and it rejects xpack.* and plugins.security.* settings
    xpack: false,
  },
};

/** The engine to start: VIGIL_ENGINE (product:version), else Elasticsearch VIGIL_ES_VERSION/default. */
function engineSpec(spec = process.env.VIGIL_ENGINE) {
  if (!spec) return { product: 'elasticsearch', version: process.env.VIGIL_ES_VERSION || DEFAULT_VERSION };
  const m = /^(elasticsearch|opensearch):(\d+\.\d+\.\d+)$/.exec(spec.trim());
  if (!m)
    throw new HarnessError(
      `VIGIL_ENGINE: expected elasticsearch:<x.y.z> or opensearch:<x.y.z> (e.g. opensearch:2.19.6), got "${spec}"`,
    );
  return { product: m[1], version: m[2] };
}

const engineName = (e) => `${ENGINES[e.product || 'elasticsearch'].name} ${e.version}`;

class HarnessError extends Error {}

function log(msg) {
  process.stderr.write(`es-harness: ${msg}\n`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Java major version of a java binary, or 0 when it cannot run. */
function javaMajor(javaBin) {
  const r = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  if (r.status !== 0) return 0;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr || '');
  if (!m) return 0;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

/** Picks a JDK able to run this engine: Elasticsearch 9 and OpenSearch 3 need 21+, older 17+. */
function pickJavaHome(engine) {
  const esMajor = Number(engine.version.split('.')[0]);
  const need = esMajor >= ENGINES[engine.product].java21 ? 21 : 17;
  const newest = need >= 21;
  const candidates = [];
  if (process.env.ES_JAVA_HOME) candidates.push(process.env.ES_JAVA_HOME);
  if (process.env.JAVA_HOME) candidates.push(process.env.JAVA_HOME);
  if (fs.existsSync('/usr/lib/jvm')) {
    for (const d of fs.readdirSync('/usr/lib/jvm').sort()) candidates.push(path.join('/usr/lib/jvm', d));
  }
  let best;
  for (const home of candidates) {
    const bin = path.join(home, 'bin', 'java');
    if (!fs.existsSync(bin)) continue;
    const major = javaMajor(bin);
    if (major >= need && (!best || (newest ? major > best.major : major < best.major)))
      best = { home, major };
  }
  if (!best && has('java')) {
    const major = javaMajor('java');
    if (major >= need) {
      const real = fs.realpathSync(
        execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim(),
      );
      best = { home: path.dirname(path.dirname(real)), major };
    }
  }
  if (!best) {
    throw new HarnessError(
      `${engineName(engine)} needs Java ${need} or newer and none was found: install one (apt-get install openjdk-${need}-jdk-headless) or set ES_JAVA_HOME`,
    );
  }
  return best;
}

/** Downloads the test distribution once (Maven), unpacks it once, returns its home. */
function ensureDistribution(version, product = 'elasticsearch') {
  const spec = ENGINES[product];
  const zipDir = path.join(CACHE, 'es');
  const zip = path.join(zipDir, `${product}-${version}.zip`);
  const home = path.join(zipDir, `${product}-${version}`);
  const what = engineName({ product, version });
  if (fs.existsSync(path.join(home, 'bin', spec.bin))) return home;
  fs.mkdirSync(zipDir, { recursive: true });
  if (!fs.existsSync(zip)) {
    if (!has('mvn'))
      throw new HarnessError(`Maven is needed to fetch ${what}: install it (apt-get install maven)`);
    log(`downloading ${spec.artifact}:${version} from Maven Central (once; cached in ${zipDir})`);
    const r = spawnSync(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=${spec.artifact}:${version}:zip`,
        `-DoutputDirectory=${zipDir}`,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0 || !fs.existsSync(zip)) {
      throw new HarnessError(
        `could not download ${what} with Maven (is ${version} published?): ${(r.stdout + r.stderr).split('\n').find((l) => l.includes('ERROR')) || 'mvn failed'}`,
      );
    }
  }
  if (!has('unzip'))
    throw new HarnessError(`unzip is needed to unpack ${what}: install it (apt-get install unzip)`);
  const tmp = `${home}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  execFileSync('unzip', ['-q', zip, '-d', tmp]);
  const inner = fs.readdirSync(tmp).find((d) => d.startsWith(product));
  fs.renameSync(path.join(tmp, inner), home);
  fs.rmSync(tmp, { recursive: true, force: true });
  return home;
}

/**
 * Starts the engine of one node folder (the state's `dir`) in the background, its output appended
 * to stdout.log there; returns the child (pid of the launcher, the engine's own is in es.pid).
 */
function spawnNode(state, user = ensureRunUser()) {
  const launch = launchOf(state, user);
  const out = fs.openSync(path.join(state.dir, 'stdout.log'), 'a');
  const child = spawn(launch.cmd, launch.args, {
    env: launch.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  fs.closeSync(out);
  return child;
}

/**
 * How to start the engine of a local cluster's state (used again by tests that SIGKILL and
 * restart it): the command, its arguments and environment. The real clock, under test:clock too.
 */
function launchOf(state, user) {
  const spec = ENGINES[state.product || 'elasticsearch'];
  const home = ensureDistribution(state.version, state.product || 'elasticsearch');
  const env = { ...process.env, [spec.javaEnv]: state.java, [spec.confEnv]: path.join(state.dir, 'config') };
  env[spec.optsEnv] = '';
  delete env.JAVA_HOME;
  withRealClock(env);
  const c = asUser(user, path.join(home, 'bin', spec.bin), ['-p', path.join(state.dir, 'es.pid')]);
  return { ...c, env, home };
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function ensureRunUser() {
  if (!isRoot()) return null;
  if (spawnSync('id', ['-u', RUN_USER], { stdio: 'ignore' }).status !== 0) {
    const r = spawnSync(
      'useradd',
      ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_USER],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0 && spawnSync('id', ['-u', RUN_USER], { stdio: 'ignore' }).status !== 0) {
      throw new HarnessError(`could not create the system user ${RUN_USER}: ${r.stderr.trim()}`);
    }
  }
  return RUN_USER;
}

function asUser(user, cmd, args) {
  return user ? { cmd: 'runuser', args: ['-u', user, '--', cmd, ...args] } : { cmd, args };
}

/** CA and node certificate for 127.0.0.1/localhost, made with openssl. */
function makeCertificates(dir) {
  if (!has('openssl'))
    throw new HarnessError('openssl is needed for the secured cluster: install it (apt-get install openssl)');
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=vigil test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'node.key',
    '-out',
    'node.csr',
  ]);
  fs.writeFileSync(
    path.join(dir, 'san.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  run([
    'x509',
    '-req',
    '-in',
    'node.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    'san.ext',
    '-out',
    'node.crt',
  ]);
}

function stateFile(name) {
  return path.join(CLUSTERS, `${name}.json`);
}

function readState(name) {
  try {
    return JSON.parse(fs.readFileSync(stateFile(name), 'utf8'));
  } catch {
    return null;
  }
}

async function request(url, { auth, ca, timeoutMs = 3000 } = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? require('node:https') : require('node:http');
  return new Promise((resolve) => {
    const headers = {};
    if (auth)
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    const req = mod.request(u, { headers, ca, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: String(e.message) }));
    req.end();
  });
}

async function waitHealthy(url, opts, isAlive, logFile) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (isAlive && !isAlive()) {
      const lines = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n') : [];
      const cause = lines.find((l) => /Exception:|ERROR:/.test(l)) || lines.slice(-3).join(' ');
      throw new HarnessError(`Elasticsearch exited during start-up: ${cause.trim()} (full log: ${logFile})`);
    }
    const r = await request(
      `${url}/_cluster/health?${opts.query ?? 'wait_for_status=yellow'}&timeout=2s`,
      opts,
    );
    if (r.status === 200) return JSON.parse(r.body);
    await sleep(1000);
  }
  throw new HarnessError(`Elasticsearch at ${url} did not become healthy within 180 s`);
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function dockerAnswers() {
  if (process.env.VIGIL_NO_DOCKER === '1' || !has('docker')) return false;
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeout: 5000,
    encoding: 'utf8',
  });
  return r.status === 0 && r.stdout.trim().length > 0;
}

async function startWithTestcontainers(name, engine, secure) {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { version, product } = engine;
  if (product === 'opensearch') {
    if (secure) throw new HarnessError('the secured-cluster tests run on Elasticsearch only');
    const { GenericContainer, Wait } = require('testcontainers');
    const started = await new GenericContainer(`opensearchproject/opensearch:${version}`)
      .withEnvironment({
        'discovery.type': 'single-node',
        DISABLE_SECURITY_PLUGIN: 'true',
        DISABLE_INSTALL_DEMO_CONFIG: 'true',
        OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m',
      })
      .withExposedPorts(9200)
      .withWaitStrategy(Wait.forHttp('/_cluster/health', 9200).forStatusCode(200))
      .start();
    const url = `http://${started.getHost()}:${started.getMappedPort(9200)}`;
    return { name, kind: 'testcontainers', containerId: started.getId(), url, product, version, run: RUN_ID };
  }
  const { ElasticsearchContainer } = require('@testcontainers/elasticsearch');
  const password = secure ? crypto.randomBytes(12).toString('hex') : undefined;
  let c = new ElasticsearchContainer(
    `docker.elastic.co/elasticsearch/elasticsearch:${version}`,
  ).withEnvironment({
    'xpack.security.enabled': secure ? 'true' : 'false',
    ES_JAVA_OPTS: '-Xms512m -Xmx512m',
  });
  if (secure) c = c.withPassword(password);
  const started = await c.start();
  const url = started.getHttpUrl();
  const state = {
    name,
    kind: 'testcontainers',
    containerId: started.getId(),
    url,
    product,
    version,
    run: RUN_ID,
  };
  if (secure) {
    state.username = 'elastic';
    state.password = password;
    state.caFile = null;
  }
  return state;
}

/** A node's own folder: data, logs and a copy of the distribution's config (made writable for it). */
function prepareNodeDir(dir, home) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  fs.cpSync(path.join(home, 'config'), path.join(dir, 'config'), { recursive: true });
  // Elasticsearch 7.17's launcher changes into the (root-owned) install: logs/ relative to it fails
  const jvmOptions = path.join(dir, 'config', 'jvm.options');
  fs.writeFileSync(
    jvmOptions,
    fs.readFileSync(jvmOptions, 'utf8').replace(/(file=|ErrorFile=|loggc:)logs\//g, `$1${dir}/logs/`),
  );
}

function writeNodeSettings(dir, spec, settings) {
  fs.writeFileSync(path.join(dir, 'config', spec.yml), `${settings.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'config', 'jvm.options.d', 'heap.options'), '-Xms512m\n-Xmx512m\n');
}

/** What the state file of a local cluster records (stop() and restarts read it). */
function localState(name, engine, java, dir, httpPort) {
  return {
    name,
    kind: 'local',
    product: engine.product,
    version: engine.version,
    java: java.home,
    dir,
    url: `http://127.0.0.1:${httpPort}`,
    run: RUN_ID,
  };
}

/** The settings every local node has, whatever the cluster's shape. */
function commonSettings(clusterName, nodeName, dir, ports, spec, secure = false) {
  return [
    `cluster.name: vigil-${clusterName}`,
    `node.name: ${nodeName}`,
    `path.data: ${path.join(dir, 'data')}`,
    `path.logs: ${path.join(dir, 'logs')}`,
    'network.host: 127.0.0.1',
    `http.port: ${ports.http}`,
    `transport.port: ${ports.transport}`,
    ...(spec.xpack ? [`xpack.security.enabled: ${secure}`] : []),
    'action.destructive_requires_name: false',
    'cluster.routing.allocation.disk.threshold_enabled: false',
  ];
}

/**
 * A cluster of `nodes` nodes of one engine on loopback (tests/reliability's 3-node scenario), no
 * security. Each node has its folder under the cluster's (node-1, node-2, ...) and its pid on
 * record, so stop() takes down all of them and a test may SIGKILL and restart one (launchOf).
 * Resolves once every node joined and the cluster is green.
 */
async function startLocalCluster(name, { nodes = 3, engine = engineSpec() } = {}) {
  const spec = ENGINES[engine.product];
  const java = pickJavaHome(engine);
  const home = ensureDistribution(engine.version, engine.product);
  const user = ensureRunUser();
  const dir = path.join(CACHE, 'run', name);
  fs.rmSync(dir, { recursive: true, force: true });
  const members = [];
  for (let i = 1; i <= nodes; i++)
    members.push({ name: `${name}-node-${i}`, http: await freePort(), transport: await freePort() });
  const seeds = members.map((m) => `"127.0.0.1:${m.transport}"`).join(', ');
  const initial =
    engine.product === 'opensearch'
      ? 'cluster.initial_cluster_manager_nodes'
      : 'cluster.initial_master_nodes';
  const state = {
    ...localState(name, engine, java, dir, members[0].http),
    nodes: [],
  };
  for (const m of members) {
    const nodeDir = path.join(dir, m.name);
    prepareNodeDir(nodeDir, home);
    writeNodeSettings(nodeDir, spec, [
      ...commonSettings(name, m.name, nodeDir, m, spec),
      `discovery.seed_hosts: [${seeds}]`,
      `${initial}: [${members.map((x) => `"${x.name}"`).join(', ')}]`,
    ]);
    state.nodes.push({ name: m.name, dir: nodeDir, url: `http://127.0.0.1:${m.http}` });
  }
  if (user) execFileSync('chown', ['-R', `${user}:${user}`, dir]);
  fs.mkdirSync(CLUSTERS, { recursive: true });
  for (const node of state.nodes) {
    node.pid = spawnNode({ ...state, dir: node.dir }, user).pid;
    fs.writeFileSync(stateFile(name), JSON.stringify(state, null, 2));
  }
  try {
    await waitHealthy(
      state.url,
      { query: `wait_for_status=green&wait_for_nodes=${nodes}` },
      () => state.nodes.every((n) => pidAlive(n.pid)),
      path.join(state.nodes.find((n) => !pidAlive(n.pid))?.dir ?? state.nodes[0].dir, 'stdout.log'),
    );
  } catch (e) {
    await stop(name);
    throw e;
  }
  return state;
}

async function startLocal(name, engine, secure) {
  const spec = ENGINES[engine.product];
  if (secure && !spec.xpack)
    throw new HarnessError(
      `${engineName(engine)}'s test distribution has no security plugin: the secured-cluster tests run on Elasticsearch only`,
    );
  const java = pickJavaHome(engine);
  const home = ensureDistribution(engine.version, engine.product);
  const user = ensureRunUser();
  const dir = path.join(CACHE, 'run', name);
  prepareNodeDir(dir, home);
  const httpPort = await freePort();
  const transportPort = await freePort();
  const settings = [
    ...commonSettings(name, name, dir, { http: httpPort, transport: transportPort }, spec, secure),
    'discovery.type: single-node',
  ];
  const state = localState(name, engine, java, dir, httpPort);
  if (secure) {
    const certs = path.join(dir, 'config', 'certs');
    fs.mkdirSync(certs);
    makeCertificates(certs);
    settings.push(
      'xpack.security.http.ssl.enabled: true',
      'xpack.security.http.ssl.key: certs/node.key',
      'xpack.security.http.ssl.certificate: certs/node.crt',
      'xpack.security.http.ssl.certificate_authorities: [ "certs/ca.crt" ]',
      'xpack.security.transport.ssl.enabled: false',
      'xpack.security.authc.api_key.enabled: true',
    );
    state.url = `https://127.0.0.1:${httpPort}`;
    state.username = 'vigil-admin';
    state.password = crypto.randomBytes(12).toString('hex');
    state.caFile = path.join(certs, 'ca.crt');
  }
  writeNodeSettings(dir, spec, settings);
  const launch = launchOf(state, user);
  const env = launch.env;
  if (user) execFileSync('chown', ['-R', `${user}:${user}`, dir]);
  if (secure) {
    const u = asUser(user, path.join(home, 'bin', 'elasticsearch-users'), [
      'useradd',
      state.username,
      '-p',
      state.password,
      '-r',
      'superuser',
    ]);
    const r = spawnSync(u.cmd, u.args, { env, encoding: 'utf8' });
    if (r.status !== 0)
      throw new HarnessError(`elasticsearch-users failed: ${(r.stderr || r.stdout).trim()}`);
  }
  const logFile = path.join(dir, 'stdout.log');
  const child = spawnNode(state, user);
  state.pid = child.pid;
  fs.mkdirSync(CLUSTERS, { recursive: true });
  fs.writeFileSync(stateFile(name), JSON.stringify(state, null, 2));
  const opts = secure
    ? { auth: { username: state.username, password: state.password }, ca: fs.readFileSync(state.caFile) }
    : {};
  try {
    const health = await waitHealthy(state.url, opts, () => pidAlive(child.pid), logFile);
    state.health = health.status;
  } catch (e) {
    await stop(name);
    throw e;
  }
  return state;
}

/**
 * Starts (or reuses) a cluster. Returns {url, source, product, version, username?, password?, caFile?}.
 * options: {name='dev', secure=false, engine (e.g. 'opensearch:2.19.6'; default VIGIL_ENGINE), reuseEnv=true}
 * A secured cluster is always Elasticsearch (the OpenSearch zip has no security plugin).
 */
async function start(options = {}) {
  const name = options.name || (options.secure ? 'dev-secure' : 'dev');
  const secure = Boolean(options.secure);
  let engine = engineSpec(options.engine);
  if (secure && engine.product !== 'elasticsearch') engine = engineSpec('');
  if (options.reuseEnv !== false && process.env.ELASTICSEARCH_URL && !secure) {
    const r = await request(`${process.env.ELASTICSEARCH_URL.replace(/\/$/, '')}/_cluster/health`, {
      timeoutMs: 15000,
    });
    if (r.status === 0)
      throw new HarnessError(
        `ELASTICSEARCH_URL=${redactUrl(process.env.ELASTICSEARCH_URL)} does not answer: ${r.body}`,
      );
    return { name, url: process.env.ELASTICSEARCH_URL, source: 'ELASTICSEARCH_URL', external: true };
  }
  const existing = readState(name);
  if (existing) {
    const opts = existing.caFile
      ? {
          auth: { username: existing.username, password: existing.password },
          ca: fs.readFileSync(existing.caFile),
        }
      : {};
    const r = await request(`${existing.url}/_cluster/health`, opts);
    const same =
      (existing.product || 'elasticsearch') === engine.product && existing.version === engine.version;
    if (r.status === 200 && same)
      return { ...existing, product: engine.product, source: existing.kind, reused: true };
    await stop(name);
  }
  let state;
  if (await dockerAnswers()) {
    state = await startWithTestcontainers(name, engine, secure);
    fs.mkdirSync(CLUSTERS, { recursive: true });
    fs.writeFileSync(stateFile(name), JSON.stringify(state, null, 2));
  } else {
    state = await startLocal(name, engine, secure);
  }
  return { ...state, source: state.kind };
}

function redactUrl(u) {
  try {
    const x = new URL(u);
    if (x.password) x.password = '***';
    return x.toString();
  } catch {
    return '<invalid URL>';
  }
}

async function stop(name) {
  const state = readState(name);
  if (!state) return false;
  if (state.kind === 'testcontainers') {
    spawnSync('docker', ['rm', '-f', state.containerId], { stdio: 'ignore' });
  } else {
    const pids = [];
    for (const node of state.nodes ?? [state]) {
      if (node.pid) pids.push(node.pid);
      const pidFile = path.join(node.dir, 'es.pid');
      if (fs.existsSync(pidFile)) pids.push(Number(fs.readFileSync(pidFile, 'utf8').trim()));
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
    }
    const deadline = Date.now() + 30_000;
    while (pids.some(pidAlive) && Date.now() < deadline) await sleep(200);
    for (const pid of pids.filter(pidAlive)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    fs.rmSync(state.dir, { recursive: true, force: true });
  }
  fs.rmSync(stateFile(name), { force: true });
  return true;
}

function listClusters() {
  if (!fs.existsSync(CLUSTERS)) return [];
  return fs
    .readdirSync(CLUSTERS)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
}

/**
 * `npm run test:clock` moves the clock of node processes only (libfaketime through LD_PRELOAD):
 * Elasticsearch keeps the real one. Removes the preload from an environment meant for it.
 */
function withRealClock(env) {
  for (const k of ['LD_PRELOAD', 'FAKETIME', 'FAKETIME_DONT_FAKE_MONOTONIC']) delete env[k];
  return env;
}

/**
 * The clusters started by processes of one run (VIGIL_RUN_ID, inherited by every child): what a
 * CI run stops at its end, and nothing else — not a developer's cluster, not a concurrent run's.
 */
function listClustersOfRun(runId) {
  return listClusters().filter((name) => {
    try {
      return readState(name).run === runId;
    } catch {
      return false;
    }
  });
}

module.exports = {
  start,
  stop,
  listClusters,
  listClustersOfRun,
  withRealClock,
  readState,
  engineSpec,
  engineName,
  launchOf,
  ensureRunUser,
  startLocalCluster,
  spawnNode,
  pidAlive,
  request,
  ensureDistribution,
  HarnessError,
  DEFAULT_VERSION,
  CACHE,
};
