/**
 * The dependencies a chaos run breaks and mends: Elasticsearch (SIGKILLed and restarted behind
 * the proxy; slow, 503 or unreachable through the proxy), the SMTP server (down, slow) and the
 * webhook receiver (503, hanging). Faults of a kind do not overlap; `heal` ends every one now.
 */
import type { HttpReceiver } from '../helpers/receivers';
import type { KillableCluster } from '../reliability/kit/cluster';
import type { EsProxy } from '../reliability/kit/es-proxy';
import { type Scenario, sleep } from '../reliability/kit/scenario';
import type { Op } from './plan';

type FaultOp = Exclude<Op, { kind: 'attack' | 'monitor-start' | 'monitor-stop' | 'scan' }>;

export interface Faults {
  /** starts the fault; its end runs in the background after its duration (or at heal) */
  begin(op: FaultOp): Promise<void>;
  /** ends every fault, brings Elasticsearch back, and indexes what the attacker buffered */
  heal(): Promise<void>;
}

export function createFaults(
  deps: { cluster: KillableCluster; proxy: EsProxy; scenario: Scenario; webhook: HttpReceiver },
  log: (line: string) => void,
): Faults {
  const { cluster, proxy, scenario: s, webhook } = deps;
  const es = { killed: false, unreachable: false, delayMs: 0, every503: 0 };
  const applyProxy = () =>
    Object.assign(proxy.faults, {
      down: es.killed || es.unreachable,
      delayMs: es.delayMs,
      fail503Every: es.every503,
      fail503Next: 0,
      match: undefined,
      bodyMatch: undefined,
    });
  /** pending ends, by kind: each runs once, at its time or at heal, whichever comes first */
  const ends = new Map<string, () => Promise<void>>();
  /** ends started (an Elasticsearch restart takes a while) */
  const inflight: Promise<void>[] = [];
  const once = (kind: string, end: () => Promise<void> | void) => {
    let done: Promise<void> | undefined;
    const run = () => {
      if (!done) {
        ends.delete(kind);
        done = (async () => {
          await end();
          log(`${kind} over`);
        })();
        inflight.push(done);
      }
      return done;
    };
    ends.set(kind, run);
    return run;
  };
  const endAfter = (kind: string, ms: number, end: () => Promise<void> | void) => {
    const run = once(kind, end);
    void sleep(ms)
      .then(run)
      .catch(() => undefined); // heal() awaits it and reports the failure
  };

  let smtpStopped: Promise<void> = Promise.resolve();
  const restartEs = async () => {
    await cluster.restart();
    // the shipper's buffer reaches the cluster before vigil sees it again (late data is out of scope)
    while (!(await s.flush())) await sleep(500);
    es.killed = false;
    applyProxy();
  };

  return {
    async begin(op) {
      switch (op.kind) {
        case 'es-kill': {
          es.killed = true;
          applyProxy();
          await cluster.kill();
          return endAfter('es-kill', op.downMs, restartEs);
        }
        case 'es-unreachable':
          es.unreachable = true;
          break;
        case 'es-slow':
          es.delayMs = op.delayMs;
          break;
        case 'es-503':
          es.every503 = op.every;
          break;
        case 'smtp-down':
          smtpStopped = s.stopSmtp();
          return endAfter(op.kind, op.forMs, async () => {
            await smtpStopped;
            await s.restartSmtp();
          });
        case 'smtp-slow':
          s.smtp.delayMs = op.delayMs;
          return endAfter(op.kind, op.forMs, () => {
            s.smtp.delayMs = 0;
          });
        case 'webhook-503':
          webhook.respondWith(503);
          return endAfter(op.kind, op.forMs, () => webhook.respondWith(200));
        case 'webhook-hang':
          webhook.delayMs = op.delayMs;
          return endAfter(op.kind, op.forMs, () => {
            webhook.delayMs = 0;
          });
      }
      applyProxy();
      endAfter(op.kind, op.forMs, () => {
        if (op.kind === 'es-unreachable') es.unreachable = false;
        if (op.kind === 'es-slow') es.delayMs = 0;
        if (op.kind === 'es-503') es.every503 = 0;
        applyProxy();
      });
    },
    async heal() {
      await Promise.all([...ends.values()].map((end) => end()));
      await Promise.all(inflight);
      while (!(await s.flush())) await sleep(500);
      applyProxy();
    },
  };
}
