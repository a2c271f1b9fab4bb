/**
 * Start-up (issue 15): a command loads only the libraries it uses. `vigil scan` must not load the
 * report's chart renderers, the mail and template libraries, the monitor's metrics and scheduler,
 * ingest's progress bar, nor the Elasticsearch client's unused HTTP engine, Arrow and OpenTelemetry
 * core: each of them costs start-up time and memory on every run (bench/cold-start.js measures it).
 * That holds both ways the program loads: from the start-up bundle, which leaves those packages
 * outside, and file by file (VIGIL_BUNDLE=0; src/cli/load-program.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { baseConfig, REPO, runVigil, tempDir, writeConfig } from '../helpers/vigil-cli';

const HOOK = path.join(REPO, 'tests', 'helpers', 'report-loaded-packages.js');

async function packagesLoadedBy(
  args: string[],
  bundle: '1' | '0',
): Promise<{ code: number; packages: string[]; stderr: string }> {
  const dir = tempDir();
  const file = path.join(dir, 'packages.txt');
  const r = await runVigil(args, {
    env: { NODE_OPTIONS: `--require ${HOOK}`, VIGIL_TEST_PACKAGES_FILE: file, VIGIL_BUNDLE: bundle },
  });
  return { code: r.code, packages: fs.readFileSync(file, 'utf8').split('\n'), stderr: r.stderr };
}

const NOT_FOR_SCAN = [
  'vega',
  'vega-lite',
  '@resvg/resvg-js',
  'nodemailer',
  'handlebars',
  'prom-client',
  'node-cron',
  'cli-progress',
  'undici',
  'apache-arrow',
  '@opentelemetry/core',
];

/** The packages a dry-run scan over empty indices loads, from the bundle ('1') or the files ('0'). */
async function scanPackages(bundle: '1' | '0'): Promise<string[]> {
  const dir = tempDir();
  const cfg = writeConfig(dir, baseConfig({ logDir: path.join(dir, 'logs') }));
  const r = await packagesLoadedBy(['scan', '--config', cfg, '--duration', '5', '--dry-run'], bundle);
  expect(r.stderr).toMatch(/scan .*rules \(0 failed\)/);
  expect(r.code).toBe(0);
  return r.packages;
}

test('scan from the files loads the client, config and audit libraries, and none of the others', async () => {
  const packages = await scanPackages('0');
  expect(packages).toEqual(expect.arrayContaining(['@elastic/elasticsearch', 'zod', 'yaml', 'winston']));
  expect(packages).not.toContain('(vigil-bundle)');
  expect(packages.filter((p) => NOT_FOR_SCAN.includes(p))).toEqual([]);
});

test('scan from the start-up bundle loads none of the others either', async () => {
  const packages = await scanPackages('1');
  // the client, zod, yaml and winston are inside the bundle
  expect(packages).toContain('(vigil-bundle)');
  expect(packages).not.toContain('zod');
  expect(packages.filter((p) => NOT_FOR_SCAN.includes(p))).toEqual([]);
});
