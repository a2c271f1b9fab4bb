/**
 * The start-up bundle and its V8 code cache (src/cli/load-program.ts, issue 15's cold start): what
 * the user notices is that vigil starts and behaves the same whatever state the cache is in, and
 * that the cache is made once and then used. Each test runs its own copy of dist/cli beside the
 * real one, so the caches it damages are its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO, runVigil } from '../helpers/vigil-cli';

const DIST_CLI = path.join(REPO, 'dist', 'cli');
const copies: string[] = [];

/** A copy of dist/cli (sibling of the real one, so its relative requires resolve), without caches. */
function copyCli(): string {
  const dir = path.join(REPO, 'dist', `cli-test-${process.pid}-${copies.length}`);
  fs.cpSync(DIST_CLI, dir, { recursive: true, filter: (f) => !f.endsWith('.cache') });
  copies.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

const caches = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.endsWith('.cache'));

function run(dir: string, args: string[], bundle = '1') {
  return runVigil(args, { cli: path.join(dir, 'main.js'), env: { VIGIL_DEBUG: '1', VIGIL_BUNDLE: bundle } });
}

test('the first run writes the code cache, the next ones use it, and the bundle answers as the files do', async () => {
  const dir = copyCli();
  const first = await run(dir, ['--help']);
  expect(first.code).toBe(0);
  expect(first.stderr).toContain('vigil-bundle.js, no code cache');
  expect(first.stderr).toMatch(
    /wrote the code cache vigil-bundle\.[0-9a-f]{16}\.v[\d.]+\.[0-9a-f]{8}\.cache/,
  );
  expect(caches(dir)).toHaveLength(1);
  const second = await run(dir, ['--help']);
  expect(second.stderr).toContain('code cache used');
  expect(second.stderr).not.toContain('wrote');
  const files = await run(dir, ['--help'], '0');
  expect(files.stderr).toContain('compiled files');
  expect(second.stdout).toBe(files.stdout);
  expect(second.stdout).toContain('vigil scan --duration 10');
});

test('a damaged or truncated code cache is never handed to V8: vigil runs and rewrites it', async () => {
  const dir = copyCli();
  await run(dir, ['--version']);
  const [name] = caches(dir);
  const file = path.join(dir, name);
  const good = fs.readFileSync(file);
  const damaged = Buffer.from(good);
  for (let i = 2000; i < damaged.length; i += 997) damaged[i] ^= 0x55;
  for (const bytes of [damaged, good.subarray(0, 30000), Buffer.alloc(0)]) {
    fs.writeFileSync(file, bytes);
    const r = await run(dir, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(require('../../package.json').version);
    expect(r.stderr).toContain('code cache damaged (not used)');
    expect((await run(dir, ['--version'])).stderr).toContain('code cache used');
  }
});

test("a new bundle's cache replaces an earlier bundle's; the same bundle's cache under other node flags stays", async () => {
  const dir = copyCli();
  await run(dir, ['--version']);
  const [own] = caches(dir);
  const otherFlags = own.replace(/\.[0-9a-f]{8}\.cache$/, '.00000000.cache');
  const earlier = 'vigil-bundle.0123456789abcdef.v20.0.0.00000000.cache';
  fs.writeFileSync(path.join(dir, otherFlags), 'x');
  fs.writeFileSync(path.join(dir, earlier), 'x');
  fs.rmSync(path.join(dir, own));
  await run(dir, ['--version']);
  expect(caches(dir).sort()).toEqual([otherFlags, own].sort());
});

test('after tsc alone (the compiled program newer than the bundle) vigil runs from the files', async () => {
  const dir = copyCli();
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(dir, 'program.js'), later, later);
  const r = await run(dir, ['--version']);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain('compiled files');
  expect(caches(dir)).toEqual([]);
});

test('a config error reads the same and exits the same from the bundle as from the files', async () => {
  const dir = copyCli();
  const args = ['validate', '--config', path.join(dir, 'no-such-config.yaml')];
  const bundled = await run(dir, args);
  const files = await run(dir, args, '0');
  expect(bundled.code).toBe(2);
  expect(files.code).toBe(2);
  const message = (s: string) => s.split('\n').filter((l) => !l.startsWith('vigil: start-up:'));
  expect(message(bundled.stderr)).toEqual(message(files.stderr));
  expect(message(bundled.stderr).join('\n')).toContain('no-such-config.yaml');
});
