/** A progress bar on stderr, only when it is a terminal; otherwise a no-op. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(bytesDone: number): void;
  stop(): void;
}

export function startProgress(stream: NodeJS.WriteStream, totalBytes: number): Progress {
  if (!stream.isTTY || totalBytes < 1024 * 1024) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream, format: 'ingest [{bar}] {percentage}% | {value}/{total} MB | eta {eta}s', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const mb = (b: number) => Math.round(b / 1e5) / 10;
  bar.start(mb(totalBytes), 0);
  return { update: (b) => bar.update(mb(b)), stop: () => bar.stop() };
}
