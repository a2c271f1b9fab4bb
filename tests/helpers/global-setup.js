'use strict';
/**
 * Starts the real clusters the integration tests use, through the same harness as `npm run es:up`:
 *  - plain:   ELASTICSEARCH_URL when given, else a cluster of our own (stopped in teardown);
 *  - secured: x-pack security with a user, a password and TLS (VIGIL_TEST_SECURE_URL etc.).
 * Workers inherit the environment variables set here.
 */
const harness = require('../../scripts/es-harness');

module.exports = async function globalSetup() {
  const started = [];
  const plainWanted = !process.env.ELASTICSEARCH_URL;
  const [plain, secure] = await Promise.all([
    harness.start({ name: 'test', reuseEnv: true }),
    process.env.VIGIL_TEST_NO_SECURE === '1' ? null : harness.start({ name: 'test-secure', secure: true }),
  ]);
  if (plainWanted) started.push('test');
  process.env.ELASTICSEARCH_URL = plain.url;
  process.stderr.write(`\nintegration tests use Elasticsearch at ${plain.url} (${plain.source}${plain.version ? ` ${plain.version}` : ''})\n`);
  if (secure) {
    started.push('test-secure');
    process.env.VIGIL_TEST_SECURE_URL = secure.url;
    process.env.VIGIL_TEST_SECURE_USER = secure.username;
    process.env.VIGIL_TEST_SECURE_PASSWORD = secure.password;
    process.env.VIGIL_TEST_SECURE_CA = secure.caFile || '';
    process.stderr.write(`secured cluster at ${secure.url} (${secure.source})\n`);
  }
  globalThis.__vigilStartedClusters = started;
};
