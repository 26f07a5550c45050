// Garbage collection of functions, data segments, globals, tables and tags (lld MarkLive.cpp).
//
// Mark and sweep over symbols: the roots are the entry, every exported or NO_STRIP symbol,
// `__wasm_call_dtors`, the init functions of every loaded object and its RETAIN segments. Marking a
// symbol marks the chunk that defines it; marking a chunk marks the symbol of every relocation in
// it (type-index relocations name types, not symbols). `__wasm_call_ctors` is live when any init
// function is. Everything left unmarked is not written. With --no-gc-sections every chunk of a
// loaded object is live.

import { isTableIndexReloc, namesSymbol } from '../binary/reloc-types.js';
import { SegmentFlag, SymbolFlag, SymbolKind } from '../binary/types.js';
import type { LinkContext } from './context.js';
import type { ObjFile } from './input-files.js';
import { forEachRelocSymbol, isHidden, isWeak } from './symbols.js';
import type { RelocSpan, Sym } from './symbols.js';

/** Whether a defined global symbol is exported by flags or options (lld `isExported`). */
export function isExportedSymbol(ctx: LinkContext, s: Sym): boolean {
  if (s.state !== 'defined' || s.isLocal) return false;
  if (s.forceExport || s.flags & SymbolFlag.EXPORTED) return true;
  if (ctx.config.exportAll) return true;
  return ctx.config.exportDynamic && !isHidden(s);
}

export function markLive(ctx: LinkContext): void {
  const queue: Sym[] = [];
  const enqueue = (s: Sym | undefined): void => {
    if (!s || s.live) return;
    s.live = true;
    queue.push(s);
  };
  // A type-index relocation names a type, not a symbol: it keeps nothing alive (forEachRelocSymbol).
  const enqueueRelocs = (file: ObjFile | undefined, relocs: RelocSpan): void => {
    if (file) forEachRelocSymbol(file, relocs, enqueue);
  };
  const markChunk = (s: Sym): void => {
    const fn = s.func;
    if (fn && !fn.live && !fn.discarded) {
      fn.live = true;
      enqueueRelocs(fn.file, fn.relocs);
    }
    const seg = s.segment;
    if (seg && !seg.live && !seg.discarded) {
      seg.live = true;
      enqueueRelocs(seg.file, seg.relocs);
    }
    if (s.global) s.global.live = true;
    if (s.table) s.table.live = true;
    if (s.tag) s.tag.live = true;
  };

  if (!ctx.config.gcSections) markEverything(ctx);

  // Indexed loops over the symbols: for-of allocates an object per step in code V8 runs
  // unoptimised (a link's usual case), and there are tens of thousands of them.
  if (ctx.config.entry) enqueue(ctx.symtab.find(ctx.config.entry));
  const ordered = ctx.symtab.ordered;
  for (let i = 0; i < ordered.length; i++) {
    const s = ordered[i];
    if (s.flags & SymbolFlag.NO_STRIP || isExportedSymbol(ctx, s)) enqueue(s);
  }
  enqueue(ctx.sym.callDtors);
  for (const file of ctx.objectFiles) {
    const symbols = file.symbols;
    for (let i = 0; i < symbols.length; i++) if (symbols[i].isLocal && symbols[i].flags & SymbolFlag.NO_STRIP) enqueue(symbols[i]);
    for (const init of file.initFuncs) {
      const s = file.symbols[init.symbol];
      if (s && !s.func?.discarded) enqueue(s);
    }
    for (const seg of file.segments) {
      if (seg.flags & SegmentFlag.RETAIN && !seg.discarded && !seg.live) {
        seg.live = true;
        enqueueRelocs(file, seg.relocs);
      }
    }
  }
  if (!ctx.config.gcSections) for (let i = 0; i < ordered.length; i++) if (ordered[i].state === 'defined') enqueue(ordered[i]);

  for (let s = queue.pop(); s; s = queue.pop()) markChunk(s);
  if (hasLiveInitFunctions(ctx) && ctx.sym.callCtors) {
    ctx.sym.callCtors.live = true;
    if (ctx.sym.callCtors.func) ctx.sym.callCtors.func.live = true;
  }
  if (ctx.config.printGcSections) printRemoved(ctx);
}

/**
 * --no-gc-sections: every chunk of every loaded object is kept (and its relocations' targets),
 * the copies COMDAT resolution set aside too: wasm-ld starts every chunk live without GC and only
 * its liveness pass (not run then) would leave them out, so their code and data are written.
 */
function markEverything(ctx: LinkContext): void {
  for (const file of ctx.objectFiles) {
    for (const fn of file.functions) fn.live = true;
    for (const seg of file.segments) seg.live = true;
    for (const g of file.globals) g.live = true;
    for (const t of file.tables) t.live = true;
    for (const t of file.tags) t.live = true;
    for (const c of [...file.functions, ...file.segments]) if (c.live) forEachRelocSymbol(file, c.relocs, (s) => (s.live = true));
  }
  // The linker's own functions and globals made so far (`__wasm_call_ctors`, `__wasm_init_tls`,
  // `__stack_pointer`, the TLS globals) are chunks like any other: wasm-ld starts every chunk live
  // when it does not collect garbage.
  for (const fn of ctx.syntheticFunctions) fn.live = true;
  for (const g of ctx.syntheticGlobals) g.live = true;
}

export function hasLiveInitFunctions(ctx: LinkContext): boolean {
  return ctx.objectFiles.some((f) => f.initFuncs.some((i) => f.symbols[i.symbol]?.func?.live));
}

/** `--print-gc-sections` on stdout, in wasm-ld's order: each object's functions, segments, globals, tags and tables, then the linker's own. */
function printRemoved(ctx: LinkContext): void {
  const removed = (file: string, name: string): void => ctx.message(`removing unused section ${file}:(${name})`);
  for (const file of ctx.objectFiles) {
    for (const fn of file.functions) if (!fn.live) removed(file.name, fn.name || `function ${fn.index}`);
    for (const seg of file.segments) if (!seg.live) removed(file.name, seg.name);
    for (const chunk of [...file.globals, ...file.tags, ...file.tables]) if (!chunk.live) removed(file.name, chunk.name);
  }
  for (const fn of ctx.syntheticFunctions) if (!fn.live) removed('<internal>', fn.name);
  // wasm-ld gives every weak undefined function a stub before this pass; it stays live only if a
  // relocation other than a table slot's names it (a slot for a stub is 0, no body needed).
  const kept = new Set<Sym>();
  for (const file of ctx.objectFiles) {
    for (const chunk of [...file.functions, ...file.segments]) {
      if (!chunk.live) continue;
      const { list } = chunk.relocs;
      for (let i = chunk.relocs.start; i < chunk.relocs.end; i++) {
        const type = list.type(i);
        if (namesSymbol(type) && !isTableIndexReloc(type)) kept.add(file.symbols[list.index(i)]);
      }
    }
  }
  for (const s of ctx.symtab.ordered) {
    if (!kept.has(s) && s.kind === SymbolKind.Function && s.state !== 'defined' && isWeak(s) && s.usedInRegularObj && s.signature) removed('<internal>', s.name);
  }
  for (const g of ctx.syntheticGlobals) if (!g.live) removed('<internal>', g.name);
}
