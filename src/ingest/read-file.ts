/** Reads a whole file as raw lines with byte offsets; gzip (by magic bytes) is decompressed on the fly. */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { LineSplitter, type RawLine } from './line-splitter';

const CHUNK = 1024 * 1024;

/** True when the file starts with the gzip magic bytes. */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await fs.promises.open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Yields the lines of a file in batches; offsets are into the decompressed content for .gz. */
export async function* readLineBatches(path: string, maxLineBytes?: number): AsyncGenerator<RawLine[]> {
  const gz = await isGzipFile(path);
  const file = fs.createReadStream(path, { highWaterMark: CHUNK });
  const stream: NodeJS.ReadableStream = gz ? file.pipe(zlib.createGunzip({ chunkSize: CHUNK })) : file;
  if (gz) file.on('error', (e) => (stream as zlib.Gunzip).destroy(e));
  const splitter = new LineSplitter(0, maxLineBytes);
  for await (const chunk of stream) {
    const lines = splitter.push(chunk as Buffer);
    if (lines.length) yield lines;
  }
  const last = splitter.flush();
  if (last) yield [last];
}
