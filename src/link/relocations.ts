// Relocations: the scan that decides what each needs (table slots, GOT globals, stubs, TLS
// checks; lld Relocations.cpp) and the patching that writes each resolved value into its padded
// slot (lld InputChunks.cpp relocate, InputFiles.cpp calcNewValue).
//
// Values for a non-PIC executable: function/global/tag/table indices are output indices (imports
// first); table-index relocations give the function's slot (0 for weak-undefined and stubs);
// memory addresses are S + A, where S for a symbol in `.tdata` is its offset inside the TLS block
// (wasm-ld >= 20 semantics, also without shared memory); TLS relocations must name TLS symbols
// when memory is shared. Each value is written with exactly the encoding and width the table in
// binary/reloc-types.ts gives, so code never moves.

import { ByteReader } from '../binary/byte-reader.js';
import { readRelocEntries } from '../binary/read-linking.js';
import { isTableIndexReloc, namesSymbol, RELOC_TYPES, relocTypeInfo } from '../binary/reloc-types.js';
import type { RelocCategory, RelocTypeInfo } from '../binary/reloc-types.js';
import { writeS32, writeS64, writeU32, writeU64 } from '../binary/leb.js';
import { SegmentFlag, SymbolFlag, SymbolKind, ValTypeCode } from '../binary/types.js';
import type { LinkContext } from './context.js';
import type { ObjFile } from './input-files.js';
import { pieceOffset, segmentOffset } from './merge-strings.js';
import { JOB_PENDING_START, JOB_RESULT, JOB_WORDS, KernelMemoryError, Kernels, kernelThresholds } from './kernels/index.js';
import { makeTrapStub, syntheticFunction } from './synthetic/stubs.js';
import { rebuildWithAtomics, toolchainOf } from './hints.js';
import { registerType, typeKey } from '../binary/func-types.js';
import { fileName, isWeak } from './symbols.js';
import { displayName } from './symbol-names.js';
import { InputCustomSection, NO_RELOCS, type InputFunction, type RelocSpan, type Sym } from './symbols.js';

/** lld's tombstones for relocations in debug sections against dead code. */
const TOMBSTONE_DEBUG_RANGES = 0xfffffffe;
const TOMBSTONE_DEBUG = 0xffffffff;

// ---------------------------------------------------------------------------------------------
// Scan.

/**
 * Scans every live chunk's relocations. The functions this makes go after the linker's other
 * synthetic functions in wasm-ld's order: the stubs for weak undefined functions in symbol-table
 * order (wasm-ld makes them before its liveness pass), then the other stubs as relocations meet
 * them, then `__wasm_init_memory`, `__wasm_apply_global_tls_relocs` and `__wasm_apply_tls_relocs`
 * (made when the output is written).
 */
export function scanRelocations(ctx: LinkContext): void {
  const made: MadeFunctions = { weakStubs: [], stubs: [] };
  // Indexed loops: for-of allocates a result object per step in code V8 has not optimised.
  const files = ctx.objectFiles;
  for (let f = 0; f < files.length; f++) {
    const file = files[f];
    const { functions, segments } = file;
    for (let i = 0; i < functions.length; i++) if (functions[i].live) scanChunk(ctx, file, functions[i].relocs, made);
    for (let i = 0; i < segments.length; i++) if (segments[i].live) scanChunk(ctx, file, segments[i].relocs, made);
  }
  // wasm-ld gives every weak undefined function its stub before its liveness pass; without that
  // pass (--no-gc-sections) each one stays, even one only address-taken (its table slot is 0).
  if (!ctx.config.gcSections) {
    for (const s of ctx.symtab.ordered) {
      if (s.kind === SymbolKind.Function && s.state !== 'defined' && isWeak(s) && s.usedInRegularObj && s.importIndex === undefined && s.signature) ensureStub(ctx, s, made);
    }
  }
  if (made.weakStubs.length > 1) {
    const order = new Map(ctx.symtab.ordered.map((s, i) => [s, i]));
    made.weakStubs.sort((a, b) => (order.get(a) ?? -1) - (order.get(b) ?? -1));
  }
  for (const s of made.weakStubs) ctx.syntheticFunctions.push(s.func!);
  ctx.syntheticFunctions.push(...made.stubs);
  if (ctx.sym.initMemory) ctx.syntheticFunctions.push(ctx.sym.initMemory);
  if (ctx.sym.applyGlobalTLSRelocs) ctx.syntheticFunctions.push(ctx.sym.applyGlobalTLSRelocs);
  if (ctx.config.sharedMemory && ctx.objectFiles.some((f) => f.segments.some((seg) => seg.live && !seg.discarded && seg.isTLS && seg.relocs.end > seg.relocs.start))) {
    ctx.sym.applyTLSRelocs = syntheticFunction('__wasm_apply_tls_relocs', { params: [], results: [] });
    ctx.syntheticFunctions.push(ctx.sym.applyTLSRelocs);
  }
}

/**
 * What `__wasm_apply_tls_relocs` stores, as wasm-ld generates it for a non-PIC output: a
 * relocation inside TLS data needs code at run time only when its symbol has a GOT global (every
 * other value was written into the image at link time, so the function is usually empty). The
 * store goes to the relocation's address in the `.tdata` image, the main thread's block, as
 * wasm-ld 22 writes it.
 */
export function tlsRuntimeRelocs(ctx: LinkContext): { address: number; gotGlobal: number; addend: number }[] {
  const out: { address: number; gotGlobal: number; addend: number }[] = [];
  for (const seg of ctx.outputSegments) {
    if (!seg.isTLS) continue;
    for (const input of seg.inputs) {
      const { list, base } = input.relocs;
      for (let i = input.relocs.start; i < input.relocs.end; i++) {
        const s = input.file?.symbols[list.index(i)];
        if (!s?.gotGlobal || !namesSymbol(list.type(i))) continue;
        out.push({ address: seg.startVA + input.outputOffset + list.offset(i) - base, gotGlobal: s.gotGlobal.outputIndex, addend: list.addend(i) });
      }
    }
  }
  return out;
}

interface MadeFunctions {
  /** Weak undefined functions called directly: each gets a trapping stub. */
  weakStubs: Sym[];
  /** Stubs for other undefined functions that are not imported. */
  stubs: InputFunction[];
}

function scanChunk(ctx: LinkContext, file: ObjFile, relocs: RelocSpan, made: MadeFunctions): void {
  const { list } = relocs;
  for (let i = relocs.start; i < relocs.end; i++) {
    const type = list.type(i);
    const index = list.index(i);
    const info = relocTypeInfo(type);
    if (!info) {
      ctx.sink.error({ code: 'bad-relocation', message: `unknown relocation type ${type}`, file: file.name });
      continue;
    }
    if (info.category === 'type-index') {
      registerTypeIndexTarget(ctx, file, index, info);
      continue;
    }
    const s = file.symbols[index];
    if (!s) {
      ctx.sink.error({ code: 'bad-relocation', message: `${info.name} names symbol ${index}, past the end of the symbol table`, file: file.name });
      continue;
    }
    if (ctx.config.unresolvedSymbols === 'import-dynamic' && isDynamicImport(s)) checkDynamicImportReloc(ctx, file, s, info);
    if (isTableIndexReloc(type) && takesSlot(ctx, s)) addTableEntry(ctx, s, made);
    if (info.category === 'function-index' && s.state !== 'defined' && s.importIndex === undefined) ensureStub(ctx, s, made);
    if (info.category === 'global-index' && s.kind !== SymbolKind.Global) ensureGot(ctx, s, made);
    if (info.category === 'memory-addr-tls') checkTLS(ctx, file, s, info);
    // lld reportUndefined, after each relocation naming such a function: its calls go to an
    // `undefined_stub`, and from then on it takes no table slot (one it already has stays).
    if (getsUndefinedStub(ctx, s)) {
      ensureStub(ctx, s, made);
      s.isStub = true;
    }
  }
}

/**
 * A `call_indirect` type (R_WASM_TYPE_INDEX_LEB) may match no function at all, so it is registered
 * here, as lld's scanRelocations does, before the import and function types (same type order).
 */
function registerTypeIndexTarget(ctx: LinkContext, file: ObjFile, index: number, info: RelocTypeInfo): void {
  const type = file.types[index];
  if (type) registerType(ctx, type);
  else ctx.sink.error({ code: 'bad-relocation', message: `${info.name} names type ${index}, past the end of the type section`, file: file.name });
}

/** Functions that can sit in the table: defined ones and imports (not stubs of undefined ones, nor signature-mismatch stubs, whose address is 0). */
function hasFunctionBody(s: Sym): boolean {
  return s.kind === SymbolKind.Function && !s.isStub && (s.state === 'defined' || s.importIndex !== undefined);
}

/**
 * A strong undefined function neither defined nor imported (undefined symbols warned about or
 * ignored): lld gives it an `undefined_stub` at the first relocation that names it, whatever the
 * relocation (reportUndefined). Not under import-dynamic or --import-undefined, which import it.
 */
function getsUndefinedStub(ctx: LinkContext, s: Sym): boolean {
  return s.kind === SymbolKind.Function && s.state !== 'defined' && s.importIndex === undefined && !isWeak(s) &&
    ctx.config.unresolvedSymbols !== 'import-dynamic' && !ctx.config.importUndefined;
}

/**
 * Whether an address-taking relocation gives `s` a table slot. Such an undefined function does if
 * this is the first relocation naming it: lld assigns the slot before it makes the stub, and the
 * slot then holds the stub (its address is not 0, and calling through it traps).
 */
function takesSlot(ctx: LinkContext, s: Sym): boolean {
  return hasFunctionBody(s) || (getsUndefinedStub(ctx, s) && !s.isStub);
}

function addTableEntry(ctx: LinkContext, s: Sym, made: MadeFunctions): void {
  if (s.state === 'defined') {
    const fn = s.func!;
    if (fn.tableIndex !== undefined) return;
    fn.tableIndex = ctx.config.tableBase + ctx.tableEntries.length;
    ctx.tableEntries.push(fn);
    return;
  }
  if (s.tableIndex !== undefined) return;
  if (s.importIndex === undefined) ensureStub(ctx, s, made);
  s.tableIndex = ctx.config.tableBase + ctx.tableEntries.length;
  ctx.tableEntries.push(s.importIndex === undefined ? s.func! : importAsFunction(s));
}

/** A placeholder so imported functions can take a table slot (the index is the import's). */
function importAsFunction(s: Sym): InputFunction {
  return { kind: 'synthetic', name: s.name, type: s.signature!, bytes: new Uint8Array(), relocs: NO_RELOCS, live: true, discarded: false, outputIndex: s.importIndex!, index: -1 };
}

/** Under import-dynamic, a symbol still undefined (weak functions excepted: they become stubs). */
function isDynamicImport(s: Sym): boolean {
  return s.state !== 'defined' && s.absolute === undefined && !(s.kind === SymbolKind.Function && isWeak(s));
}

/**
 * Under --unresolved-symbols=import-dynamic the address of an undefined symbol is only known at run
 * time. An address in code (the LEB forms) cannot take it: wasm-ld's error, with its fix. An address
 * in data (the I32/I64 forms) wasm-ld fills in at run time through a `GOT.mem`/`GOT.func` import
 * and `__wasm_apply_data_relocs`, which this linker does not write: an error too, rather than an
 * address of 0.
 */
function checkDynamicImportReloc(ctx: LinkContext, file: ObjFile, s: Sym, info: RelocTypeInfo): void {
  if (info.category !== 'memory-addr' && info.category !== 'table-index') return;
  const shown = displayName(s.name, ctx.config.demangle);
  if (info.encoding !== 'i32' && info.encoding !== 'i64') {
    ctx.sink.error({ code: 'bad-relocation', message: `relocation ${info.name} cannot be used against symbol \`${shown}\`; recompile with -fPIC`, file: file.name, symbol: s.name });
  } else {
    ctx.sink.error({
      code: 'unsupported',
      message: `relocation ${info.name} in data against undefined symbol \`${shown}\` needs its address at run time (--unresolved-symbols=import-dynamic), which wasmthreads link does not support`,
      file: file.name,
      symbol: s.name,
      hint: 'define the symbol in the link, or link with wasm-ld',
    });
  }
}

/**
 * A call to an undefined function that is not imported goes to a trapping stub: one per weak
 * symbol (`undefined_weak:NAME`, NAME as wasm-ld shows it: demangled), and, for the others (undefined symbols allowed but not
 * imported), one per signature named `undefined_stub`, as wasm-ld makes them.
 */
function ensureStub(ctx: LinkContext, s: Sym, made: MadeFunctions): void {
  if (s.func) return;
  const type = s.signature ?? { params: [], results: [] };
  if (isWeak(s)) {
    s.func = makeTrapStub(`undefined_weak:${displayName(s.name, ctx.config.demangle)}`, type);
    made.weakStubs.push(s);
    return;
  }
  const key = typeKey(type);
  let stub = made.stubs.find((f) => typeKey(f.type) === key);
  if (!stub) made.stubs.push((stub = makeTrapStub('undefined_stub', type)));
  s.func = stub;
}

/** GLOBAL_INDEX relocations against data or function symbols: an internal GOT global. */
function ensureGot(ctx: LinkContext, s: Sym, made: MadeFunctions): void {
  if (s.gotGlobal) return;
  if (s.kind === SymbolKind.Function && takesSlot(ctx, s)) addTableEntry(ctx, s, made);
  const tlsInShared = s.isTLS && ctx.config.sharedMemory;
  // lld's names for internal (non-PIC) GOT entries.
  s.gotGlobal = { name: `GOT.${s.kind === SymbolKind.Function ? 'func' : 'data'}.internal.${s.name}`, type: { valType: ValTypeCode.i32, mutable: tlsInShared }, live: true, outputIndex: -1 };
  ctx.extraGlobals.push(s.gotGlobal);
  // Each thread's TLS block is elsewhere, so the address is set at run time, per thread.
  if (tlsInShared && !ctx.sym.applyGlobalTLSRelocs) {
    ctx.sym.applyGlobalTLSRelocs = syntheticFunction('__wasm_apply_global_tls_relocs', { params: [], results: [] });
  }
}

/** TLS relocation checks (a TLS relocation against non-TLS data, TLS under a non-threaded link), with the cause and the fix spelled out. */
function checkTLS(ctx: LinkContext, file: ObjFile, s: Sym, info: RelocTypeInfo): void {
  // wasm-ld's lines name the symbol as it shows symbols: demangled unless --no-demangle.
  const shown = (): string => displayName(s.name, ctx.config.demangle);
  if (s.state !== 'defined') {
    if (s.absolute !== undefined) return;
    ctx.sink.error({ code: 'tls-undefined', message: `relocation ${info.name} cannot be used against an undefined symbol \`${shown()}\``, file: file.name, symbol: s.name, hint: `define \`${shown()}\` as _Thread_local in one of the inputs` });
    return;
  }
  const seg = s.segment;
  const inNonTLSSection = seg?.outputSegment !== undefined && !seg.outputSegment.isTLS;
  // Nearly every TLS relocation is fine: the words below are made only for one that is not.
  if (ctx.config.sharedMemory ? s.isTLS && !inNonTLSSection : s.isTLS || !seg) return;
  const def = s.file;
  const notes = tlsNotes(file, s);
  const rust = toolchainOf(file).startsWith('rust');
  const rebuild = def?.disallowsSharedMem()
    ? `its _Thread_local variables became ordinary data there. ${rebuildWithAtomics(def)}`
    : rust ? `declare \`${shown()}\` thread-local where it is defined (${fileName(def)}: #[thread_local] or thread_local!), or make both sides agree`
      : `declare \`${shown()}\` _Thread_local where it is defined (${fileName(def)}), or drop _Thread_local from its declaration in ${file.name}`;
  if (!ctx.config.sharedMemory) {
    ctx.sink.warn({ code: 'tls-non-tls', message: `relocation ${info.name} against non-TLS symbol \`${shown()}\` (works only because memory is not shared)`, file: file.name, symbol: s.name, notes, hint: rebuild });
    return;
  }
  // wasm-ld's two checks are independent and print one line each (tools grep for both); the notes
  // and the hint go with the last one.
  const lines: string[] = [];
  if (!s.isTLS) lines.push(`relocation ${info.name} cannot be used against non-TLS symbol \`${shown()}\``);
  if (inNonTLSSection) lines.push(`relocation ${info.name} cannot be used against \`${shown()}\` in non-TLS section: ${seg.outputSegment!.name}`);
  lines.forEach((message, i) => {
    const last = i === lines.length - 1;
    ctx.sink.error({ code: 'tls-non-tls', message, file: file.name, symbol: s.name, notes: last ? notes : undefined, hint: last ? rebuild : undefined });
  });
}

function tlsNotes(file: ObjFile, s: Sym): string[] {
  const def = s.file;
  const seg = s.segment;
  const flagText = (s.flags & SymbolFlag.TLS ? 'tls ' : '') + (s.flags & SymbolFlag.BINDING_WEAK ? 'weak' : s.flags & SymbolFlag.BINDING_LOCAL ? 'local' : 'global');
  const features = (f: ObjFile | undefined): string => (f ? f.features.map((x) => x.prefix + x.name).join(' ') || 'none' : 'none');
  const notes = [
    `referenced as thread-local in ${file.name} (target_features: ${features(file)}${file.producerSummary() ? `; ${file.producerSummary()}` : ''})`,
    `defined in ${fileName(def)}${seg ? ` in segment ${seg.name} (segment flags: ${seg.flags & SegmentFlag.TLS ? 'TLS' : 'none'})` : ''}, symbol flags: ${flagText} (target_features: ${features(def)}${def?.producerSummary() ? `; ${def.producerSummary()}` : ''})`,
  ];
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Values.

/** Address of a data symbol; for symbols in `.tdata`, the offset inside the TLS block. */
export function symbolVA(s: Sym): number {
  if (s.absolute !== undefined) return s.absolute;
  const seg = s.segment;
  const out = seg?.outputSegment;
  if (!seg || !out || s.state !== 'defined') return 0;
  const inSegment = segmentOffset(seg, s.offset ?? 0);
  return out.isTLS ? inSegment : out.startVA + inSegment;
}

export function functionIndex(s: Sym): number {
  if (s.state === 'defined' || s.func) return s.func!.outputIndex;
  return s.importIndex ?? 0;
}

function hasTableSlot(s: Sym): boolean {
  return (s.state === 'defined' ? s.func?.tableIndex : s.tableIndex) !== undefined;
}

function tableSlot(s: Sym): number {
  if (s.state === 'defined') return s.isStub ? 0 : (s.func?.tableIndex ?? 0);
  return s.tableIndex ?? 0;
}

/**
 * An index lld never assigned (an undefined global, tag or table neither imported nor defined,
 * as `--warn-unresolved-symbols` leaves them): lld writes its INVALID_INDEX, -1, so the module
 * fails validation instead of silently reading index 0.
 */
const INVALID_INDEX = 0xffffffff;

function globalIndex(s: Sym): number {
  if (s.kind !== SymbolKind.Global) return s.gotGlobal?.outputIndex ?? 0;
  return s.global ? s.global.outputIndex : (s.importIndex ?? INVALID_INDEX);
}

/**
 * The value a relocation writes (lld `calcNewValue`); `P` is the address of the slot, for
 * pointer-relative types. The output is not position-independent: `__memory_base` is 0 and
 * `__table_base` is `--table-base`, so the `-rel` categories (what `-fPIC` code emits: Rust's
 * emscripten target, for one) are the absolute value minus those bases.
 */
function relocValue(ctx: LinkContext, file: ObjFile, category: RelocCategory, index: number, A: number, P: number): number {
  if (category === 'type-index') return ctx.typeIndices.get(typeKey(file.types[index])) ?? 0;
  const s = file.symbols[index];
  switch (category) {
    case 'function-index':
      return functionIndex(s);
    case 'table-index':
      return tableSlot(s);
    case 'table-index-rel':
      // A function that got no slot (an undefined weak one) stays 0, as in lld.
      return hasTableSlot(s) ? tableSlot(s) - ctx.config.tableBase : 0;
    case 'global-index':
      return globalIndex(s);
    case 'tag-index':
      return s.tag ? s.tag.outputIndex : (s.importIndex ?? INVALID_INDEX);
    case 'table-number':
      return s.table ? s.table.outputIndex : (s.importIndex ?? INVALID_INDEX);
    case 'section-offset':
      // Into merged strings (.debug_str) the addend names a byte of the input, mapped to its piece.
      if (s.section?.pieces) return pieceOffset(s.section.pieces, A);
      return (s.section?.outputOffset ?? 0) + A;
    case 'function-offset':
      return (s.func?.codeOffset ?? 0) + A;
    case 'memory-addr':
    case 'memory-addr-rel':
    case 'memory-addr-tls':
    case 'memory-addr-locrel': {
      if (s.state !== 'defined' && s.absolute === undefined) return 0;
      const v = symbolVA(s) + A;
      return category === 'memory-addr-locrel' ? v - P : v;
    }
  }
}

/** lld's tombstone for a relocation against dead code in this custom section, if any. */
function tombstoneFor(name: string): number | undefined {
  if (!name.startsWith('.debug_')) return undefined;
  return name === '.debug_ranges' || name === '.debug_loc' ? TOMBSTONE_DEBUG_RANGES : TOMBSTONE_DEBUG;
}

/** Whether the relocation's target is dead (GC'd), so debug sections get a tombstone. */
function isDeadTarget(file: ObjFile, type: number, index: number): boolean {
  return namesSymbol(type) && isDeadSymbol(file.symbols[index]);
}

/** Whether relocations against `s` get a tombstone: no symbol, or its function or segment is dead. */
function isDeadSymbol(s: Sym | undefined): boolean {
  if (!s) return true;
  if (s.func) return !s.func.live;
  if (s.segment) return !s.segment.live;
  return false;
}

/**
 * Writes a relocation's value into its slot. Values are numbers (exact below 2^53): the 32-bit
 * encodings take them modulo 2^32, the 64-bit ones through BigInt, as two's complement.
 */
export function writeRelocValue(buf: Uint8Array, offset: number, info: RelocTypeInfo, value: number): void {
  switch (info.encoding) {
    case 'uleb32':
      writeU32(buf, offset, value >>> 0, info.width);
      break;
    case 'sleb32':
      writeS32(buf, offset, value | 0, info.width);
      break;
    case 'uleb64':
      writeU64(buf, offset, BigInt.asUintN(64, BigInt(value)), info.width);
      break;
    case 'sleb64':
      writeS64(buf, offset, BigInt.asIntN(64, BigInt(value)), info.width);
      break;
    case 'i32': {
      // By hand: a DataView per relocation was the largest cost of patching .debug_info.
      const v = value >>> 0;
      buf[offset] = v & 0xff;
      buf[offset + 1] = (v >>> 8) & 0xff;
      buf[offset + 2] = (v >>> 16) & 0xff;
      buf[offset + 3] = v >>> 24;
      break;
    }
    case 'i64':
      new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setBigUint64(offset, BigInt.asUintN(64, BigInt(value)), true);
      break;
  }
}

/**
 * Copies `bytes` into `dest` at `at` and patches every relocation there: chunks go straight into
 * their output section, not through a copy of their own. `baseVA` is the address of byte 0.
 */
export function relocateInto(ctx: LinkContext, file: ObjFile, bytes: Uint8Array, relocs: RelocSpan, dest: Uint8Array, at: number, baseVA = 0): void {
  dest.set(bytes, at);
  const { list, base } = relocs;
  for (let i = relocs.start; i < relocs.end; i++) {
    const type = list.type(i);
    const offset = list.offset(i) - base;
    const info = relocTypeInfo(type)!;
    if (offset + info.width > bytes.length) {
      ctx.sink.error({ code: 'bad-relocation', message: `${info.name} at offset ${offset} runs past the end of its chunk`, file: file.name });
      continue;
    }
    writeRelocValue(dest, at + offset, info, relocValue(ctx, file, info.category, list.index(i), list.addend(i), baseVA + offset));
  }
}

/** A piece of an output custom section: an object's section, or the merged strings of several. */
export type CustomChunk = InputCustomSection | { mergedStrings: Uint8Array };

export function customChunkSize(c: CustomChunk): number {
  return c instanceof InputCustomSection ? c.size : c.mergedStrings.length;
}

/** How many bytes of sections and relocations one call of the wasm loop takes at most (its scratch room). */
const RELOC_BATCH_BYTES = 128 * 1024;

/**
 * Copies an output custom section's chunks into `dest` from `at`, and applies each input
 * section's relocations straight from the bytes of its `reloc.*` section. Relocations against dead
 * code get lld's tombstones in debug sections.
 *
 * A custom section's relocations are most often all 32-bit little-endian words (a debug
 * section's: DWARF's offsets into other sections and into code, 53,000 of the 63,000 relocations
 * of emscripten's libc-mt.a). Those are patched by kernels/reloc-words.c in wasm (from 32 KiB of
 * relocation entries in the section, kernelThresholds, or once the link has its wasm instance), a
 * batch of chunks per call: their bytes and `reloc.*` bytes are copied into that module's memory,
 * patched there and copied into `dest`. That loop computes R_WASM_SECTION_OFFSET_I32,
 * R_WASM_FUNCTION_OFFSET_I32 and the tombstones from a table of the object's symbols
 * (`symbolTable`), and hands back the other types' entries, whose values relocValue computes here.
 * In JavaScript, which the linker runs unoptimised, the same loop cost about 570 ns per relocation
 * (Node 20). It gives up on a chunk, which then takes the checked path (`relocateChecked`, the
 * reader's own checks and errors), at the first entry it does not take: another encoding, slots
 * that overlap, or anything readRelocEntries would reject (an unknown type, a bad LEB, offsets out
 * of order or past the section, a symbol index out of range or of the wrong kind, trailing bytes).
 */
export function writeCustomChunks(ctx: LinkContext, chunks: readonly CustomChunk[], dest: Uint8Array, at: number): void {
  // A section with few relocations, in a link that has not started the wasm loops: the checked path.
  let relocBytes = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    if (c instanceof InputCustomSection) relocBytes += c.relocSize;
  }
  const inWasm = relocBytes >= kernelThresholds.relocBytes || Kernels.lentTo(ctx);
  let batch: { cs: InputCustomSection; at: number }[] = [];
  let batchBytes = 0;
  let p = at;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    if (!(c instanceof InputCustomSection)) {
      dest.set(c.mergedStrings, p);
      p += c.mergedStrings.length;
      continue;
    }
    const relocSize = c.relocSize;
    if (relocSize === 0) dest.set(c.payload, p);
    else if (!inWasm) relocateChecked(ctx, c, dest, p);
    else {
      batch.push({ cs: c, at: p });
      batchBytes += c.size + relocSize;
      if (batchBytes >= RELOC_BATCH_BYTES) {
        relocateBatch(ctx, batch, dest);
        batch = [];
        batchBytes = 0;
      }
    }
    p += c.size;
  }
  if (batch.length) relocateBatch(ctx, batch, dest);
}

function relocateBatch(ctx: LinkContext, batch: readonly { cs: InputCustomSection; at: number }[], dest: Uint8Array): void {
  try {
    relocateBatchIn(ctx, Kernels.lend(ctx), batch, dest);
  } catch (e) {
    // The wasm memory could not grow to hold the tables and the batch (near 4 GiB).
    if (!(e instanceof KernelMemoryError)) throw e;
    for (const { cs, at } of batch) relocateChecked(ctx, cs, dest, at);
  }
}

function relocateBatchIn(ctx: LinkContext, k: Kernels, batch: readonly { cs: InputCustomSection; at: number }[], dest: Uint8Array): void {
  // The objects' tables first: they stay for the rest of the link, below the scratch room.
  const tables = batch.map((b) => symbolTable(k, b.cs.file));
  let bytes = 0;
  let pendingMax = 0;
  for (const { cs } of batch) {
    const relSize = cs.relocSize;
    bytes += cs.size + relSize;
    // Each entry takes at least three bytes; one handed back takes four words.
    pendingMax += Math.floor(relSize / 3);
  }
  const jobs = k.scratch(batch.length * JOB_WORDS * 4 + bytes + 3 + pendingMax * 16);
  const u8 = k.u8;
  const e = k.i32;
  let q = jobs + batch.length * JOB_WORDS * 4;
  for (let j = 0, w = jobs >> 2; j < batch.length; j++, w += JOB_WORDS) {
    const { cs } = batch[j];
    const rel = cs.rawRelocs!.bytes;
    const tombstone = tombstoneFor(cs.name);
    u8.set(cs.payload, q);
    e[w] = q;
    e[w + 1] = cs.size;
    q += cs.size;
    u8.set(rel, q);
    e[w + 2] = q;
    e[w + 3] = rel.length;
    q += rel.length;
    e[w + 4] = tables[j];
    e[w + 5] = cs.file.symbolCount;
    e[w + 6] = tombstone ?? 0;
    e[w + 7] = tombstone === undefined ? 0 : 1;
  }
  const pending = (q + 3) & ~3;
  k.fn.reloc_chunks(jobs, batch.length, k.types, pending);
  for (let j = 0, w = jobs >> 2; j < batch.length; j++, w += JOB_WORDS) {
    const { cs, at } = batch[j];
    const n = e[w + JOB_RESULT];
    if (n < 0) {
      relocateChecked(ctx, cs, dest, at);
      continue;
    }
    dest.set(u8.subarray(e[w], e[w] + cs.size), at);
    for (let i = 0, v = (pending >> 2) + 4 * e[w + JOB_PENDING_START]; i < n; i++, v += 4) {
      const info = RELOC_TYPES[e[v]]!;
      const offset = e[v + 1];
      writeRelocValue(dest, at + offset, info, relocValue(ctx, cs.file, info.category, e[v + 2], e[v + 3], offset));
    }
  }
}

/**
 * Copies a custom section into `dest` at `at` and applies its relocations checked as the reader
 * checks every relocation section (readRelocEntries: the same errors, naming the object and the
 * offset), with any encoding.
 */
function relocateChecked(ctx: LinkContext, cs: InputCustomSection, dest: Uint8Array, at: number): void {
  dest.set(cs.payload, at);
  const raw = cs.rawRelocs!;
  const tombstone = tombstoneFor(cs.name);
  const { file, name } = cs;
  const r = new ByteReader(raw.bytes, file.name, raw.offset);
  r.context = raw.name;
  r.u32(); // the target section: this one
  const n = r.count(`${raw.name} relocation`, 3);
  readRelocEntries(r, raw.name, n, cs.size, name, { types: file.types.length, symbols: file.symbolKinds() }, (_, info, offset, index, addend) => {
    const value = isDeadTarget(file, info.type, index) ? (tombstone ?? addend) : relocValue(ctx, file, info.category, index, addend, offset);
    writeRelocValue(dest, at + offset, info, value);
  });
  if (!r.atEnd()) r.fail(`${r.remaining} unread bytes at the end`);
}

/**
 * `file`'s symbols as reloc-words.c reads them, in the relocation module's memory (made once per
 * link and object): five words each, what relocateChecked would look up. Its
 * kind in the object's symbol table; whether it is dead (isDeadSymbol: relocations against it get
 * the tombstone); its function's offset in the code section; and its section: none (mode 0), at
 * an output offset (1), or merged strings (2, with the address of a table of its pieces: the
 * count, then each string's input offset, then its output offset).
 */
function symbolTable(k: Kernels, file: ObjFile): number {
  const known = k.tables.get(file);
  if (known !== undefined) return known;
  const count = file.symbolCount;
  const symbols = file.symbols;
  // Merged sections' piece tables first: they may grow the memory, which replaces the views.
  for (let i = 0; i < symbols.length; i++) {
    const section = symbols[i]?.section;
    if (section?.pieces) piecesTable(k, section);
  }
  const at = k.alloc(count * 20);
  k.tables.set(file, at);
  const e = k.i32;
  for (let i = 0, w = at >> 2; i < count; i++, w += 5) {
    const s = symbols[i];
    const section = s?.section;
    e[w] = file.symbolKind(i);
    e[w + 1] = isDeadSymbol(s) ? 1 : 0;
    e[w + 2] = s?.func?.codeOffset ?? 0;
    e[w + 3] = section === undefined ? 0 : section.pieces ? 2 : 1;
    e[w + 4] = section === undefined ? 0 : section.pieces ? k.tables.get(section)! : section.outputOffset;
  }
  return at;
}

function piecesTable(k: Kernels, section: InputCustomSection): number {
  const known = k.tables.get(section);
  if (known !== undefined) return known;
  const { input, output } = section.pieces!;
  const at = k.alloc((1 + 2 * input.length) * 4);
  k.tables.set(section, at);
  const w = at >> 2;
  k.i32[w] = input.length;
  k.i32.set(input, w + 1);
  k.i32.set(output, w + 1 + input.length);
  return at;
}
