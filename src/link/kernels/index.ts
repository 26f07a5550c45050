// The linker's loops written in C (reloc-words.c, merge-strings.c), built into one wasm module
// (build.sh; its bytes in kernels-wasm.ts), compiled once per process and instantiated once per
// link, so that a link's memory goes with it. The linker runs its JavaScript without V8's
// optimising compiler (bin/start.js says why), where a loop over bytes costs hundreds of
// nanoseconds a step; V8 compiles these with its baseline wasm compiler. A call from JavaScript
// costs about a microsecond, so each call takes a batch of work.
//
// The memory holds, from the module's `__heap_base`: the relocation types table, then the tables
// the link keeps while it writes its custom sections (`alloc`), and above them the scratch room of
// the call at hand (`scratch`), for which the caller copies its inputs in and its results out.

import { RELOC_TYPES } from '../../binary/reloc-types.js';
import { KERNELS_WASM } from './kernels-wasm.js';

interface KernelExports {
  reloc_chunks(jobs: number, count: number, types: number, pending: number): number;
  count_strings(inputs: number, n: number): number;
  merge_strings(inputs: number, n: number, count: number, starts: number, offsets: number, counts: number, table: number, base: number, work: number, hashSize: number): number;
}

/**
 * reloc-words.c's job record, one per chunk, in words: the chunk's bytes and size, its `reloc.*`
 * bytes and size, its object's symbol table and symbol count, the tombstone and whether there is
 * one; then written by reloc_chunks, how many entries it handed back (-1: it gave up) and where
 * in the pending list they start.
 */
export const JOB_WORDS = 10;
export const JOB_RESULT = 8;
export const JOB_PENDING_START = 9;

/** reloc-words.c's flags per relocation type: a 32-bit little-endian word; the entry has an addend. */
const TYPE_WORD = 1;
const TYPE_ADDEND = 2;
/** The types table's size: reloc-words.c's TYPE_COUNT, two bytes each. */
const TYPE_COUNT = 64;
const WASM_PAGE = 65536;

/**
 * Below how much work the linker does without wasm: the first wasm a process compiles costs it
 * V8's wasm engine starting and 2-3 MiB of fresh memory. That is 1-2 ms of CPU where a fresh page
 * costs 2 µs (21 pairs on Node 20, 22 and 26) and about 6 ms where it costs 12 µs (both seen on
 * this project's 2-core test machines). The JavaScript paths cost more on a small input than their
 * large-input rate says, since their code runs cold: the C hello world against Debian's wasi-libc
 * (13.5 KB of debug strings, 25 KB of debug relocation entries in four sections) ran 283 M
 * instructions with thresholds of 64 and 32 KiB, 243-250 M with 8 and 2 KiB, and 240 M with none,
 * 5.4 ms less CPU on Node 22 (25 pairs). In bytes of strings to merge, and of a custom section's
 * relocation entries (5 bytes or so each); once a link has its instance, it is used for anything.
 * Tests lower them to run the wasm loops on small inputs.
 */
export const kernelThresholds = { mergeBytes: 8 * 1024, relocBytes: 2 * 1024 };

/** What `alloc` and `scratch` throw when the memory cannot grow that far (a wasm32 memory holds 4 GiB). */
export class KernelMemoryError extends Error {}

export class Kernels {
  private static module: WebAssembly.Module | undefined;
  private static instance: Kernels | undefined;
  private static owner: object | undefined;
  private readonly memory: WebAssembly.Memory;
  readonly fn: KernelExports;
  /** The types table's address. */
  readonly types: number;
  u8!: Uint8Array;
  i32!: Int32Array;
  private top = 0;
  /** The link's own tables, by what they describe (an object, a merged section): their address. */
  readonly tables = new Map<object, number>();

  private constructor() {
    Kernels.module ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM, 'base64'));
    const e = new WebAssembly.Instance(Kernels.module).exports;
    const missing = ['reloc_chunks', 'count_strings', 'merge_strings'].filter((f) => typeof e[f] !== 'function');
    if (!(e.memory instanceof WebAssembly.Memory) || !(e.__heap_base instanceof WebAssembly.Global) || missing.length) {
      throw new Error(`internal error: the linker's wasm module lacks its memory, __heap_base or ${missing.join(', ')}`);
    }
    this.memory = e.memory;
    this.fn = e as unknown as KernelExports;
    this.views();
    this.types = e.__heap_base.value as number;
    this.top = this.types + 2 * TYPE_COUNT;
    for (const info of RELOC_TYPES) {
      if (info === undefined || info.type >= TYPE_COUNT) continue;
      this.u8[this.types + 2 * info.type] = (info.encoding === 'i32' ? TYPE_WORD : 0) | (info.hasAddend ? TYPE_ADDEND : 0);
      this.u8[this.types + 2 * info.type + 1] = info.kindMask;
    }
  }

  /**
   * The instance of the link `owner` (the one object a link passes to every call, its context):
   * a new one, with a memory of its own, when `owner` is not the link it was last lent to.
   */
  static lend(owner: object): Kernels {
    if (Kernels.owner !== owner || !Kernels.instance) {
      Kernels.instance = new Kernels();
      Kernels.owner = owner;
    }
    return Kernels.instance;
  }

  /** Whether the link `owner` has its instance already. */
  static lentTo(owner: object): boolean {
    return Kernels.owner === owner && Kernels.instance !== undefined;
  }

  private views(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** Makes the memory at least `end` bytes long. */
  private reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / WASM_PAGE));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new KernelMemoryError(`${(end / 2 ** 20).toFixed(0)} MiB of wasm memory (it could not grow past ${(have / 2 ** 20).toFixed(0)} MiB)`);
    }
    this.views();
  }

  /** `n` bytes for the rest of the link, 8-aligned; the views may change. */
  alloc(n: number): number {
    const at = (this.top + 7) & ~7;
    this.reserve(at + n);
    this.top = at + n;
    return at;
  }

  /** `n` bytes of scratch above the tables, good until the next `alloc` or `scratch`; the views may change. */
  scratch(n: number): number {
    const at = (this.top + 7) & ~7;
    this.reserve(at + n);
    return at;
  }
}
