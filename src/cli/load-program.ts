/**
 * Start-up time (issue 15: spawn → first query ≤ 250 ms). Loading the program file by file costs
 * about 350 ms before the first query: Node's loader resolves and reads some 570 files, and V8
 * compiles each. `npm run build` therefore also writes (scripts/bundle.js):
 *
 * - `vigil-bundle.js`, beside this file: the program and the libraries it loads at start-up in one
 *   file (esbuild). What a scan does not need at start-up stays outside and is loaded on first use:
 *   nodemailer, the report's chart libraries, and what src/cli/defer-modules.ts defers;
 * - `vigil-bundle.<sha1>.<node version>.<flags>.cache`: V8's code cache for it, made by running it
 *   once.
 *
 * With both, V8 deserialises the compiled code instead of parsing and compiling it. The cache is
 * named by a hash of the bundle's content, because V8 itself only checks the source's length.
 * V8 rejects a cache from another Node version or other flags; the program then compiles as usual
 * and, at exit, writes a fresh cache beside the bundle if it may (never anywhere else: a code cache
 * is code, so it lives where the code does, with the same owner).
 *
 * Without the bundle, with one older than the compiled files (`tsc` alone ran since), or with
 * VIGIL_BUNDLE=0 (stack traces then name the source
 * files), the program loads from its compiled files. VIGIL_DEBUG=1 says which way it started.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

type Program = typeof import('./program');

export const BUNDLE_FILE = path.join(__dirname, 'vigil-bundle.js');

const sha1 = (text: string, length: number): string =>
  crypto.createHash('sha1').update(text).digest('hex').slice(0, length);

/** What every code cache of this bundle under this Node version is named with first. */
const codeCachePrefix = (source: string): string => `vigil-bundle.${sha1(source, 16)}.${process.version}.`;

/**
 * The code cache's name for a bundle's content under this Node version and these node flags (V8
 * rejects a cache made under other flags, so `node dist/cli/main.js` and the `vigil` command, whose
 * shebang adds a flag, each keep their own).
 */
export function codeCacheName(
  source: string,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string {
  return `${codeCachePrefix(source)}${sha1(`${execArgv.join(' ')}|${nodeOptions}`, 8)}.cache`;
}

/** Caches of the same bundle and Node version (under other flags) are kept; others are stale. */
const staleCache = (name: string, prefix: string): boolean =>
  /^vigil-bundle\..*\.cache$/.test(name) && !name.startsWith(prefix);

function debug(line: string): void {
  if (process.env.VIGIL_DEBUG === '1') process.stderr.write(`vigil: start-up: ${line}\n`);
}

/** Writes the cache atomically and removes caches of other bundles or Node versions. */
function writeCodeCache(script: vm.Script, file: string, prefix: string): void {
  const dir = path.dirname(file);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    fs.writeFileSync(tmp, Buffer.concat([digest(data), data]));
    fs.renameSync(tmp, file);
    for (const name of fs.readdirSync(dir))
      if (staleCache(name, prefix)) fs.rmSync(path.join(dir, name), { force: true });
    debug(`wrote the code cache ${path.basename(file)}`);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    debug(`could not write the code cache (${(e as Error).message}); start-up stays uncached`);
  }
}

const digest = (data: Uint8Array): Buffer => crypto.createHash('sha1').update(data).digest();
const DIGEST_BYTES = 20;

/**
 * The cache's V8 data, after checking its SHA-1 (the file's first 20 bytes): V8 trusts a cache
 * whose header matches and aborts the process on damaged data further in, so a truncated or
 * damaged file must never reach it. 'damaged' is treated as no cache (and is rewritten).
 */
function readCodeCache(file: string): Buffer | 'damaged' | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const data = bytes.subarray(DIGEST_BYTES);
  return bytes.length > DIGEST_BYTES && digest(data).equals(bytes.subarray(0, DIGEST_BYTES))
    ? data
    : 'damaged';
}

/** Runs the bundle as a CommonJS module, with its code cache when there is a valid one. */
function runBundle(file: string): Program {
  const source = fs.readFileSync(file, 'utf8');
  const cacheFile = path.join(path.dirname(file), codeCacheName(source));
  const prefix = codeCachePrefix(source); // not `source` in the exit closure: it would stay alive
  const read = readCodeCache(cacheFile);
  const cachedData = read === 'damaged' ? undefined : read;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  require.cache[file] = mod;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  const state =
    read === 'damaged'
      ? 'code cache damaged (not used)'
      : !cachedData
        ? 'no code cache'
        : script.cachedDataRejected
          ? 'code cache rejected'
          : 'code cache used';
  debug(`${path.basename(file)}, ${state}`);
  if (!cachedData || script.cachedDataRejected)
    process.once('exit', () => writeCodeCache(script, cacheFile, prefix));
  return mod.exports as Program;
}

/** The bundle, unless it is absent, turned off, or older than the compiled program (a `tsc` since). */
function usableBundle(bundleFile: string): boolean {
  if (process.env.VIGIL_BUNDLE === '0') return false;
  try {
    return fs.statSync(bundleFile).mtimeMs >= fs.statSync(path.join(__dirname, 'program.js')).mtimeMs;
  } catch {
    return false;
  }
}

/** The program: from the bundle when it is usable, else file by file. */
export function loadProgram(bundleFile = BUNDLE_FILE): Program {
  if (usableBundle(bundleFile)) return runBundle(bundleFile);
  debug('compiled files (no bundle, an older one, or VIGIL_BUNDLE=0)');
  return require('./program') as Program;
}
