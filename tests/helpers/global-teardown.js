const harness = require('../../scripts/es-harness');

module.exports = async function globalTeardown() {
  if (process.env.VIGIL_KEEP_ES === '1') return;
  for (const name of globalThis.__vigilStartedClusters || []) await harness.stop(name);
};
