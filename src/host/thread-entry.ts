// The entry of the `thread-worker` bundle (dist/thread-worker.js): the runtime's worker loop with
// the built-in plug-ins. Every wasm thread's worker runs this file.

import { runThreadWorker } from '../runtime/thread-worker.js';
import { wasiWorkerPlugin } from '../wasi/index.js';

await runThreadWorker([wasiWorkerPlugin]);
