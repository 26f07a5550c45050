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

import type { InputSegment } from './symbols.js';

/**
 * The strings of a mergeable input, one entry each: where it starts in the input and, once merged,
 * in the output segment (or output custom section). Two int32 arrays, not an object per string:
 * emscripten's libc-mt.a has 28,681 strings in its .debug_str sections (5,609 distinct).
 */
export class Pieces {
  readonly output: Int32Array;
  constructor(readonly input: Int32Array) {
    this.output = new Int32Array(input.length);
  }

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

/** Splits NUL-terminated strings; undefined when the data does not end in NUL. */
export function splitStrings(data: Uint8Array): Pieces | undefined {
  if (data.length > 0 && data[data.length - 1] !== 0) return undefined;
  let n = 0;
  for (let off = 0; off < data.length; off = data.indexOf(0, off) + 1) n++;
  const starts = new Int32Array(n);
  for (let i = 0, off = 0; i < n; i++, off = data.indexOf(0, off) + 1) starts[i] = off;
  return new Pieces(starts);
}

/** One mergeable input: its bytes and pieces (a data segment or a custom section). */
export interface MergeInput {
  data: Uint8Array;
  pieces: Pieces;
}

/**
 * Merges the inputs into one string table, tail merged (llvm StringTableBuilder RAW, optimised),
 * and fills each piece's output offset as `base` + its offset in the table; returns the table.
 *
 * The distinct strings are placed sorted by their reversed bytes in descending order, so that a
 * string directly follows every string it is a suffix of, and a string that is a suffix of the
 * one placed just before it shares that string's tail. Each string is taken as its REVERSED
 * bytes, a latin1 slice of its input reversed whole (one char per byte, so chars compare as the
 * bytes do): V8's own sort then orders them with no comparator called from JavaScript (a
 * descending walk of the ascending order; a prefix sorts first, as a suffix must follow), and
 * the suffix test is a prefix test. The table is built reversed too: the placed strings in
 * reverse order, reversed back as one buffer. On libc-mt.a's debug strings (Node 20, median
 * of 5) 23 ms instead of 38 with a comparator reading the strings back to front.
 */
export function mergeInputs(inputs: MergeInput[], base: number): Uint8Array {
  const keys = inputs.map(({ data, pieces }) => {
    const n = data.length;
    const reversed = Buffer.from(data).reverse().toString('latin1');
    const starts = pieces.input;
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
  inputs.forEach(({ pieces }, k) => {
    const out = pieces.output;
    const ks = keys[k];
    for (let i = 0; i < ks.length; i++) out[i] = base + offsets.get(ks[i])!;
  });
  const table = Buffer.from(placed.reverse().join(''), 'latin1').reverse();
  return new Uint8Array(table.buffer, table.byteOffset, table.byteLength);
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
