/**
 * The follow-mode registry: how far each file has been indexed, keyed by device + inode + path, so
 * a restart resumes without loss or duplicates. Written atomically (temp file + rename).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RegistryEntry {
  path: string;
  dev: number;
  ino: number;
  /** Byte offset just past the last line that was indexed. */
  offset: number;
  /** Hex of the file's first bytes when read: a different head means the file was replaced. */
  head: string;
  updatedAt: string;
}

interface RegistryFile {
  version: 1;
  entries: RegistryEntry[];
}

export function defaultRegistryPath(): string {
  const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'vigil', 'ingest-registry.json');
}

export function registryKey(dev: number, ino: number, filePath: string): string {
  return `${dev}:${ino}:${filePath}`;
}

export class Registry {
  readonly file: string;
  private readonly entries = new Map<string, RegistryEntry>();

  private constructor(file: string) {
    this.file = file;
  }

  /** Loads the registry; a missing file is an empty registry, an unreadable one is an Error. */
  static async load(file: string): Promise<Registry> {
    const reg = new Registry(file);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return reg;
      throw e;
    }
    const data = JSON.parse(text) as RegistryFile;
    for (const e of data.entries ?? []) reg.entries.set(registryKey(e.dev, e.ino, e.path), e);
    return reg;
  }

  /** The entry of this file: same device, inode and path, else the same inode under another name (renamed). */
  find(dev: number, ino: number, filePath: string): RegistryEntry | undefined {
    const exact = this.entries.get(registryKey(dev, ino, filePath));
    if (exact) return exact;
    for (const e of this.entries.values()) if (e.dev === dev && e.ino === ino) return e;
    return undefined;
  }

  set(entry: RegistryEntry): void {
    this.entries.set(registryKey(entry.dev, entry.ino, entry.path), entry);
  }

  async save(): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const data: RegistryFile = { version: 1, entries: [...this.entries.values()] };
    await fs.promises.writeFile(tmp, JSON.stringify(data, null, 1));
    await fs.promises.rename(tmp, this.file);
  }
}
