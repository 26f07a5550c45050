// The disassembler: turns decoded instructions (`instructions.ts`) into WAT-like text, and function
// bodies into `wasm-objdump -d`-style listings (absolute offset, raw bytes, indented text), with
// function and global names when the caller knows them. Used by `inspect --disassemble`.
//
// Immediates print in binary order (e.g. `memory.init DATA MEM`), memory arguments as WAT's
// `offset=N align=N` (omitted when zero / natural), so every byte of the encoding stays visible.

import {
  BLOCK_TYPE_EMPTY,
  BLOCK_TYPE_REF,
  BLOCK_TYPE_REF_NULL,
  CAST_FLAG_SOURCE_NULL,
  CAST_FLAG_TARGET_NULL,
  catchKindName,
  InstructionReader,
  readLocals,
  type LocalDecl,
} from './instructions.js';
import { Imm } from './opcodes.js';
import type { FunctionBody, ValType } from './types.js';

/** Optional name lookups; a name shows as `3 <printf>` after the index. */
export interface DisassemblyNames {
  func?(index: number): string | undefined;
  global?(index: number): string | undefined;
}

export interface DisassembledInstruction {
  /** Absolute file offset of the opcode. */
  offset: number;
  /** Nesting depth for indentation. */
  depth: number;
  /** The instruction as text, e.g. `i32.load offset=8`. */
  text: string;
  /** The instruction's bytes (a view into the input). */
  bytes: Uint8Array;
}

export interface DisassembledFunction {
  locals: LocalDecl[];
  /** Absolute offset of the first local declaration byte. */
  offset: number;
  instructions: DisassembledInstruction[];
}

const HEAP_TYPE_NAMES: Record<number, string> = {
  0x70: 'func',
  0x6f: 'extern',
  0x6e: 'any',
  0x6d: 'eq',
  0x6c: 'i31',
  0x6b: 'struct',
  0x6a: 'array',
  0x69: 'exn',
  0x74: 'noexn',
  0x73: 'nofunc',
  0x72: 'noextern',
  0x71: 'none',
};

const NUM_TYPE_NAMES: Record<number, string> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
};

/** Abbreviated reference types (spec §5.3.3): `funcref` = `(ref null func)`. */
function abbreviatedRef(code: number): string | undefined {
  const h = HEAP_TYPE_NAMES[code];
  return h === undefined ? undefined : `${h}ref`;
}

/** A heap type given as a signed s33 (negative: abstract code) or an index. */
export function heapTypeName(s33: number): string {
  if (s33 >= 0) return String(s33);
  return HEAP_TYPE_NAMES[s33 & 0x7f] ?? `0x${(s33 & 0x7f).toString(16)}`;
}

export function valTypeName(t: ValType): string {
  if (typeof t === 'number') return NUM_TYPE_NAMES[t] ?? abbreviatedRef(t) ?? `0x${t.toString(16)}`;
  const heap = t.heapIsIndex ? String(t.heap) : (HEAP_TYPE_NAMES[t.heap] ?? `0x${t.heap.toString(16)}`);
  return t.nullable ? `(ref null ${heap})` : `(ref ${heap})`;
}

function blockTypeText(r: InstructionReader): string {
  const bt = r.blockType;
  if (bt === BLOCK_TYPE_EMPTY) return '';
  if (bt === BLOCK_TYPE_REF_NULL) return `(result (ref null ${heapTypeName(r.heapType)}))`;
  if (bt === BLOCK_TYPE_REF) return `(result (ref ${heapTypeName(r.heapType)}))`;
  if (bt >= 0) return `(type ${bt})`;
  return `(result ${valTypeName(bt & 0x7f)})`;
}

function named(index: number, lookup: ((i: number) => string | undefined) | undefined): string {
  const name = lookup?.(index);
  return name === undefined ? String(index) : `${index} <${name}>`;
}

function memArgText(r: InstructionReader): string {
  const parts: string[] = [];
  if (r.memory !== 0) parts.push(String(r.memory));
  if (r.memOffset !== 0) parts.push(`offset=${r.memOffset}`);
  if (r.align !== r.op.naturalAlign) parts.push(`align=${2 ** r.align}`);
  return parts.join(' ');
}

/** WAT float syntax: `inf`, `-inf`, `nan:0x…` for NaN payloads, decimal otherwise. */
function floatText(r: InstructionReader, bits: 32 | 64): string {
  const v = r.value;
  if (Number.isNaN(v)) {
    const at = r.immOffset - r.base;
    const raw = r.bytes.subarray(at, at + bits / 8);
    const sign = raw[raw.length - 1] & 0x80 ? '-' : '';
    let payload = 0n;
    for (let i = raw.length - 1; i >= 0; i--) payload = (payload << 8n) | BigInt(raw[i]);
    const mantissaBits = bits === 32 ? 23n : 52n;
    payload &= (1n << mantissaBits) - 1n;
    return `${sign}nan:0x${payload.toString(16)}`;
  }
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function v128Text(bytes: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const w = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    words.push(`0x${w.toString(16).padStart(8, '0')}`);
  }
  return `i32x4 ${words.join(' ')}`;
}

function castRef(nullable: boolean, heap: number): string {
  return nullable ? `(ref null ${heapTypeName(heap)})` : `(ref ${heapTypeName(heap)})`;
}

/** The immediates of the reader's current instruction as text ('' when none). */
export function immediatesText(r: InstructionReader, names: DisassemblyNames = {}): string {
  switch (r.op.imm) {
    case Imm.None:
    case Imm.Fence:
      return '';
    case Imm.BlockType:
      return blockTypeText(r);
    case Imm.Func:
      return named(r.index, names.func);
    case Imm.Global:
      return named(r.index, names.global);
    case Imm.Label:
    case Imm.Type:
    case Imm.Local:
    case Imm.Table:
    case Imm.Memory:
    case Imm.Data:
    case Imm.Elem:
    case Imm.Tag:
    case Imm.Lane:
      return String(r.index);
    case Imm.CallIndirect:
      return `${r.index2} (type ${r.index})`;
    case Imm.MemoryInit:
    case Imm.MemoryCopy:
    case Imm.TableInit:
    case Imm.TableCopy:
    case Imm.TypeField:
    case Imm.TypeCount:
    case Imm.TypeData:
    case Imm.TypeElem:
    case Imm.TypeType:
      return `${r.index} ${r.index2}`;
    default:
      return otherImmediatesText(r);
  }
}

function otherImmediatesText(r: InstructionReader): string {
  switch (r.op.imm) {
    case Imm.BrTable:
      return [...r.brTableTargets(), r.index].join(' ');
    case Imm.MemArg:
      return memArgText(r);
    case Imm.MemArgLane:
      return [memArgText(r), String(r.lane)].filter((s) => s !== '').join(' ');
    case Imm.I32:
      return String(r.value);
    case Imm.I64:
      return String(r.value64);
    case Imm.F32:
      return floatText(r, 32);
    case Imm.F64:
      return floatText(r, 64);
    case Imm.V128:
      return v128Text(r.v128Bytes());
    case Imm.Shuffle:
      return Array.from(r.v128Bytes()).join(' ');
    case Imm.SelectT:
      return `(result ${r.selectTypes().map(valTypeName).join(' ')})`;
    case Imm.HeapType:
      return r.op.name === 'ref.null' ? heapTypeName(r.heapType) : castRef(r.op.nullable === true, r.heapType);
    case Imm.TryTable: {
      const clauses = r.catches().map((c) => `(${catchKindName(c.kind)}${c.tag !== undefined ? ` ${c.tag}` : ''} ${c.label})`);
      return [blockTypeText(r), ...clauses].filter((s) => s !== '').join(' ');
    }
    case Imm.BrOnCast:
      return `${r.index2} ${castRef((r.index & CAST_FLAG_SOURCE_NULL) !== 0, r.heapType)} ${castRef((r.index & CAST_FLAG_TARGET_NULL) !== 0, r.heapType2)}`;
    default:
      return '';
  }
}

/** The reader's current instruction as one line of text, e.g. `call 3 <printf>`. */
export function instructionText(r: InstructionReader, names?: DisassemblyNames): string {
  const imm = immediatesText(r, names);
  return imm === '' ? r.op.name : `${r.op.name} ${imm}`;
}

/** Decodes a whole function body into instructions with text. */
export function disassembleFunction(body: FunctionBody, file?: string, names?: DisassemblyNames): DisassembledFunction {
  const { decls, codeStart } = readLocals(body, file);
  const r = new InstructionReader(body.bytes, body.bytesOffset, file, codeStart);
  const instructions: DisassembledInstruction[] = [];
  while (r.next()) {
    instructions.push({ offset: r.offset, depth: r.displayDepth, text: instructionText(r, names), bytes: r.instructionBytes() });
  }
  return { locals: decls, offset: body.bytesOffset, instructions };
}

/** Bytes shown per listing row, as wasm-objdump does. */
const BYTES_PER_ROW = 9;
const BYTES_COLUMN_WIDTH = BYTES_PER_ROW * 3;
const OFFSET_DIGITS = 6;

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** One instruction as listing rows: ` 00004d: fe 48 02 04   | text`, long encodings wrapped. */
export function listingRows(ins: DisassembledInstruction): string[] {
  const rows: string[] = [];
  for (let i = 0; i === 0 || i < ins.bytes.length; i += BYTES_PER_ROW) {
    const chunk = ins.bytes.subarray(i, i + BYTES_PER_ROW);
    const off = (ins.offset + i).toString(16).padStart(OFFSET_DIGITS, '0');
    const text = i === 0 ? '  '.repeat(ins.depth) + ins.text : '';
    rows.push(` ${off}: ${hexBytes(chunk).padEnd(BYTES_COLUMN_WIDTH)}| ${text}`.trimEnd());
  }
  return rows;
}

/** A function's listing: locals then instructions. */
export function formatFunctionListing(fn: DisassembledFunction): string[] {
  const lines: string[] = [];
  let localIndex = 0;
  for (const d of fn.locals) {
    lines.push(`   locals ${localIndex}..${localIndex + d.count - 1}: ${valTypeName(d.type)}`);
    localIndex += d.count;
  }
  for (const ins of fn.instructions) lines.push(...listingRows(ins));
  return lines;
}
