/**
 * Splits a byte stream into lines with their byte offsets. A line longer than the cap is reported
 * as too long (offset and length) and its bytes are dropped, so memory stays bounded.
 */
import { isUtf8 } from 'node:buffer';
import { isBinaryLine } from './text';
import { failure, type ParseFailure } from './types';

/** Filebeat's default `max_bytes` is 10 MiB; we are stricter: no log line worth parsing is this long. */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024;

export interface RawLine {
  offset: number;
  /** The line without its newline; undefined when the line was too long. */
  bytes?: Buffer;
  /** Length in bytes, newline excluded. */
  length: number;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private partLength = 0;
  private lineStart: number;
  private overflow = false;
  private readonly maxLineBytes: number;

  constructor(startOffset = 0, maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.lineStart = startOffset;
    this.maxLineBytes = maxLineBytes;
  }

  /** Offset just past the last complete line: where a restart resumes. */
  get consumed(): number {
    return this.lineStart;
  }

  /** Bytes held for a line whose newline has not arrived yet. */
  get pendingBytes(): number {
    return this.partLength;
  }

  push(chunk: Buffer): RawLine[] {
    const lines: RawLine[] = [];
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) break;
      lines.push(this.finishLine(chunk.subarray(from, nl)));
      from = nl + 1;
    }
    if (from < chunk.length) this.hold(chunk.subarray(from));
    return lines;
  }

  /** The last line of a file that does not end in a newline (at EOF or before a switch of file). */
  flush(): RawLine | undefined {
    if (this.partLength === 0 && !this.overflow) return undefined;
    return this.finishLine(Buffer.alloc(0), false);
  }

  private hold(piece: Buffer): void {
    this.partLength += piece.length;
    if (this.overflow) return;
    if (this.partLength > this.maxLineBytes) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(piece));
  }

  private finishLine(tail: Buffer, newline = true): RawLine {
    const length = this.partLength + tail.length;
    const offset = this.lineStart;
    this.lineStart += length + (newline ? 1 : 0);
    let line: RawLine;
    if (this.overflow || length > this.maxLineBytes) line = { offset, length };
    else line = { offset, length, bytes: this.parts.length ? Buffer.concat([...this.parts, tail]) : tail };
    this.parts = [];
    this.partLength = 0;
    this.overflow = false;
    return line;
  }
}

export type DecodedLine = { ok: true; text: string; invalidUtf8: boolean } | ParseFailure;

/** Raw bytes → text: too long and binary lines fail; invalid UTF-8 is decoded with U+FFFD and flagged. */
export function decodeLine(raw: RawLine): DecodedLine {
  if (!raw.bytes) return failure('line_too_long', `line of ${raw.length} bytes is over the limit`);
  let bytes = raw.bytes;
  if (bytes.length && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
  if (isBinaryLine(bytes)) return failure('binary', 'binary data (NUL or control bytes)');
  const valid = isUtf8(bytes);
  return { ok: true, text: bytes.toString('utf8'), invalidUtf8: !valid };
}
