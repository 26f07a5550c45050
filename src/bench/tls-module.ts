// The modules `wasmthreads bench tls` measures, built here (no compiler at run time). Each variant
// is an exported `(param $n i32) (result i32)` loop that reads a 32-bit variable, adds 1 and writes
// it back, n times, then returns it — one "TLS read+write" per iteration, reached the way compiled
// code reaches it:
//
//   plain        a plain global: `i32.load/store` at a constant address (a C static).
//   tls_inline   `_Thread_local` as clang emits it with the access inlined:
//                `global.get __tls_base` + `i32.load/store offset=8`.
//   tls_call     `_Thread_local` through a call that returns its address (`__tls_get_addr`-style
//                accessors, or a TLS variable of another module); the callee is a separate function.
//   key_lookup   a `pthread_getspecific`-style key: a call that reads the thread's TSD array
//                pointer from its TLS block, indexes it by the key and returns the value pointer.
//   host_import  TLS emulated through a host import that returns this thread's variable address
//                (what a host gives a guest without native TLS).
//
// One module per thread index t: each thread's variables lie on their own 64-byte lines, so no two
// threads share a cache line (threads "at once" measure access cost, not false sharing). Layout
// of shared memory page 0, for thread t (t < MAX_THREADS):
//   TLS block  0x1000 + 64t: [0] pointer to the thread's TSD array, [8] the TLS variable
//   TSD array  0x3000 + 64t: 16 keys; key 3 holds a pointer to VALUE
//   VALUE      0x5000 + 64t   (what key_lookup reaches)
//   PLAIN      0x7000 + 64t   (the plain global; a C static of that thread's own)

import { writeModule } from '../binary/write-module.js';
import { encodeS32, encodeU32 } from '../binary/leb.js';
import { ExternalKind, SectionId, ValTypeCode, type TypeIndex } from '../binary/types.js';
import { LimitsFlag } from '../binary/format.js';
import { I32_ALIGN_LOG2, Op } from '../binary/opcodes.js';

export const MAX_THREADS = 64;
export const VARIANTS = ['plain', 'tls_inline', 'tls_call', 'key_lookup', 'host_import'] as const;
export type Variant = (typeof VARIANTS)[number];
export const VARIANT_LABELS: Record<Variant, string> = {
  plain: 'plain global (static address)',
  tls_inline: '_Thread_local, inlined (__tls_base)',
  tls_call: '_Thread_local through a call',
  key_lookup: 'pthread_getspecific-style key',
  host_import: 'TLS emulated by a host import',
};

const LINE = 64;
const TLS_VAR = 8;
const KEY = 3;
export const tlsBlock = (t: number): number => 0x1000 + LINE * t;
export const tsdArray = (t: number): number => 0x3000 + LINE * t;
export const valueAddr = (t: number): number => 0x5000 + LINE * t;
export const plainAddr = (t: number): number => 0x7000 + LINE * t;
/** The variable host_import reaches: thread t's TLS variable. */
export const hostTlsAddr = (t: number): number => tlsBlock(t) + TLS_VAR;

const i32c = (v: number): number[] => [Op.i32Const, ...encodeS32(v)];
const load = (offset: number): number[] => [Op.i32Load, I32_ALIGN_LOG2, ...encodeU32(offset)];
const store = (offset: number): number[] => [Op.i32Store, I32_ALIGN_LOG2, ...encodeU32(offset)];

/** `loop { ADDR; ADDR; load; +1; store; n-- } ; ADDR; load` with ADDR computed by `addr` into local 1. */
function counterLoop(addr: number[]): number[] {
  return [
    1, 1, ValTypeCode.i32, // one local: $p
    Op.loop, Op.void,
    ...addr, Op.localTee, 1, Op.localGet, 1, ...load(0), ...i32c(1), Op.i32Add, ...store(0),
    Op.localGet, 0, ...i32c(1), Op.i32Sub, Op.localTee, 0, Op.brIf, 0,
    Op.end,
    Op.localGet, 1, ...load(0),
    Op.end,
  ];
}

/** The benchmark module for thread index t (imports `env.memory` and `bench.tls_addr`). */
export function tlsBenchModule(t: number): Uint8Array {
  if (!(Number.isInteger(t) && t >= 0 && t < MAX_THREADS)) throw new RangeError(`thread index ${t} out of range`);
  const { i32 } = ValTypeCode;
  const N_TO_I32 = 0 as TypeIndex;
  const TO_I32 = 1 as TypeIndex;
  // Function indices: 0 the import; 1 tls_addr; 2 getspecific; 3.. the variants.
  const [IMPORT, ADDR_FN, GETSPECIFIC] = [0, 1, 2];
  const bodies: number[][] = [
    // tls_addr(): __tls_base + 8
    [0, Op.globalGet, 0, ...i32c(TLS_VAR), Op.i32Add, Op.end],
    // getspecific(key): self->tsd[key] where self->tsd is word 0 of the TLS block
    [0, Op.globalGet, 0, ...load(0), Op.localGet, 0, ...i32c(2), Op.i32Shl, Op.i32Add, ...load(0), Op.end],
    // plain and tls_inline fold the address into the load/store, as a compiler does
    inlineLoop(i32c(plainAddr(t)), 0),
    inlineLoop([Op.globalGet, 0], TLS_VAR),
    counterLoop([Op.call, ADDR_FN]),
    counterLoop([...i32c(KEY), Op.call, GETSPECIFIC]),
    counterLoop([Op.call, IMPORT]),
  ];
  const at = { offset: 0, contentOffset: 0 };
  return writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types: [{ params: [i32], results: [i32] }, { params: [], results: [i32] }], ...at },
      { id: SectionId.Import, imports: [
        { module: 'bench', name: 'tls_addr', desc: { kind: ExternalKind.Func, typeIndex: TO_I32 } },
        { module: 'env', name: 'memory', desc: { kind: ExternalKind.Memory, memory: { limits: { flags: LimitsFlag.HAS_MAX | LimitsFlag.SHARED, min: 1n, max: 1n } } } },
      ], ...at },
      { id: SectionId.Function, functions: [TO_I32, N_TO_I32, ...VARIANTS.map(() => N_TO_I32)], ...at },
      { id: SectionId.Global, globals: [{ type: { valType: i32, mutable: true }, init: { bytes: Uint8Array.from([...i32c(tlsBlock(t)), Op.end]) } }], ...at },
      { id: SectionId.Export, exports: VARIANTS.map((name, i) => ({ name, kind: ExternalKind.Func, index: 3 + i })), ...at },
      { id: SectionId.Code, bodies: bodies.map((b) => ({ bytes: Uint8Array.from(b), offset: 0, bytesOffset: 0 })), ...at },
    ],
  });
}

/** `loop { BASE; BASE; load offset; +1; store offset; n-- }; BASE; load offset` — the address inline. */
function inlineLoop(base: number[], offset: number): number[] {
  return [
    0,
    Op.loop, Op.void,
    ...base, ...base, ...load(offset), ...i32c(1), Op.i32Add, ...store(offset),
    Op.localGet, 0, ...i32c(1), Op.i32Sub, Op.localTee, 0, Op.brIf, 0,
    Op.end,
    ...base, ...load(offset),
    Op.end,
  ];
}

/** Writes thread t's TSD array and key pointer into the shared memory (once per thread). */
export function initThreadMemory(memory: WebAssembly.Memory, t: number): void {
  const w = new Int32Array(memory.buffer);
  w[tlsBlock(t) / 4] = tsdArray(t);
  w[(tsdArray(t) + KEY * 4) / 4] = valueAddr(t);
}
