/**
 * The Node flags vigil runs with: those of the first line of dist/cli/main.js
 * (`#!/usr/bin/env -S node <flags>`), which is how the `vigil` command and the image start it. The
 * benches start `node <flags> dist/cli/main.js` so that they measure what users run.
 */
const fs = require('node:fs');
const path = require('node:path');

function vigilNodeArgs(repo = path.resolve(__dirname, '..')) {
  const first = fs.readFileSync(path.join(repo, 'dist', 'cli', 'main.js'), 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env(?: -S)? node((?: --?[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  if (!m) throw new Error(`dist/cli/main.js does not start with a node shebang: ${first}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

module.exports = { vigilNodeArgs };
