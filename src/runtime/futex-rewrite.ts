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
import { encodeS32, encodeS64, encodeU32, sizeU32 } from '../binary/leb.js';
import { indexSpaceSizes } from '../binary/module-info.js';
import { writeModule } from '../binary/write-module.js';
import { ExternalKind, SectionId, ValTypeCode, findSection, type Import, type Section, type TypeIndex, type WasmModule } from '../binary/types.js';
import { SlotField, WaitKind, Word } from './control-block.js';
import { FastHookImport, WRAPPED_MODULE } from './host-module-names.js';

import { FUTEX_TABLE_EXPORT, FutexHook } from './futex-hooks.js';
import { atomicOp, hostNameSection, i32Const, loadWord, rmwWord, sharedMemoryImport, wrapperModuleBytes } from './host-wrappers.js';
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


const at0 = { offset: 0, contentOffset: 0 };

/**
 * The guest-side half of the fast hooks: a module that imports the guest's shared memory and
 * exports `wait32`, `wait64` and `notify`, each the bare instruction at offset 0 on an effective
 * address the caller computed. The very instruction the rewrite replaced, so bounds, alignment
 * and results are the instruction's own. Each returns the instruction's result at once: no local
 * lives across the wait (the Node 20 Liftoff bug, liftoff.ts, needs one). `probe32`/`probe64`
 * trap as the waits would (an atomic load of the same width, same checks, same messages), so an
 * untimed wait is marked only once it is known not to trap.
 */
export function guestOpsModuleBytes(): Uint8Array {
  const ops = Object.values(HOOKED).sort((a, b) => a.hook - b.hook);
  const types = [...ops.map(({ params }) => ({ params, results: [i32] })), { params: [i32], results: [] }];
  const names = [FastHookImport.GUEST_WAIT32, FastHookImport.GUEST_WAIT64, FastHookImport.GUEST_NOTIFY, FastHookImport.PROBE32, FastHookImport.PROBE64];
  const probe = (op: number, align: number): number[] => [0, Op.localGet, 0, ...atomicOp(op, align), Op.drop, Op.end];
  const bodies = [
    ...ops.map(({ params, code, align }) => [0, ...params.flatMap((_, i) => [Op.localGet, i]), ...atomicOp(code, align), Op.end]),
    probe(Op.i32AtomicLoad, I32_ALIGN_LOG2), probe(Op.i64AtomicLoad, 3),
  ];
  return writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types, ...at0 },
      { id: SectionId.Import, imports: [sharedMemoryImport(FastHookImport.MEMORY, 0)], ...at0 },
      { id: SectionId.Function, functions: [0, 1, 2, 3, 3] as TypeIndex[], ...at0 },
      { id: SectionId.Export, exports: names.map((name, k) => ({ name, kind: ExternalKind.Func, index: k })), ...at0 },
      { id: SectionId.Code, bodies: bodies.map((b) => ({ bytes: Uint8Array.from(b), offset: 0, bytesOffset: 0 })), ...at0 },
      hostNameSection(),
    ],
  });
}

/**
 * The fast hooks: futex-hooks.ts's three JS hooks done in wasm, on the control block's memory,
 * around the guest-ops module's instructions — the same words written in the same order (a
 * watched wait's WAIT_* fields and WAIT_GEN, WOKEN, NOTIFIED), so the watchdog's reasoning holds
 * unchanged. A thread reaches its futex wait without leaving wasm (the watchdog dates an untimed
 * wait itself, watchdog.ts), which matters beyond the call's own cost: a thread that wakes
 * another and then blocks lets the woken one run sooner on a small machine, where the scheduler
 * often puts it on the waker's CPU. JavaScript is left for the rare paths: an effective address
 * past 4 GiB (the JS hook traps as the instruction would), the program's exit and the deadlock
 * stack dump. Exports "0".."2" with the JS hooks' types, in FutexHook order.
 */
export function fastHookModuleBytes(): Uint8Array {
  const hooks = Object.values(HOOKED).sort((a, b) => a.hook - b.hook);
  const hostTypes = hooks.map(({ hook, params }) => ({ params: [...hostParams(hook, params), i32], results: [i32] }));
  const guestTypes = hooks.map(({ params }) => ({ params, results: [i32] }));
  const types = [...hostTypes, ...guestTypes, { params: [], results: [] }, { params: [i32], results: [] }];
  const [VOID_TYPE, PROBE_TYPE] = [6, 7];
  const fn = (name: string, typeIndex: number): Import => ({ module: WRAPPED_MODULE, name, desc: { kind: ExternalKind.Func, typeIndex: typeIndex as TypeIndex } });
  const imports: Import[] = [
    fn('0', 0), fn('1', 1), fn('2', 2),
    fn(FastHookImport.GUEST_WAIT32, 3), fn(FastHookImport.GUEST_WAIT64, 4), fn(FastHookImport.GUEST_NOTIFY, 5),
    fn(FastHookImport.UNWIND, VOID_TYPE), fn(FastHookImport.DUMP, VOID_TYPE),
    fn(FastHookImport.PROBE32, PROBE_TYPE), fn(FastHookImport.PROBE64, PROBE_TYPE),
    sharedMemoryImport(FastHookImport.CONTROL, 1),
    { module: WRAPPED_MODULE, name: FastHookImport.SLOT_BASE, desc: { kind: ExternalKind.Global, global: { valType: i32, mutable: false } } },
  ];
  const [GUEST0, UNWIND, DUMP, PROBE32, PROBE64] = [3, 6, 7, 8, 9];
  const FIRST_DEFINED = 10;
  const SLOT_BASE = 0;
  const c = i32Const;
  const addTo = (word: number, value: number[]): number[] => rmwWord(Op.i32AtomicRmwAdd, word, value);
  const bumpField = (field: number): number[] => [Op.globalGet, SLOT_BASE, ...c(1), ...atomicOp(Op.i32AtomicRmwAdd, I32_ALIGN_LOG2, field * 4), Op.drop];
  const storeField = (field: number, value: number[]): number[] => [Op.globalGet, SLOT_BASE, ...value, Op.i32Store, I32_ALIGN_LOG2, ...encodeU32(field * 4)];
  /** ea = addr + offset as the instruction computes it (no wrap); past 4 GiB: the JS hook traps. */
  const effectiveAddress = (hook: number, params: number, eaLocal: number): number[] => [
    Op.localGet, 0, Op.i64ExtendI32U, Op.localGet, params - 1, Op.i64ExtendI32U, Op.i64Add, Op.localTee, eaLocal,
    Op.i64Const, ...encodeS64(0xffffffffn), Op.i64GtU,
    Op.if, Op.void, ...Array.from({ length: params }, (_, i) => [Op.localGet, i]).flat(), Op.call, hook, Op.return, Op.end,
  ];
  const waitBody = (hook: number, kind: number): number[] => {
    const is64 = hook === FutexHook.WAIT64;
    // params 0 addr, 1 expected, 2 timeout (f64 ns, negative: none), 3 offset; locals 4 ea (i64), 5 untimed, 6 result
    return [
      2, 1, i64, 2, i32,
      ...effectiveAddress(hook, 4, 4),
      Op.localGet, 2, Op.f64Const, 0, 0, 0, 0, 0, 0, 0, 0, Op.f64Lt, Op.localTee, 5,
      Op.if, Op.void,
      Op.localGet, 4, Op.i32WrapI64, Op.call, is64 ? PROBE64 : PROBE32,
      ...storeField(SlotField.WAIT_KIND, c(kind)),
      ...storeField(SlotField.WAIT_ADDR, [Op.localGet, 4, Op.i32WrapI64]),
      ...storeField(SlotField.WAIT_VALUE, is64 ? [Op.localGet, 1, Op.i32WrapI64] : [Op.localGet, 1]),
      ...bumpField(SlotField.WAIT_GEN),
      Op.end,
      Op.localGet, 4, Op.i32WrapI64, Op.localGet, 1,
      Op.localGet, 5, Op.if, i64, Op.i64Const, ...encodeS64(-1n), Op.else, Op.localGet, 2, Op.bulkPrefix, Op.i64TruncSatF64S, Op.end,
      Op.call, GUEST0 + hook, Op.localSet, 6,
      // The program is over (the supervisor wakes watched waits at exit): unwind, do not go back.
      ...loadWord(Word.EXIT_STATE), Op.if, Op.void, Op.call, UNWIND, Op.unreachable, Op.end,
      Op.localGet, 5, Op.if, Op.void,
      ...loadWord(Word.DUMP_STACKS), Op.if, Op.void, Op.call, DUMP, Op.unreachable, Op.end,
      ...bumpField(SlotField.WAIT_GEN),
      Op.end,
      Op.localGet, 6, Op.i32Eqz, Op.if, Op.void, ...addTo(Word.WOKEN, c(1)), Op.end,
      Op.localGet, 6, Op.end,
    ];
  };
  const notifyBody = [
    // params 0 addr, 1 count, 2 offset; locals 3 ea (i64), 4 woken
    2, 1, i64, 1, i32,
    ...effectiveAddress(FutexHook.NOTIFY, 3, 3),
    Op.localGet, 3, Op.i32WrapI64, Op.localGet, 1, Op.call, GUEST0 + FutexHook.NOTIFY, Op.localTee, 4,
    ...c(0), Op.i32GtS, Op.if, Op.void, ...addTo(Word.NOTIFIED, [Op.localGet, 4]), Op.end,
    Op.localGet, 4, Op.end,
  ];
  const bodies = [waitBody(FutexHook.WAIT32, WaitKind.WAIT32), waitBody(FutexHook.WAIT64, WaitKind.WAIT64), notifyBody];
  return writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types, ...at0 },
      { id: SectionId.Import, imports, ...at0 },
      { id: SectionId.Function, functions: [0, 1, 2] as TypeIndex[], ...at0 },
      { id: SectionId.Export, exports: [0, 1, 2].map((k) => ({ name: String(k), kind: ExternalKind.Func, index: FIRST_DEFINED + k })), ...at0 },
      { id: SectionId.Code, bodies: bodies.map((b) => ({ bytes: Uint8Array.from(b), offset: 0, bytesOffset: 0 })), ...at0 },
      hostNameSection(),
    ],
  });
}
