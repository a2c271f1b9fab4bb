/**
 * Start-up (issue 15): a command loads only the libraries it uses. `vigil scan` must not load the
 * report's chart renderers, the mail and template libraries, the monitor's metrics and scheduler,
 * ingest's progress bar, nor the Elasticsearch client's unused HTTP engine, Arrow and OpenTelemetry
 * core: each of them costs start-up time and memory on every run (bench/cold-start.js measures it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { baseConfig, REPO, runVigil, tempDir, writeConfig } from '../helpers/vigil-cli';

const HOOK = path.join(REPO, 'tests', 'helpers', 'report-loaded-packages.js');

async function packagesLoadedBy(
  args: string[],
): Promise<{ code: number; packages: string[]; stderr: string }> {
  const dir = tempDir();
  const file = path.join(dir, 'packages.txt');
  const r = await runVigil(args, {
    env: { NODE_OPTIONS: `--require ${HOOK}`, VIGIL_TEST_PACKAGES_FILE: file },
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

test('scan loads the client, config and audit libraries, and none of the others', async () => {
  const dir = tempDir();
  const cfg = writeConfig(dir, baseConfig({ logDir: path.join(dir, 'logs') }));
  const r = await packagesLoadedBy(['scan', '--config', cfg, '--duration', '5', '--dry-run']);
  expect(r.stderr).toMatch(/scan .*rules \(0 failed\)/);
  expect(r.code).toBe(0);
  expect(r.packages).toEqual(expect.arrayContaining(['@elastic/elasticsearch', 'zod', 'yaml', 'winston']));
  expect(r.packages.filter((p) => NOT_FOR_SCAN.includes(p))).toEqual([]);
});
