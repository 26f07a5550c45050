// Running a fuzz loop in a worker thread, so that a test can kill a loop that hangs and name the
// case it hung on: the worker stores the index of the case it is running in `job.progress`
// (an Int32Array over a SharedArrayBuffer) before each case, and posts its result when done.

import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Bundles the worker's TypeScript entry into `dir` (workers do not get the test runner's loader). */
export function bundleWorker(entry: URL, dir: string): string {
  const outfile = join(dir, 'fuzz-worker.mjs');
  buildSync({ entryPoints: [fileURLToPath(entry)], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
  return outfile;
}

/** Runs the bundled worker on `job`; `{ hung }` names the case it was running when `deadlineMs` fired. */
export function runWorker<Job extends { progress: SharedArrayBuffer }, Result>(script: string, job: Job, deadlineMs: number): Promise<Result | { hung: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    const timer = setTimeout(() => {
      const caseIndex = Atomics.load(new Int32Array(job.progress), 0);
      void worker.terminate().then(() => resolve({ hung: caseIndex }));
    }, deadlineMs);
    worker.once('message', (result: Result) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
