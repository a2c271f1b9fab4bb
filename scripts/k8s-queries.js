#!/usr/bin/env node

/**
 * Writes deploy/k8s/queries-configmap.yaml: the ConfigMap vigil-queries with every queries/*.yaml
 * as one key. Kustomize cannot read files outside deploy/k8s, so the rules are copied here; the
 * deploy tests fail when this file is out of date.
 *   node scripts/k8s-queries.js [--check]
 */
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'deploy', 'k8s', 'queries-configmap.yaml');

function render() {
  const dir = path.join(ROOT, 'queries');
  const data = {};
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort())
    data[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  const doc = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'vigil-queries', labels: { 'app.kubernetes.io/name': 'vigil' } },
    data,
  };
  return `# Generated from queries/*.yaml by node scripts/k8s-queries.js; do not edit.\n${YAML.stringify(doc, { lineWidth: 0, blockQuote: 'literal' })}`;
}

module.exports = { render, OUT };

if (require.main === module) {
  const text = render();
  if (process.argv[2] === '--check') {
    const same = fs.existsSync(OUT) && fs.readFileSync(OUT, 'utf8') === text;
    if (!same) {
      console.error(`${path.relative(ROOT, OUT)} is out of date: run node scripts/k8s-queries.js`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT, text);
    console.log(`wrote ${path.relative(ROOT, OUT)}`);
  }
}
