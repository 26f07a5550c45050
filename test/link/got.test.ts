// GOT accesses in a non-PIC executable: R_WASM_GLOBAL_INDEX_LEB
// against a function, a data symbol and a TLS symbol (got_pic.o, built -fPIC) become internal GOT
// globals — `GOT.func.internal.helper` = its table slot, `GOT.data.internal.shared_counter` = its
// address, and for the TLS symbol under shared memory a mutable global set per thread by
// `__wasm_apply_global_tls_relocs`, called from `__wasm_init_tls`. Compared with wasm-ld-22, and
// both outputs run in workers on one shared memory: each thread's GOT entry points into its own
// TLS block.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { haveWasmLd as wasmLdInstalled, LinkHarness, WASM_LD } from './harness.js';
import { link, parseLinkArgs } from '../../src/link/index.js';
import { summarize } from './summarize.js';

const FIXTURES = new URL('../fixtures/c/', import.meta.url).pathname;
const haveWasmLd = wasmLdInstalled();
const haveValidate = spawnSync('wasm-validate', ['--version'], { timeout: 10_000 }).status === 0;
const h = new LinkHarness('got');
const f = (n: string): string => join(FIXTURES, n);
const WORKERS = 3;
const WAIT_MS = 10_000;

const ours = (args: string[]): Uint8Array => link(parseLinkArgs(args).options).bytes;
function ref(args: string[]): Uint8Array {
  const r = h.ref(args);
  if (r.code !== 0) throw new Error(r.stderr);
  return readFileSync(r.out);
}
const validate = (bytes: Uint8Array): string => h.validate(bytes, ['--enable-threads']);

const EXPORTS = ['--export=get_helper', '--export=counter_addr', '--export=bump_tls', '--export=tls_addr', '--export=call_helper'];
const INPUTS = [f('got_pic.o'), f('got_def.o')];
const SHARED = ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '--export=__wasm_init_tls', '--export=__tls_size', '--export=__tls_align', '--export=__heap_base', ...EXPORTS, ...INPUTS];
const CASES = [
  { name: 'shared memory: TLS GOT entry set by __wasm_apply_global_tls_relocs', args: SHARED, got: { 'GOT.data.internal.tls_counter': 'mut 12' } },
  { name: 'shared memory, __wasm_init_tls not exported', args: ['--no-entry', '--shared-memory', '--max-memory=1048576', ...EXPORTS, ...INPUTS], got: { 'GOT.data.internal.tls_counter': 'mut 12' } },
  { name: 'no shared memory: TLS GOT entry is a constant address', args: ['--no-entry', ...EXPORTS, ...INPUTS], got: {} },
];

t.test('GOT: wasmthreads and wasm-ld-22 agree', { skip: haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)` }, async (t) => {
  for (const c of CASES) {
    t.test(c.name, async (t) => {
      const a = ref(c.args);
      const b = ours(c.args);
      if (haveValidate) {
        t.equal(validate(a), 'valid', 'wasm-ld output validates');
        t.equal(validate(b), 'valid', 'our output validates');
      }
      const sa = summarize(a);
      const sb = summarize(b);
      t.match(sa.globals, { 'GOT.func.internal.helper': '1', 'GOT.data.internal.shared_counter': /^\d+$/, ...c.got }, 'the reference has the internal GOT globals');
      t.same(sb, sa, 'same summary (GOT globals and values, exports, data, table)');
      t.equal(hasFunction(b, '__wasm_apply_global_tls_relocs'), hasFunction(a, '__wasm_apply_global_tls_relocs'), '__wasm_apply_global_tls_relocs present in both or neither');
    });
  }
});

function hasFunction(bytes: Uint8Array, name: string): boolean {
  return Buffer.from(bytes).includes(Buffer.from(name));
}

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, block, value } = workerData;
const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
e.__wasm_init_tls(block);
const addr = e.tls_addr();
const first = e.bump_tls();
for (let i = 1; i < value; i++) e.bump_tls();
parentPort.postMessage({ addr, first, last: e.bump_tls() - 1, helper: e.call_helper(value), counter: new Int32Array(memory.buffer, e.counter_addr(), 1)[0] });
`;

async function runThreads(bytes: Uint8Array): Promise<{ main: unknown; workers: unknown[]; blocks: number[]; tdataOffset: number }> {
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared: true });
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, any>;
  const align: number = e.__tls_align.value;
  const stride = Math.ceil(e.__tls_size.value / align) * align;
  const base = Math.ceil(e.__heap_base.value / align) * align;
  const blocks = Array.from({ length: WORKERS }, (_, i) => base + i * stride);
  const workers = await Promise.all(
    blocks.map((block, i) => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, block, value: 10 + i } });
      const done = new Promise<unknown>((resolve, reject) => {
        w.once('message', (m) => {
          resolve(m);
          void w.terminate();
        });
        w.once('error', reject);
      });
      return Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('worker timed out')), WAIT_MS).unref())]);
    }),
  );
  // The main thread's GOT entry is set only by __wasm_init_tls (in both linkers' output), so it
  // gets a block of its own too, after the workers'.
  const mainBlock = base + WORKERS * stride;
  e.__wasm_init_tls(mainBlock);
  return { main: { addr: e.tls_addr(), first: e.bump_tls() }, workers, blocks: [...blocks, mainBlock], tdataOffset: 3 * 4 };
}

t.test('TLS through the GOT is per thread', { skip: haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)` }, async (t) => {
  const a = await runThreads(ref(SHARED));
  const b = await runThreads(ours(SHARED));
  b.workers.forEach((w, i) => {
    t.same(w, { addr: b.blocks[i] + b.tdataOffset, first: 101, last: 100 + 10 + i, helper: 3 * (10 + i), counter: 7 }, `worker ${i}: GOT points into its own block, fresh initial value, own writes only`);
  });
  t.same(b.main, { addr: b.blocks[WORKERS] + b.tdataOffset, first: 101 }, 'main thread: its own block');
  t.same(b, a, 'the same as wasm-ld-22 output');
});
