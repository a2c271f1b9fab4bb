/**
 * Starts the real clusters the integration tests use, through the same harness as `npm run es:up`:
 *  - plain:   ELASTICSEARCH_URL when given, else a cluster of our own (stopped in teardown);
 *  - secured: x-pack security with a user, a password and TLS (VIGIL_TEST_SECURE_URL etc.).
 * Workers inherit the environment variables set here.
 */
const harness = require('../../scripts/es-harness');

module.exports = async function globalSetup() {
  const external = Boolean(process.env.ELASTICSEARCH_URL);
  const wantSecure = process.env.VIGIL_TEST_NO_SECURE !== '1';
  // names unique to this run, so concurrent runs never share (or stop) each other's clusters
  const plainName = `test-${process.pid}`;
  const secureName = `test-secure-${process.pid}`;
  const [plain, secure] = await Promise.allSettled([
    harness.start({ name: plainName, reuseEnv: true }),
    wantSecure ? harness.start({ name: secureName, secure: true }) : Promise.resolve(null),
  ]);
  const started = [];
  if (plain.status === 'fulfilled' && !external) started.push(plainName);
  if (secure.status === 'fulfilled' && secure.value) started.push(secureName);
  globalThis.__vigilStartedClusters = started;
  const failed = [plain, secure].find((r) => r.status === 'rejected');
  if (failed) {
    for (const name of started) await harness.stop(name);
    throw failed.reason;
  }
  process.env.ELASTICSEARCH_URL = plain.value.url;
  // the engine the harness started (none for a cluster given by ELASTICSEARCH_URL)
  if (plain.value.version) process.env.VIGIL_TEST_ENGINE = `${plain.value.product}:${plain.value.version}`;
  process.stderr.write(
    `\nintegration tests use ${plain.value.version ? harness.engineName(plain.value) : 'the cluster'} at ${plain.value.url} (${plain.value.source})\n`,
  );
  if (secure.value) {
    const s = secure.value;
    process.env.VIGIL_TEST_SECURE_URL = s.url;
    process.env.VIGIL_TEST_SECURE_USER = s.username;
    process.env.VIGIL_TEST_SECURE_PASSWORD = s.password;
    process.env.VIGIL_TEST_SECURE_CA = s.caFile || '';
    process.stderr.write(`secured cluster at ${s.url} (${s.source})\n`);
  }
};
