import { Writable } from 'node:stream';

/** A real stream that keeps what was written, line by line (not a terminal: no colours). */
export function captureStream(): { lines: string[]; stream: NodeJS.WriteStream } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  return { lines, stream };
}
