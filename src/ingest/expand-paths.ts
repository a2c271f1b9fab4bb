/**
 * Expands path arguments that may be globs (`*`, `?`, `[abc]`, `**`) into existing files, sorted,
 * without duplicates. A plain path is returned as given even when missing, so the caller can say so.
 */
import fs from 'node:fs';
import path from 'node:path';

const MAGIC = /[*?[]/;

export function hasGlob(p: string): boolean {
  return MAGIC.test(p);
}

export async function expandPaths(patterns: string[], cwd = process.cwd()): Promise<string[]> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    if (!hasGlob(pattern)) {
      out.add(pattern);
      continue;
    }
    for (const f of (await expandGlob(pattern, cwd)).sort()) out.add(f);
  }
  return [...out];
}

async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const absolute = path.isAbsolute(pattern);
  const segments = pattern.split(/[/\\]+/).filter((s, i) => s !== '' || i === 0);
  let base = absolute ? path.parse(path.resolve(pattern)).root : '';
  let i = absolute ? 1 : 0;
  while (i < segments.length - 1 && !hasGlob(segments[i])) base = path.join(base, segments[i++]);
  const results: string[] = [];
  await walk(base, segments.slice(i), results, cwd);
  return results;
}

async function walk(dir: string, rest: string[], results: string[], cwd: string): Promise<void> {
  if (rest.length === 0) return;
  const [seg, ...tail] = rest;
  const entries = await fs.promises
    .readdir(path.resolve(cwd, dir || '.'), { withFileTypes: true })
    .catch(() => []);
  if (seg === '**') {
    await walk(dir, tail, results, cwd);
    for (const e of entries) if (e.isDirectory()) await walk(path.join(dir, e.name), rest, results, cwd);
    return;
  }
  const re = segmentRegex(seg);
  for (const e of entries) {
    if (!re.test(e.name) || (e.name.startsWith('.') && !seg.startsWith('.'))) continue;
    const p = path.join(dir, e.name);
    if (tail.length === 0) {
      if (e.isFile() || e.isSymbolicLink()) results.push(p);
    } else if (e.isDirectory()) await walk(p, tail, results, cwd);
  }
}

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${seg
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
