/** Worker thread: fits an anomaly model off the main event loop (see app/fit-in-worker.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { type FitInput, fitAnomalyModel } from './anomaly-model';

parentPort?.postMessage(fitAnomalyModel(workerData as FitInput));
