/**
 * Preloaded (`node --require`) into a vigil process by tests/integration/cli-startup.test.ts: at
 * exit it writes to VIGIL_TEST_PACKAGES_FILE, one per line, the npm packages whose code the process
 * actually loaded (a stand-in of src/cli/defer-modules.ts, never used, is not counted), and
 * `(vigil-bundle)` when the program ran from the start-up bundle (src/cli/load-program.ts).
 */
const fs = require('node:fs');

process.on('exit', () => {
  const loaded = new Set();
  for (const [file, mod] of Object.entries(require.cache)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (m && !mod.deferred) loaded.add(m[1]);
    if (file.endsWith('vigil-bundle.js')) loaded.add('(vigil-bundle)');
  }
  fs.writeFileSync(process.env.VIGIL_TEST_PACKAGES_FILE, [...loaded].sort().join('\n'));
});
