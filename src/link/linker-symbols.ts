// The symbols the linker defines itself (lld SymbolTable addSynthetic*, Writer.cpp
// createSyntheticSymbols / addStartStopSymbols / setSyntheticValues): `__wasm_call_ctors`, the
// stack pointer and, with shared memory, the TLS globals and `__wasm_init_tls` before resolution;
// `__data_end`, `__heap_base` and the other optional data symbols only when something asks for
// them; `__start_SEC`/`__stop_SEC` for output segments named like C identifiers once segments
// exist; and, after layout, every address and value these symbols stand for.

import { isTableIndexReloc } from '../binary/reloc-types.js';
import { SymbolFlag, SymbolKind, ValTypeCode } from '../binary/types.js';
import type { LinkContext } from './context.js';
import { hasPassiveInitializedSegments, type MemoryLayout } from './layout.js';
import { anyReloc, newSymbol } from './symbols.js';
import type { Sym } from './symbols.js';
import { syntheticFunction } from './synthetic/stubs.js';

const I32 = ValTypeCode.i32;
const HIDDEN_ABSOLUTE = SymbolFlag.VISIBILITY_HIDDEN | SymbolFlag.ABSOLUTE;
/** Data symbols the linker defines only when something references them. */
const OPTIONAL_DATA_SYMBOLS = ['__dso_handle', '__data_end', '__stack_low', '__stack_high', '__global_base', '__heap_base', '__heap_end', '__memory_base', '__table_base', '__wasm_first_page_end'];
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function createSyntheticSymbols(ctx: LinkContext): void {
  const st = ctx.symtab;
  const defineFunction = (name: string, params: number[]): Sym => {
    const s = newSymbol(name, SymbolKind.Function, SymbolFlag.VISIBILITY_HIDDEN, 'defined');
    s.func = syntheticFunction(name, { params, results: [] });
    s.func.live = false;
    ctx.syntheticFunctions.push(s.func);
    return st.addSynthetic(s);
  };
  const defineGlobal = (name: string, mutable: boolean, flags: number = SymbolFlag.VISIBILITY_HIDDEN): Sym => {
    const s = newSymbol(name, SymbolKind.Global, flags, 'defined');
    s.global = { name, type: { valType: I32, mutable }, value: 0, live: false, outputIndex: -1 };
    ctx.syntheticGlobals.push(s.global);
    return st.addSynthetic(s);
  };
  ctx.sym.callCtors = defineFunction('__wasm_call_ctors', []);
  // Default visibility since LLVM 22 (llvm PR #161284): a main module offers its stack pointer to
  // side modules, so --export-dynamic exports it.
  ctx.sym.stackPointer = defineGlobal('__stack_pointer', true, 0);
  ctx.sym.stackPointer.global!.live = true;
  if (ctx.config.sharedMemory) {
    ctx.sym.tlsBase = defineGlobal('__tls_base', true);
    ctx.sym.tlsSize = defineGlobal('__tls_size', false);
    ctx.sym.tlsAlign = defineGlobal('__tls_align', false);
    ctx.sym.initTLS = defineFunction('__wasm_init_tls', [I32]);
  }
}

/** `__data_end`, `__heap_base`… and, without shared memory, an immutable `__tls_base`. */
export function defineOptionalSymbols(ctx: LinkContext): void {
  const wanted = (name: string): boolean => {
    const s = ctx.symtab.find(name);
    return (s !== undefined && s.state !== 'defined') || ctx.config.exportAll || ctx.config.exports.includes(name) || ctx.config.exportIfDefined.includes(name);
  };
  for (const name of OPTIONAL_DATA_SYMBOLS) {
    if (!wanted(name)) continue;
    const s = newSymbol(name, SymbolKind.Data, HIDDEN_ABSOLUTE, 'defined');
    s.absolute = 0;
    ctx.sym.data.set(name, ctx.symtab.addSynthetic(s));
  }
  // lld addOptionalGlobalSymbol: only a reference defines it — unlike the data symbols above,
  // --export-all or --export=__tls_base alone do not (wasm-ld-22 then reports it not found).
  const referenced = (name: string): boolean => {
    const s = ctx.symtab.find(name);
    return s !== undefined && s.state !== 'defined';
  };
  if (!ctx.config.sharedMemory && referenced('__tls_base')) {
    const s = newSymbol('__tls_base', SymbolKind.Global, SymbolFlag.VISIBILITY_HIDDEN, 'defined');
    s.global = { name: '__tls_base', type: { valType: I32, mutable: false }, value: 0, live: false, outputIndex: -1 };
    ctx.syntheticGlobals.push(s.global);
    ctx.sym.tlsBase = ctx.symtab.addSynthetic(s);
  }
}


/**
 * `__start_SEC`/`__stop_SEC` for each output segment named like a C identifier (lld
 * addStartStopSymbols → addOptionalDataSymbol): a symbol something references and nothing defines
 * is defined; one nobody references is made only when exported (--export, --export-if-defined,
 * --export-all), new ones in segment order, start before stop.
 */
export function defineStartStopSymbols(ctx: LinkContext): void {
  const c = ctx.config;
  ctx.startStopFrom = ctx.symtab.nextPlace;
  for (const seg of ctx.outputSegments) {
    if (!C_IDENTIFIER.test(seg.name)) continue;
    for (const stop of [false, true]) {
      const name = `__${stop ? 'stop' : 'start'}_${seg.name}`;
      let s = ctx.symtab.find(name);
      if (!s) {
        if (!c.exportAll && !c.exports.includes(name) && !c.exportIfDefined.includes(name)) continue;
        s = ctx.symtab.addSynthetic(newSymbol(name, SymbolKind.Data, HIDDEN_ABSOLUTE, 'defined'));
      } else if (s.state === 'defined' || s.kind !== SymbolKind.Data) {
        continue;
      }
      s.state = 'defined';
      s.flags = HIDDEN_ABSOLUTE;
      s.absolute = 0;
      // lld marks them referenced, which is what makes an absolute data symbol live (exported).
      s.live = true;
      ctx.startStopSymbols.push({ sym: s, seg, stop });
    }
  }
}

export function defineSyntheticValues(ctx: LinkContext, l: MemoryLayout): void {
  const values: Record<string, number> = {
    __dso_handle: l.globalBase,
    __global_base: l.globalBase,
    __data_end: l.dataEnd,
    __stack_low: l.stackLow,
    __stack_high: l.stackHigh,
    __heap_base: l.heapBase,
    __heap_end: l.heapEnd,
    __memory_base: 0,
    __table_base: ctx.config.tableBase,
    __wasm_first_page_end: 65536,
  };
  for (const [name, s] of ctx.sym.data) s.absolute = values[name];
  for (const { sym, seg, stop } of ctx.startStopSymbols) sym.absolute = seg.startVA + (stop ? seg.size : 0);
  const set = (s: Sym | undefined, v: number): void => {
    if (s?.global) s.global.value = v;
  };
  set(ctx.sym.stackPointer, l.stackHigh);
  const shared = ctx.config.sharedMemory;
  set(ctx.sym.tlsBase, shared ? 0 : l.tlsBase);
  set(ctx.sym.tlsSize, l.tlsSize);
  set(ctx.sym.tlsAlign, l.tlsAlign);
  if (hasPassiveInitializedSegments(ctx)) {
    // Listed among the synthetic functions by scanRelocations, after the stubs it makes.
    ctx.sym.initMemory = syntheticFunction('__wasm_init_memory', { params: [], results: [] });
  }
  markSyntheticGlobalsLive(ctx);
}

function markSyntheticGlobalsLive(ctx: LinkContext): void {
  const s = ctx.sym;
  const hasTdata = ctx.outputSegments.some((o) => o.isTLS);
  for (const g of [s.tlsSize, s.tlsAlign]) if (g?.live && g.global) g.global.live = true;
  // Under shared memory wasm-ld 22 keeps `__tls_base` whenever `__wasm_init_memory` exists, with or
  // without TLS data (a shared-memory link of an object with only .data keeps it; one without
  // data does not): test/link/spec/init-memory.case. A live `__wasm_init_tls` alone does not keep
  // it: with no TLS data its body never names it.
  const initMemory = ctx.config.sharedMemory && (hasTdata || s.initMemory !== undefined);
  if (s.tlsBase?.global && (s.tlsBase.live || initMemory)) {
    s.tlsBase.global.live = true;
    s.tlsBase.live = true;
  }
}


/**
 * The linker's `__indirect_function_table`, when live code refers to it or needs slots, or
 * --export-table asks for it. It takes the place of the objects' undefined symbol for it, so it is
 * exported (--export-table, --export-all) where that symbol stands in symbol order, as wasm-ld
 * exports it; made after the liveness pass when no object names it (wasm-ld
 * resolveIndirectFunctionTable), it comes after every other symbol.
 */
export function createIndirectTable(ctx: LinkContext): void {
  let sym = ctx.symtab.find('__indirect_function_table');
  if (sym) ctx.sym.indirectFunctionTable = sym;
  const needed = (sym?.live ?? false) || ctx.config.exportTable || usesTableSlots(ctx);
  if (!needed || ctx.config.importTable) return;
  ctx.indirectTable = { name: '__indirect_function_table', type: { elemType: ValTypeCode.funcref, limits: { flags: 0, min: 0n } }, live: true, outputIndex: 0 };
  sym ??= ctx.sym.indirectFunctionTable = ctx.symtab.addSynthetic(newSymbol('__indirect_function_table', SymbolKind.Table, 0, 'defined'));
  sym.state = 'defined';
  sym.live = true;
  // The linker's definition replaces the reference (lld replaceSymbol): objects' EXPORTED or
  // NO_STRIP flags on their undefined reference do not export the table; --export-table does.
  sym.flags = ctx.config.exportTable ? 0 : SymbolFlag.VISIBILITY_HIDDEN;
  if (ctx.config.exportTable) sym.forceExport = true;
  sym.table = ctx.indirectTable;
}

/** Legacy (MVP) objects have no table symbol: any live table-index relocation needs the table. */
function usesTableSlots(ctx: LinkContext): boolean {
  return ctx.objectFiles.some((f) => [...f.functions, ...f.segments].some((c) => c.live && anyReloc(c.relocs, isTableIndexReloc)));
}

