// A thread of `wasmthreads bench tls`: instantiates its modules, warms every variant up, then
// takes its samples in step with the other threads (a barrier before each sample) in rotated
// order — sample s runs the variants starting at s mod V — and posts ns/op for each.

import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type BenchJob } from './tls-run.js';

parentPort!.postMessage(runJob(workerData as BenchJob));
