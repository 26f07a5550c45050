// Per-thread TLS in a module linked by wasmthreads: one shared memory, one instance per thread.
// The main thread's instance runs `__wasm_init_memory` (it wins the once-flag and gets the static
// TLS block); each worker instantiates the same module on the same memory, gets its own block
// through `__wasm_init_tls`, must see the initial values (not the main thread's writes), and its
// writes must not leak into any other thread. Every wait has a timeout.

import { Worker } from 'node:worker_threads';
import t from 'tap';
import { link, parseLinkArgs } from '../../src/link/index.js';

const FIXTURES = new URL('../fixtures/c/', import.meta.url).pathname;
const WORKERS = 3;
const WAIT_MS = 10_000;
/** tls_init (42) + tls_zero (0) + tls_big[0] ('h') + tls_big[1] ('e'). */
const INITIAL = 42 + 0 + 104 + 101;
const valueAfterSet = (v: number): number => v + 2 * v + v + 101;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, block, value, sync } = workerData;
const flags = new Int32Array(sync);
const inst = new WebAssembly.Instance(module, { env: { memory } });
const e = inst.exports;
e.__wasm_init_tls(block);
const initial = e.get_tls();
const addr = e.addr_of_tls();
const bigAligned = e.addr_of_big() % 64 === 0;
e.set_tls(value);
// Barrier: every worker has written its TLS before anyone reads again.
Atomics.add(flags, 0, 1);
Atomics.notify(flags, 0);
const deadline = Date.now() + ${WAIT_MS};
while (Atomics.load(flags, 0) < ${WORKERS} && Date.now() < deadline) Atomics.wait(flags, 0, Atomics.load(flags, 0), 100);
parentPort.postMessage({ initial, addr, bigAligned, after: e.get_tls(), barrier: Atomics.load(flags, 0) });
`;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), WAIT_MS).unref())]);
}

t.test('each thread sees its own TLS block', async (t) => {
  const args = ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '--export=__wasm_init_tls', '--export=__tls_size', '--export=__tls_align', '--export=__heap_base', FIXTURES + 'tls.o'];
  const { bytes } = link(parseLinkArgs(args).options);
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
  const main = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, any>;
  t.equal(main.get_tls(), INITIAL, 'main thread: initial values from the static block');
  main.set_tls(7);
  t.equal(main.get_tls(), valueAfterSet(7), 'main thread: own write');

  const size: number = main.__tls_size.value;
  const align: number = main.__tls_align.value;
  t.equal(size, 168, '__tls_size');
  t.equal(align, 64, '__tls_align (over-aligned tls_big)');
  const stride = Math.ceil(size / align) * align;
  const base = Math.ceil(main.__heap_base.value / align) * align;
  const sync = new SharedArrayBuffer(4);
  const results = await withTimeout(
    Promise.all(
      Array.from({ length: WORKERS }, (_, i) => {
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, block: base + i * stride, value: 10 + i, sync } });
        return new Promise<any>((resolve, reject) => {
          w.once('message', (m) => {
            resolve(m);
            void w.terminate();
          });
          w.once('error', reject);
        });
      }),
    ),
    'workers',
  );
  results.forEach((r, i) => {
    t.equal(r.barrier, WORKERS, `worker ${i}: barrier reached`);
    t.equal(r.initial, INITIAL, `worker ${i}: fresh copy of the initial values, not the main thread's writes`);
    t.equal(r.addr, base + i * stride, `worker ${i}: &tls_init is inside its own block`);
    t.ok(r.bigAligned, `worker ${i}: tls_big is 64-byte aligned`);
    t.equal(r.after, valueAfterSet(10 + i), `worker ${i}: only its own write is visible`);
  });
  t.equal(main.get_tls(), valueAfterSet(7), 'main thread: untouched by the workers');
});
