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

/** One string of a mergeable input: where it starts in the input and in the output. */
export interface SectionPiece {
  inputOff: number;
  /** Offset in the output segment (or output custom section), set when merged. */
  outputOff: number;
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
export function splitStrings(data: Uint8Array): SectionPiece[] | undefined {
  const pieces: SectionPiece[] = [];
  let off = 0;
  while (off < data.length) {
    const end = data.indexOf(0, off);
    if (end < 0) return undefined;
    pieces.push({ inputOff: off, outputOff: 0 });
    off = end + 1;
  }
  return pieces;
}

/**
 * Descending order of the reversed strings; a string sorts after every string it ends. Strings
 * here are latin1: one char per byte, so char codes compare as the bytes do.
 */
function compareReversedDescending(a: string, b: string): number {
  for (let i = 1; ; i++) {
    const ca = i <= a.length ? a.charCodeAt(a.length - i) : -1;
    const cb = i <= b.length ? b.charCodeAt(b.length - i) : -1;
    if (ca !== cb) return cb - ca;
    if (ca === -1) return 0;
  }
}

/**
 * A string table of the distinct strings (latin1, one char per byte), tail merged (llvm
 * StringTableBuilder RAW, optimised): the table's bytes and each string's offset in it.
 */
export function buildStringTable(strings: string[]): { data: Uint8Array; offsets: Map<string, number> } {
  const sorted = [...new Set(strings)].sort(compareReversedDescending);
  const offsets = new Map<string, number>();
  const parts: string[] = [];
  let size = 0;
  let previous = '';
  for (const s of sorted) {
    if (previous.endsWith(s)) {
      offsets.set(s, size - s.length);
      continue;
    }
    offsets.set(s, size);
    parts.push(s);
    size += s.length;
    previous = s;
  }
  const table = Buffer.from(parts.join(''), 'latin1');
  return { data: new Uint8Array(table.buffer, table.byteOffset, table.byteLength), offsets };
}

/** One mergeable input: its bytes and pieces (a data segment or a custom section). */
export interface MergeInput {
  data: Uint8Array;
  pieces: SectionPiece[];
}

/**
 * Merges the inputs into one table, filling each piece's `outputOff` as `base` + table offset.
 * Each piece is read once, as a latin1 string: it is the dedup key, the sort key and the bytes.
 */
export function mergeInputs(inputs: MergeInput[], base: number): Uint8Array {
  const keys = inputs.map((m) => {
    const bytes = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    return m.pieces.map((p, i) => bytes.toString('latin1', p.inputOff, i + 1 < m.pieces.length ? m.pieces[i + 1].inputOff : bytes.length));
  });
  const table = buildStringTable(keys.flat());
  inputs.forEach((m, k) => m.pieces.forEach((p, i) => (p.outputOff = base + table.offsets.get(keys[k][i])!)));
  return table.data;
}

/** Where byte `offset` of a merged input ended up (lld MergeInputChunk::getParentOffset). */
export function pieceOffset(pieces: SectionPiece[], offset: number): number {
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pieces[mid].inputOff <= offset) lo = mid;
    else hi = mid - 1;
  }
  const p = pieces[lo];
  return p.outputOff + (offset - p.inputOff);
}

/** The offset inside its output segment of byte `offset` of an input segment. */
export function segmentOffset(seg: InputSegment, offset: number): number {
  return seg.pieces ? pieceOffset(seg.pieces, offset) : seg.outputOffset + offset;
}
