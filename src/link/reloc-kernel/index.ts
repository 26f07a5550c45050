// The relocation loop of reloc-words.c, compiled to wasm (build.sh, the bytes in
// reloc-words-wasm.ts): its instance and its memory, one per process, lent to one link at a time.
// The memory holds, from the module's `__heap_base`: the relocation types table (written once),
// then per link the tables of the objects whose custom sections were relocated so far (placed as
// they are first needed, with `alloc`), and above them the scratch room of the section being
// patched (`scratch`). relocations.ts relocateCustomInto says what goes into the tables.

import { RELOC_TYPES } from '../../binary/reloc-types.js';
import { RELOC_WORDS_WASM } from './reloc-words-wasm.js';

type RelocChunksFn = (jobs: number, count: number, types: number, pending: number) => number;

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

export class RelocWords {
  private static instance: RelocWords | undefined;
  private readonly memory: WebAssembly.Memory;
  private readonly relocChunks: RelocChunksFn;
  private readonly heapBase: number;
  /** The types table's address. */
  readonly types: number;
  u8!: Uint8Array;
  i32!: Int32Array;
  private top = 0;
  private owner: object | undefined;
  /** The link's own tables, by what they describe (an object, a merged section): their address. */
  readonly tables = new Map<object, number>();

  private constructor() {
    const bytes = Buffer.from(RELOC_WORDS_WASM, 'base64');
    const e = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    if (!(e.memory instanceof WebAssembly.Memory) || typeof e.reloc_chunks !== 'function' || !(e.__heap_base instanceof WebAssembly.Global)) {
      throw new Error('internal error: the relocation module lacks memory, reloc_chunks or __heap_base');
    }
    this.memory = e.memory;
    this.relocChunks = e.reloc_chunks as RelocChunksFn;
    this.heapBase = e.__heap_base.value as number;
    this.views();
    this.types = this.heapBase;
    this.top = this.types + 2 * TYPE_COUNT;
    for (const info of RELOC_TYPES) {
      if (info === undefined || info.type >= TYPE_COUNT) continue;
      this.u8[this.types + 2 * info.type] = (info.encoding === 'i32' ? TYPE_WORD : 0) | (info.hasAddend ? TYPE_ADDEND : 0);
      this.u8[this.types + 2 * info.type + 1] = info.kindMask;
    }
  }

  /** The process's instance, emptied of another link's tables if `owner` (a link) is not the last one it was lent to. */
  static lend(owner: object): RelocWords {
    const k = (RelocWords.instance ??= new RelocWords());
    if (k.owner !== owner) {
      k.owner = owner;
      k.tables.clear();
      k.top = k.types + 2 * TYPE_COUNT;
    }
    return k;
  }

  private views(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  /** Makes the memory at least `end` bytes long. */
  private reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    this.memory.grow(Math.ceil((end - have) / WASM_PAGE));
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

  /** reloc-words.c's reloc_chunks over `count` job records at `jobs`: how many pending entries in all. */
  run(jobs: number, count: number, pending: number): number {
    return this.relocChunks(jobs, count, this.types, pending);
  }
}
