/**
 * Start-up time and memory: libraries vigil uses require, when they are loaded, modules that
 * vigil never calls. The Elasticsearch client's three cost about 90 ms of a cold start and 35 MiB
 * of RSS (bench/cold-start.js measures the start-up):
 *
 * - `apache-arrow`, for the ES|QL helpers' Arrow format (toArrowTable, toArrowReader);
 * - `undici`, for UndiciConnection: vigil's clients use HttpConnection (collect/client.ts);
 * - `@opentelemetry/core`, for suppressTracing, used only with `suppressInternalInstrumentation`;
 * - and winston's `@so-ric/colorspace`, which colours the namespace of DEBUG= diagnostics output.
 *
 * Each is entered in the module cache as a stand-in whose exports load the real module on first
 * use, so nothing changes for code that does use them; it only stops paying for those that do not.
 * Imported first by the CLI's entry point, before anything loads the client.
 */
import Module from 'node:module';
import path from 'node:path';

/** [module, the package that requires it] */
const DEFERRED: [request: string, from: string][] = [
  ['apache-arrow/Arrow.node', '@elastic/elasticsearch'],
  ['undici', '@elastic/transport'],
  ['@opentelemetry/core', '@elastic/transport'],
  ['@so-ric/colorspace', '@dabh/diagnostics'],
];

/** Where `request` resolves to from inside `pkg`, or undefined when it does not resolve. */
function resolveFrom(pkg: string, request: string): string | undefined {
  try {
    return require.resolve(request, { paths: [path.dirname(require.resolve(pkg))] });
  } catch {
    return undefined;
  }
}

/**
 * A module-cache entry whose exports load the real module the first time anything reads them (the
 * real module then takes its place in the cache). It says what it is: `deferred: true`.
 */
function lazyEntry(file: string): Module {
  let real: Record<PropertyKey, unknown> | undefined;
  const load = (): Record<PropertyKey, unknown> => {
    if (!real) {
      delete require.cache[file];
      real = require(file) as Record<PropertyKey, unknown>;
    }
    return real;
  };
  const entry = Object.assign(new Module(file), { deferred: true });
  entry.filename = file;
  entry.loaded = true;
  // a function target, so that a module whose exports are a function can be called through it
  const target = (() => undefined) as unknown as Record<PropertyKey, unknown>;
  entry.exports = new Proxy(target, {
    apply: (_t, self, args) => Reflect.apply(load() as unknown as (...a: unknown[]) => unknown, self, args),
    get: (_t, key) => load()[key],
    has: (_t, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Object.getOwnPropertyDescriptor(load(), key);
      return d && { ...d, configurable: true };
    },
  });
  return entry;
}

export function deferUnusedModules(): void {
  for (const [request, from] of DEFERRED) {
    const file = resolveFrom(from, request);
    if (file && !require.cache[file]) require.cache[file] = lazyEntry(file);
  }
}

deferUnusedModules();
