/**
 * `--follow`: tails files like `tail -F`. Survives rotation by rename-and-create (the old file is
 * drained to its end, then the new one is read from its start) and by copytruncate (the size drops
 * below our position, or the first bytes change). Offsets are saved in the registry only after the
 * documents read up to them were indexed, so a restart loses and duplicates nothing.
 */
import fs from 'node:fs';
import type { BulkItem } from './bulk-index';
import { expandPaths } from './expand-paths';
import { type LineEnv, processLine } from './line-pipeline';
import { LineSplitter } from './line-splitter';
import type { ParseContext } from './parse-context';
import type { Registry } from './registry';

const HEAD_BYTES = 64;
/** Read at most this much per file per cycle, so that memory stays bounded on a large backlog. */
const CYCLE_BYTES = 8 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export interface FollowOptions {
  patterns: string[];
  pollMs: number;
  registry: Registry;
  signal: AbortSignal;
  /** A parse context for a newly opened file; `fromStart` says whether it is read from offset 0. */
  makeContext: (filePath: string, fromStart: boolean) => ParseContext;
  env: LineEnv;
  index: (items: BulkItem[]) => Promise<void>;
  maxLineBytes?: number;
  /** Called after each cycle that indexed something (tests and progress use it). */
  onCycle?: () => void;
}

interface Tracked {
  path: string;
  fh: fs.promises.FileHandle;
  dev: number;
  ino: number;
  readPos: number;
  splitter: LineSplitter;
  head: Buffer;
  ctx: ParseContext;
}

export async function followFiles(o: FollowOptions): Promise<void> {
  const tracked = new Map<string, Tracked>();
  try {
    for (;;) {
      const stopping = o.signal.aborted;
      const items: BulkItem[] = [];
      const retired: Tracked[] = [];
      let more = false;
      const paths = await expandPaths(o.patterns);
      for (const p of paths) more = (await pollPath(p, tracked, retired, items, o)) || more;
      if (items.length) await o.index(items);
      if (items.length || retired.length) await saveOffsets([...tracked.values(), ...retired], o.registry);
      for (const t of retired) await t.fh.close();
      if (items.length) o.onCycle?.();
      if (stopping) break;
      if (!more) await sleep(o.pollMs, o.signal);
    }
  } finally {
    for (const t of tracked.values()) await t.fh.close().catch(() => undefined);
  }
}

/** One look at one path; returns true when data is left to read after this cycle. */
async function pollPath(
  p: string,
  tracked: Map<string, Tracked>,
  retired: Tracked[],
  items: BulkItem[],
  o: FollowOptions,
): Promise<boolean> {
  const st = await fs.promises.stat(p).catch(() => undefined);
  let t = tracked.get(p);
  if (t && !st) return readNew(t, items, o, false); // deleted or mid-rotation: keep draining the open file
  if (t && st && (st.ino !== t.ino || st.dev !== t.dev)) {
    while (await readNew(t, items, o, true)) {}
    retired.push(t);
    tracked.delete(p);
    t = undefined;
  }
  if (!st?.isFile()) return false;
  if (!t) {
    t = await openTracked(p, o);
    tracked.set(p, t);
  }
  await detectTruncation(t, o);
  return readNew(t, items, o, false);
}

async function openTracked(p: string, o: FollowOptions): Promise<Tracked> {
  const fh = await fs.promises.open(p, 'r');
  const st = await fh.stat();
  const head = await readHead(fh, st.size);
  const entry = o.registry.find(st.dev, st.ino, p);
  const resume =
    entry && entry.offset <= st.size && headsMatch(Buffer.from(entry.head, 'hex'), head) ? entry.offset : 0;
  return {
    path: p,
    fh,
    dev: st.dev,
    ino: st.ino,
    readPos: resume,
    splitter: new LineSplitter(resume, o.maxLineBytes),
    head,
    ctx: o.makeContext(p, resume === 0),
  };
}

/** copytruncate: the file is now shorter than what we read, or its first bytes are not the ones we saw. */
async function detectTruncation(t: Tracked, o: FollowOptions): Promise<void> {
  const st = await t.fh.stat();
  const head = await readHead(t.fh, st.size);
  if (st.size >= t.readPos && headsMatch(t.head, head)) {
    if (head.length > t.head.length) t.head = head;
    return;
  }
  t.readPos = 0;
  t.splitter = new LineSplitter(0, o.maxLineBytes);
  t.head = head;
  t.ctx = o.makeContext(t.path, true); // new content: its own year and its own numbering of lines
}

async function readHead(fh: fs.promises.FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.min(HEAD_BYTES, size));
  if (buf.length === 0) return buf;
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
  return buf.subarray(0, bytesRead);
}

/** The shorter head must be a prefix of the longer one, and the file must not have lost bytes we saw. */
function headsMatch(seen: Buffer, now: Buffer): boolean {
  if (now.length < seen.length) return false;
  return now.subarray(0, seen.length).equals(seen);
}

/** Reads new complete lines; with `atEnd`, also the last line without a newline. True when more is left. */
async function readNew(t: Tracked, items: BulkItem[], o: FollowOptions, atEnd: boolean): Promise<boolean> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let budget = CYCLE_BYTES;
  while (budget > 0) {
    const { bytesRead } = await t.fh.read(buf, 0, Math.min(CHUNK, budget), t.readPos);
    if (bytesRead === 0) {
      const last = atEnd ? t.splitter.flush() : undefined;
      if (last) items.push(...processLine(last, t.ctx, o.env));
      return false;
    }
    t.readPos += bytesRead;
    budget -= bytesRead;
    for (const line of t.splitter.push(buf.subarray(0, bytesRead)))
      items.push(...processLine(line, t.ctx, o.env));
  }
  return true;
}

async function saveOffsets(files: Tracked[], registry: Registry): Promise<void> {
  if (files.length === 0) return;
  const updatedAt = new Date().toISOString();
  for (const t of files) {
    registry.set({
      path: t.path,
      dev: t.dev,
      ino: t.ino,
      offset: t.splitter.consumed,
      head: t.head.toString('hex'),
      updatedAt,
    });
  }
  await registry.save();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
