// String merging for WASM_SEG_FLAG_STRINGS data segments and the `.debug_str` family of custom
// sections (lld InputChunks.cpp MergeInputChunk / SyntheticMergedChunk, OutputSegment.cpp
// finalizeInputSegments; llvm StringTableBuilder).
//
// How it works, as wasm-ld 22 does at its default -O1:
// - A segment is mergeable when it has the STRINGS flag, byte alignment and some data. It is cut
//   into pieces, one per NUL-terminated string (the NUL included). wasm-ld marks every piece of a
//   live segment live (no per-piece garbage collection), so all pieces of live segments are kept.
// - Within one output segment, the mergeable inputs with equal flags and alignment are replaced by
//   one synthetic chunk, placed where the first of them was. Its contents: the distinct strings,
//   sorted by their reversed bytes in descending order (a string then directly follows every
//   string it is a suffix of), each string that is a suffix of the one placed just before it
//   sharing that string's tail instead of being written again (tail merging).
// - Each input keeps a piece table (input offset → offset in the output segment), so a symbol or
//   relocation at any offset inside a piece lands on the same byte of the merged copy.

import { WasmthreadsError } from '../diagnostics.js';
import { KernelMemoryError, Kernels, kernelThresholds } from './kernels/index.js';
import type { InputSegment } from './symbols.js';

/**
 * The strings of a mergeable input, one entry each: where it starts in the input and, once merged,
 * in the output segment (or output custom section). Two int32 arrays, not an object per string:
 * emscripten's libc-mt.a has 28,681 strings in its .debug_str sections (5,609 distinct).
 */
export class Pieces {
  constructor(
    readonly input: Int32Array,
    readonly output = new Int32Array(input.length),
  ) {}

  get length(): number {
    return this.input.length;
  }

  /** Moves every string's output offset by `delta` (its chunk was placed at `delta`). */
  shift(delta: number): void {
    const out = this.output;
    for (let i = 0; i < out.length; i++) out[i] += delta;
  }
}

const STRINGS = 0x1;

/** Whether wasm-ld would merge this segment (lld InputFiles.cpp shouldMerge). */
export function isMergeableSegment(seg: { flags: number; alignment: number; data: Uint8Array }, optimize: number): boolean {
  return optimize > 0 && (seg.flags & STRINGS) !== 0 && seg.alignment === 0 && seg.data.length > 0;
}

/** Custom sections wasm-ld merges, by name (custom sections carry no flags). */
export function isMergeableCustomSection(name: string, optimize: number): boolean {
  return optimize > 0 && (name === '.debug_str' || name === '.debug_str.dwo' || name === '.debug_line_str');
}

/** Whether `data` can be merged: its last string ends in NUL (or it has none). */
export function endsInNul(data: Uint8Array): boolean {
  return data.length === 0 || data[data.length - 1] === 0;
}

/**
 * Merges the inputs' strings (each input ending in NUL, `endsInNul`) into one string table, tail
 * merged (llvm StringTableBuilder RAW, optimised); returns the table and each input's pieces, their
 * output offsets `base` + their offset in the table. `link` is the link's context (kernels/index.ts
 * lend), `what` names the output section or segment for an error.
 *
 * The distinct strings are placed sorted by their reversed bytes in descending order, so that a
 * string directly follows every string it is a suffix of, and a string that is a suffix of the one
 * placed just before it shares that string's tail. From 8 KiB of input on (kernelThresholds), or
 * once the link has its wasm instance, this is done by kernels/merge-strings.c in wasm; below, in
 * JavaScript (`mergeInJs`): starting V8's wasm engine costs more than a few kilobytes of string
 * literals take to merge here (kernels/index.ts). libc-mt.a's debug strings (370 KB, 28,681
 * strings of which 5,609 distinct) took 20 ms of a link in JavaScript (Node 22); in wasm 10 ms for
 * a process's first call (its memory touched for the first time) and 4 after (Node 20, 15 calls).
 */
export function mergeStrings(link: object, what: string, inputs: readonly Uint8Array[], base = 0): { table: Uint8Array; pieces: Pieces[] } {
  let bytes = 0;
  for (let i = 0; i < inputs.length; i++) bytes += inputs[i].length;
  if (bytes < kernelThresholds.mergeBytes && !Kernels.lentTo(link)) return mergeInJs(inputs, base);
  try {
    return mergeInWasm(Kernels.lend(link), inputs, base);
  } catch (e) {
    if (!(e instanceof KernelMemoryError)) throw e;
    const mib = (bytes / 2 ** 20).toFixed(0);
    throw new WasmthreadsError({ severity: 'error', code: 'too-large', message: `cannot merge the strings of ${what} (${mib} MiB in ${inputs.length} inputs): merging them needs ${e.message}` });
  }
}

/**
 * mergeStrings in JavaScript. Each string is taken as its REVERSED bytes, a latin1 slice of its
 * input reversed whole (one char per byte, so chars compare as the bytes do): V8's own sort then
 * orders them with no comparator called from JavaScript (a descending walk of the ascending order;
 * a prefix sorts first, as a suffix must follow), and the suffix test is a prefix test. The table
 * is built reversed too: the placed strings in reverse order, reversed back as one buffer. On
 * libc-mt.a's debug strings (Node 20), 23 ms instead of 38 with a comparator reading the strings
 * back to front.
 */
export function mergeInJs(inputs: readonly Uint8Array[], base: number): { table: Uint8Array; pieces: Pieces[] } {
  const pieces = inputs.map(splitStrings);
  const keys = inputs.map((data, k) => {
    const n = data.length;
    const reversed = Buffer.from(data).reverse().toString('latin1');
    const starts = pieces[k].input;
    const out = new Array<string>(starts.length);
    for (let i = 0; i < starts.length; i++) out[i] = reversed.slice(n - (i + 1 < starts.length ? starts[i + 1] : n), n - starts[i]);
    return out;
  });
  // One map: first the distinct strings, then each one's offset in the table.
  const offsets = new Map<string, number>();
  for (const ks of keys) for (let i = 0; i < ks.length; i++) offsets.set(ks[i], 0);
  const sorted = [...offsets.keys()].sort();
  const placed: string[] = [];
  let size = 0;
  let previous = '';
  for (let i = sorted.length - 1; i >= 0; i--) {
    const s = sorted[i];
    if (previous.startsWith(s)) {
      offsets.set(s, size - s.length);
      continue;
    }
    offsets.set(s, size);
    placed.push(s);
    size += s.length;
    previous = s;
  }
  pieces.forEach((p, k) => {
    const out = p.output;
    const ks = keys[k];
    for (let i = 0; i < ks.length; i++) out[i] = base + offsets.get(ks[i])!;
  });
  const table = Buffer.from(placed.reverse().join(''), 'latin1').reverse();
  return { table: new Uint8Array(table.buffer, table.byteOffset, table.byteLength), pieces };
}

/** The strings of an input that ends in NUL: where each starts. */
function splitStrings(data: Uint8Array): Pieces {
  let n = 0;
  for (let off = 0; off < data.length; off = data.indexOf(0, off) + 1) n++;
  const starts = new Int32Array(n);
  for (let i = 0, off = 0; i < n; i++, off = data.indexOf(0, off) + 1) starts[i] = off;
  return new Pieces(starts);
}

/** mergeStrings in wasm, with `k`. */
export function mergeInWasm(k: Kernels, inputs: readonly Uint8Array[], base: number): { table: Uint8Array; pieces: Pieces[] } {
  let bytes = 0;
  for (const data of inputs) bytes += data.length;
  // The inputs' bytes and their records, then the table (at most as long as the inputs).
  const records = k.scratch(inputs.length * 8 + 2 * bytes + 8);
  let at = records + inputs.length * 8;
  for (let i = 0, w = records >> 2; i < inputs.length; i++, w += 2) {
    k.u8.set(inputs[i], at);
    k.i32[w] = at;
    k.i32[w + 1] = inputs[i].length;
    at += inputs[i].length;
  }
  const count = k.fn.count_strings(records, inputs.length);
  if (count < 0) throw new Error('internal error: a merged string input does not end in NUL');
  let hashSize = 16;
  while (hashSize < 2 * count) hashSize *= 2;
  const table = at;
  const starts = (table + bytes + 3) & ~3;
  const offsets = starts + 4 * count;
  const counts = offsets + 4 * count;
  const work = counts + 4 * inputs.length;
  // The same scratch, grown for the rest: the inputs and their records stay where they are.
  if (k.scratch(work + 4 * (7 * count + hashSize) - records) !== records) throw new Error('internal error: the scratch room moved');
  const size = k.fn.merge_strings(records, inputs.length, count, starts, offsets, counts, table, base, work, hashSize);
  // One copy of the starts and offsets (they lie together), a view of it for each input.
  const both = k.i32.slice(starts >> 2, (starts >> 2) + 2 * count);
  const perInput = k.i32.subarray(counts >> 2, (counts >> 2) + inputs.length);
  const pieces: Pieces[] = [];
  for (let i = 0, s = 0; i < inputs.length; i++) {
    const n = perInput[i];
    pieces.push(new Pieces(both.subarray(s, s + n), both.subarray(count + s, count + s + n)));
    s += n;
  }
  return { table: k.u8.slice(table, table + size), pieces };
}

/** Where byte `offset` of a merged input ended up (lld MergeInputChunk::getParentOffset). */
export function pieceOffset(pieces: Pieces, offset: number): number {
  const starts = pieces.input;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return pieces.output[lo] + (offset - starts[lo]);
}

/** The offset inside its output segment of byte `offset` of an input segment. */
export function segmentOffset(seg: InputSegment, offset: number): number {
  return seg.pieces ? pieceOffset(seg.pieces, offset) : seg.outputOffset + offset;
}
