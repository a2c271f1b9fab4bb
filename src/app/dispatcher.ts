/**
 * The dispatcher: drains the outbox on its own clock, apart from detection (Alertmanager's
 * dispatcher and notification pipeline). A detection cycle enqueues and returns; the dispatcher
 * sends, retries with backoff, and never overlaps itself. A slow or hanging receiver therefore
 * delays no detection cycle and cannot make one outlast its lease.
 */
import type { Notifier } from '../notify/notifier';
import type { DrainSummary } from '../notify/outbox';

export interface Dispatcher {
  /** drain soon (after a cycle enqueued something) */
  kick(): void;
  /** stops the loop; resolves once a drain under way has finished */
  stop(): Promise<void>;
}

export function startDispatcher(
  notifier: Notifier,
  everyMs: number,
  onDrain: (summary: DrainSummary) => void,
  onError: (e: unknown) => void,
): Dispatcher {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = notifier
      .drain(new Date())
      .then(onDrain, onError)
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (again) {
          again = false;
          setImmediate(run);
        } else timer = setTimeout(run, everyMs);
      });
  };
  timer = setTimeout(run, everyMs);
  return {
    kick: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
