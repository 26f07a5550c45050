// The entry of the `thread-worker` bundle (dist/thread-worker.cjs): the runtime's worker loop with
// the built-in plug-ins. Every wasm thread's worker runs this file. It is bundled as CommonJS
// (workers boot faster), so no top-level await: runThreadWorker catches everything itself.

import { runThreadWorker } from '../runtime/thread-worker.js';
import { wasiWorkerPlugin } from '../wasi/index.js';

void runThreadWorker([wasiWorkerPlugin]);
