// Makes a module's futex instructions visible to the host. `memory.atomic.wait32/64` and
// `memory.atomic.notify` run inside wasm, so a host cannot tell a thread blocked in a futex from a
// thread computing; the deadlock watchdog and `--trace` need to. This rewrite routes each of them
// through a host function while keeping everything else about the module as it was:
//
// - Nothing is renumbered. An import would shift every function index (calls, the table, exports,
//   names), so the host functions are reached through a new *defined* table appended after the
//   module's own tables (exported as FUTEX_TABLE_EXPORT and filled by the host after
//   instantiation), via small wrapper functions appended after the module's own functions, with
//   new types appended after its own types.
// - Every function body keeps its size and every instruction its offset inside the code section:
//   a wait or notify (`0xfe` op, alignment, offset: at least 4 bytes) becomes `call $wrapper` with
//   its function-index LEB padded to the same length, plus `nop`s if the memarg was longer than a
//   5-byte LEB. Only the code section's start moves (the sections before it grow), by `codeShift`
//   bytes, so trap offsets map back to the file's exactly.
// - One wrapper per (instruction, memarg offset): it pushes the static offset and the table slot
//   and does `call_indirect`; the host adds the offset (as the instruction does, without wrapping)
//   and checks bounds and alignment, trapping as the instruction would. While the table slot is
//   still null — the start function runs inside instantiation, before the host can fill the
//   table — the wrapper executes the original instruction instead.
//
// A module whose waits cannot all be rewritten (another memory than 0, a type section the model
// keeps raw, more than 2^21 functions with a 4-byte wait) is left alone: watching only some waits
// would make the watchdog's reasoning wrong.

import { ByteReader } from '../binary/byte-reader.js';
import { WASM_HEADER_SIZE } from '../binary/format.js';
import { bodyReader } from '../binary/instructions.js';
import { I32_ALIGN_LOG2, Op } from '../binary/opcodes.js';
import { encodeS32, encodeU32, sizeU32 } from '../binary/leb.js';
import { indexSpaceSizes } from '../binary/module-info.js';
import { writeModule } from '../binary/write-module.js';
import { ExternalKind, SectionId, ValTypeCode, findSection, type Section, type TypeIndex, type WasmModule } from '../binary/types.js';

import { FUTEX_TABLE_EXPORT, FutexHook } from './futex-hooks.js';
import { wrapperModuleBytes } from './host-wrappers.js';
export { FUTEX_TABLE_EXPORT };
const HOOK_COUNT = 3;

const { i32, i64, f64 } = ValTypeCode;
/** The instruction each hook replaces: name, its operand types (without the memarg), and its slot. */
const HOOKED: Record<string, { hook: FutexHook; params: number[]; code: number; align: number }> = {
  'memory.atomic.notify': { hook: FutexHook.NOTIFY, params: [i32, i32], code: Op.memoryAtomicNotify, align: I32_ALIGN_LOG2 },
  'memory.atomic.wait32': { hook: FutexHook.WAIT32, params: [i32, i32, i64], code: Op.memoryAtomicWait32, align: I32_ALIGN_LOG2 },
  'memory.atomic.wait64': { hook: FutexHook.WAIT64, params: [i32, i64, i64], code: Op.memoryAtomicWait64, align: 3 },
};

export interface FutexRewrite {
  bytes: Uint8Array;
  /** Instructions rewritten. */
  sites: number;
  /** How far every original code byte moved: new file offset = old + codeShift. */
  codeShift: number;
  /** Function indices from here on are the wrappers (for trimming stack traces). */
  firstWrapper: number;
}

interface Site {
  body: number;
  /** Position in the body's bytes and length of the original instruction. */
  at: number;
  length: number;
  wrapper: number;
}

/**
 * What the host function takes: the instruction's operands, except that a wait's timeout (i64
 * nanoseconds, negative: none) travels as an f64. An i64 reaches JavaScript as a BigInt, one
 * allocation per wait; every timeout a program can mean fits an f64 (2^53 ns is 104 days).
 */
function hostParams(hook: FutexHook, params: number[]): number[] {
  return hook === FutexHook.NOTIFY ? params : [...params.slice(0, -1), f64];
}

function hostArg(hook: FutexHook, lastGet: number[]): number[] {
  return hook === FutexHook.NOTIFY ? lastGet : [...lastGet, Op.f64ConvertI64S];
}

/** Absolute offset of the code section's first body, or -1 (walks section headers only). */
function firstBodyOffset(bytes: Uint8Array): number {
  const r = new ByteReader(bytes, undefined, 0, WASM_HEADER_SIZE);
  while (!r.atEnd()) {
    const id = r.u8();
    const size = r.u32();
    if (id === SectionId.Code) {
      r.u32(); // the body count
      return r.pos;
    }
    r.pos += size;
  }
  return -1;
}

/**
 * The rewritten module, or a reason it was left alone. `undefined`: no futex instruction at all
 * (then the host sees every blocking wait already).
 */
export function rewriteFutexes(mod: WasmModule, bytes: Uint8Array): FutexRewrite | string | undefined {
  const code = findSection(mod, SectionId.Code);
  const typeSection = findSection(mod, SectionId.Type);
  if (!code) return undefined;
  const sizes = indexSpaceSizes(mod);
  const wrappers = new Map<string, { index: number; hook: FutexHook; params: number[]; code: number; align: number; offset: number }>();
  const sites: Site[] = [];
  for (let b = 0; b < code.bodies.length; b++) {
    const r = bodyReader(code.bodies[b]);
    for (;;) {
      // An instruction this decoder does not know is V8's to judge, not a reason to refuse the module.
      try {
        if (!r.next()) break;
      } catch (e) {
        return `function ${sizes.importedFuncs + b} cannot be decoded here: ${(e as Error).message}`;
      }
      const hooked = HOOKED[r.op.name];
      if (!hooked) continue;
      if (r.memory !== 0) return `function ${sizes.importedFuncs + b} uses ${r.op.name} on memory ${r.memory}`;
      const key = `${hooked.hook}:${r.memOffset}`;
      let w = wrappers.get(key);
      if (!w) wrappers.set(key, (w = { index: sizes.funcs + wrappers.size, ...hooked, offset: r.memOffset }));
      const at = r.offset - code.bodies[b].bytesOffset;
      sites.push({ body: b, at, length: r.pos - at, wrapper: w.index });
    }
  }
  if (sites.length === 0) return undefined;
  if (!typeSection || typeSection.raw) return 'its type section uses types this rewrite does not re-encode';
  for (const s of sites) if (sizeU32(s.wrapper) > s.length - 1) return `more functions than a ${s.length}-byte call can name`;

  // Types: one per hook's wrapper (the instruction's own signature) and one per host function
  // (the same plus the static offset).
  const types = [...typeSection.types];
  const wrapperType: number[] = [];
  const hostType: number[] = [];
  for (const { hook, params } of Object.values(HOOKED)) {
    wrapperType[hook] = types.push({ params, results: [i32] }) - 1;
    hostType[hook] = types.push({ params: [...hostParams(hook, params), i32], results: [i32] }) - 1;
  }
  const table = sizes.tables;

  const newBodies = code.bodies.map((body) => ({ ...body, bytes: body.bytes }));
  const touched = new Set<number>();
  for (const s of sites) {
    if (!touched.has(s.body)) {
      newBodies[s.body].bytes = newBodies[s.body].bytes.slice();
      touched.add(s.body);
    }
    const out = newBodies[s.body].bytes;
    const width = Math.min(5, s.length - 1);
    out[s.at] = Op.call;
    out.set(encodeU32(s.wrapper, width), s.at + 1);
    out.fill(Op.nop, s.at + 1 + width, s.at + s.length);
  }
  const functions = [...(findSection(mod, SectionId.Function)?.functions ?? [])];
  for (const w of wrappers.values()) {
    // Until the host has filled the table (the start function runs inside instantiation, and
    // __wasm_init_memory waits and notifies), the wrapper runs the original instruction itself.
    const args = w.params.flatMap((_, i) => [Op.localGet, i]);
    const body: number[] = [0]; // no locals
    body.push(Op.i32Const, w.hook, Op.tableGet, ...encodeU32(table), Op.refIsNull, Op.if, i32);
    body.push(...args, Op.atomicPrefix, w.code, w.align, ...encodeU32(w.offset));
    body.push(Op.else, ...args.slice(0, -2), ...hostArg(w.hook, args.slice(-2)));
    // The offset travels as an i32 (the host reads it back unsigned).
    body.push(Op.i32Const, ...encodeS32(w.offset | 0), Op.i32Const, w.hook);
    body.push(Op.callIndirect, ...encodeU32(hostType[w.hook]), ...encodeU32(table), Op.end, Op.end);
    functions.push(wrapperType[w.hook] as TypeIndex);
    newBodies.push({ bytes: Uint8Array.from(body), offset: 0, bytesOffset: 0 });
  }

  const exports = [...(findSection(mod, SectionId.Export)?.exports ?? [])];
  if (exports.some((e) => e.name === FUTEX_TABLE_EXPORT)) return `it already exports '${FUTEX_TABLE_EXPORT}'`;
  exports.push({ name: FUTEX_TABLE_EXPORT, kind: ExternalKind.Table, index: table });
  const tables = [...(findSection(mod, SectionId.Table)?.tables ?? [])];
  tables.push({ type: { elemType: ValTypeCode.funcref, limits: { flags: 1, min: BigInt(HOOK_COUNT), max: BigInt(HOOK_COUNT) } } });

  const replaced: Section[] = [];
  const fresh: Partial<Record<number, Section>> = {
    [SectionId.Type]: { id: SectionId.Type, types, offset: 0, contentOffset: 0 },
    [SectionId.Function]: { id: SectionId.Function, functions, offset: 0, contentOffset: 0 },
    [SectionId.Table]: { id: SectionId.Table, tables, offset: 0, contentOffset: 0 },
    [SectionId.Export]: { id: SectionId.Export, exports, offset: 0, contentOffset: 0 },
    [SectionId.Code]: { id: SectionId.Code, bodies: newBodies, offset: 0, contentOffset: 0 },
  };
  // Sections in the spec's order; the ones this rewrite adds go where the order puts them.
  const ORDER = [SectionId.Type, SectionId.Import, SectionId.Function, SectionId.Table, SectionId.Memory, SectionId.Tag,
    SectionId.Global, SectionId.Export, SectionId.Start, SectionId.Element, SectionId.DataCount, SectionId.Code, SectionId.Data];
  const rank = (id: number): number => ORDER.indexOf(id as (typeof ORDER)[number]);
  const placed = new Set<number>();
  const place = (upTo: number): void => {
    for (const id of [SectionId.Table, SectionId.Export]) {
      if (!placed.has(id) && rank(id) < upTo) {
        replaced.push(fresh[id]!);
        placed.add(id);
      }
    }
  };
  for (const s of mod.sections) {
    if (s.id !== SectionId.Custom) place(rank(s.id));
    const mine = s.id === SectionId.Custom ? undefined : fresh[s.id];
    if (mine) {
      replaced.push(mine);
      placed.add(s.id);
    } else replaced.push(s);
  }
  place(Infinity);
  const out = writeModule({ version: mod.version, sections: replaced });
  return { bytes: out, sites: sites.length, codeShift: firstBodyOffset(out) - firstBodyOffset(bytes), firstWrapper: sizes.funcs };
}

/**
 * The bytes of the module that turns the JS hooks into wasm functions (imports "h" "0".."2",
 * exports wasm functions "0".."2" that call them; host-wrappers.ts says why not the imports).
 */
export function hookModuleBytes(): Uint8Array {
  // Export i has hook i's host function type, as the rewritten module's wrappers call it.
  const hooked = Object.values(HOOKED).sort((a, b) => a.hook - b.hook);
  return wrapperModuleBytes(hooked.map(({ hook, params }) => ({ name: String(hook), type: { params: [...hostParams(hook, params), i32], results: [i32] } })));
}
