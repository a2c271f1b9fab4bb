/**
 * Fits an anomaly model in a worker thread, so that a monitor's event loop (lease renewal, the
 * outbox dispatcher, health) keeps running while the forest grows. From TypeScript sources (tests),
 * where there is no compiled worker script, it fits in this thread and says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type FitInput, type FitOutput, fitAnomalyModel } from '../evaluate/anomaly-model';

const WORKER_SCRIPT = path.join(__dirname, '..', 'evaluate', 'fit-worker.js');

export async function fitInWorker(input: FitInput): Promise<FitOutput & { thread: 'worker' | 'main' }> {
  if (!fs.existsSync(WORKER_SCRIPT)) return { ...fitAnomalyModel(input), thread: 'main' };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: input });
    worker.once('message', (out: FitOutput) => {
      resolve({ ...out, thread: 'worker' });
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the model-fitting worker exited with code ${code}`));
    });
  });
}
