// What keeps symbols alive and bound right once every input is resolved (lld Driver.cpp
// handleUndefined / addWrappedSymbols / wrapSymbols, Writer.cpp checkSignatures): `-u`,
// `--export`, `--export-if-defined` and the entry pull their symbols in; stub libraries and
// `--wrap` rebind references; a direct call whose signature differs from its definition is bound to
// a trapping stub with a warning.

import { SymbolFlag, SymbolKind } from '../binary/types.js';
import { RelocType } from '../binary/reloc-types.js';
import type { LinkContext } from './context.js';
import type { FuncType } from '../binary/types.js';
import type { ObjFile } from './input-files.js';
import { defineOptionalSymbols } from './linker-symbols.js';
import { processStubLibraries } from './stub-library.js';
import type { StubFile } from './stub-library.js';
import { typeKey } from '../binary/func-types.js';
import { anyReloc, fileName, formatSignature, newSymbol } from './symbols.js';
import type { Sym } from './symbols.js';
import { makeTrapStub } from './synthetic/stubs.js';

export function handleRoots(ctx: LinkContext, stubs: StubFile[]): void {
  const c = ctx.config;
  const st = ctx.symtab;
  // The option names are what wasm-ld's --why-extract prints for each root.
  for (const name of c.undefinedSymbols) st.fetch(name, '<internal>');
  for (const name of [...c.exports, ...c.exportIfDefined]) st.fetch(name, '--export');
  if (c.entry) st.fetch(c.entry, '--entry');
  const wrapped = addWrappedSymbols(ctx);
  if (stubs.length) processStubLibraries(ctx, stubs);
  defineOptionalSymbols(ctx);
  wrapSymbols(ctx, wrapped);
  // The entry first: wasm-ld stops at a missing entry before it looks for the --export names.
  if (c.entry) {
    const s = st.find(c.entry);
    if (!s || s.state !== 'defined' || s.kind !== SymbolKind.Function) {
      ctx.sink.error({ code: 'no-entry', message: `entry symbol not defined (pass --no-entry to suppress): ${c.entry}`, symbol: c.entry });
      ctx.sink.checkpoint();
    } else s.forceExport = true;
  }
  st.handleVariants((v) => makeSignatureStub(ctx, v, v.func!.type));
  forceExports(ctx);
  const dtors = st.find('__wasm_call_dtors');
  if (dtors?.state === 'defined' && dtors.kind === SymbolKind.Function) ctx.sym.callDtors = dtors;
  st.demoteLazy();
}

/** The defined symbols that --export and --export-if-defined name are exported. */
function forceExports(ctx: LinkContext): void {
  for (const name of [...ctx.config.exports, ...ctx.config.exportIfDefined]) {
    const s = ctx.symtab.find(name);
    if (s?.state === 'defined') s.forceExport = true;
  }
}

/**
 * After the memory layout, which defines `__start_SEC`/`__stop_SEC` (lld Writer::run): those are
 * exported too, and an `--export=X` naming nothing defined follows the policy for unresolved
 * symbols, as in wasm-ld: an error by default, a warning under --warn-unresolved-symbols, nothing
 * when undefined symbols are allowed (--allow-undefined, --unresolved-symbols=ignore-all or
 * import-dynamic).
 */
export function checkExports(ctx: LinkContext): void {
  const c = ctx.config;
  forceExports(ctx);
  if (c.unresolvedSymbols !== 'report-all') return;
  for (const name of c.exports) {
    if (ctx.symtab.find(name)?.state === 'defined') continue;
    const d = { code: 'export-not-found', message: `symbol exported via --export not found: ${name}`, symbol: name };
    if (c.warnUnresolvedSymbols) ctx.sink.warn(d);
    else ctx.sink.error(d);
  }
}

interface WrappedSymbol {
  sym: Sym;
  real: Sym;
  wrap: Sym;
}

/**
 * `--wrap=X` (lld Driver.cpp addWrappedSymbols): only for names some input
 * mentions; `__real_X` and `__wrap_X` become references (pulling `__wrap_X` from an archive).
 */
function addWrappedSymbols(ctx: LinkContext): WrappedSymbol[] {
  const out: WrappedSymbol[] = [];
  for (const name of new Set(ctx.config.wrap)) {
    const sym = ctx.symtab.find(name);
    if (!sym) continue;
    const real = ctx.symtab.reference(`__real_${name}`, '<internal>');
    const wrap = ctx.symtab.reference(`__wrap_${name}`, '<internal>');
    out.push({ sym, real, wrap });
  }
  return out;
}

/** Redirects every object's references: X → `__wrap_X`, `__real_X` → X (lld wrapSymbols). */
function wrapSymbols(ctx: LinkContext, wrapped: WrappedSymbol[]): void {
  if (!wrapped.length) return;
  const redirect = new Map<Sym, Sym>();
  for (const w of wrapped) {
    redirect.set(w.sym, w.wrap);
    redirect.set(w.real, w.sym);
    // The linker made `__wrap_X` without a type; the calls now bound to it are X's (wasm-ld
    // imports an undefined `__wrap_X` with X's signature).
    if (w.wrap.state !== 'defined' && !w.wrap.signature && w.sym.signature) w.wrap.signature = w.sym.signature;
  }
  for (const file of ctx.objectFiles) file.symbols = file.symbols.map((s) => redirect.get(s) ?? s);
  for (const w of wrapped) ctx.symtab.wrap(w.sym, w.real, w.wrap);
}


/**
 * Makes `sym` a local, trapping `signature_mismatch:NAME` function of type `type` (lld
 * replaceWithUnreachable): what calls with a signature the kept definition does not have reach.
 * Its address is 0 (`isStub`); the linker writes it only if a call keeps it live.
 */
function makeSignatureStub(ctx: LinkContext, sym: Sym, type: FuncType): Sym {
  sym.func = makeTrapStub(`signature_mismatch:${sym.name}`, type);
  sym.func.live = false;
  ctx.syntheticFunctions.push(sym.func);
  sym.isLocal = true;
  sym.isStub = true;
  sym.flags = SymbolFlag.BINDING_LOCAL;
  return sym;
}

/**
 * a direct call whose signature differs from the definition cannot validate, so
 * the caller's reference is bound to a trapping `signature_mismatch:NAME` stub, with a warning
 * that says which object's calls will trap.
 */
export function checkSignatures(ctx: LinkContext): void {
  const stubs = new Map<string, Sym>();
  for (const file of ctx.objectFiles) {
    for (let i = 0; i < file.symbolCount; i++) {
      if (file.symbolKind(i) !== SymbolKind.Function || !(file.symbolFlags(i) & SymbolFlag.UNDEFINED) || !file.isCalledDirectly(i)) continue;
      const s = file.symbols[i];
      const want = file.functionType(file.symbolIndex(i));
      if (!want || s.state !== 'defined' || !s.func || typeKey(s.func.type) === typeKey(want)) continue;
      const key = `${s.name}\0${typeKey(want)}`;
      let stub = stubs.get(key);
      if (!stub) {
        stub = makeSignatureStub(ctx, newSymbol(s.name, SymbolKind.Function, SymbolFlag.BINDING_LOCAL, 'defined', file), want);
        stubs.set(key, stub);
        ctx.sink.warn({
          code: 'signature-mismatch',
          message: `function signature mismatch: ${s.name}`,
          symbol: s.name,
          notes: [`defined as ${formatSignature(want)} in ${file.name}`, `defined as ${formatSignature(s.func.type)} in ${fileName(s.file)}`],
          hint: `calls to \`${s.name}\` from ${trappingCallers(file, i).join(', ') || 'no live function'} in ${file.name} will trap (unreachable) at run time; fix the declaration`,
        });
      }
      file.symbols[i] = stub;
    }
  }
}

/** The functions of `file` that call symbol `symbolIndex` directly (their call sites will trap). */
function trappingCallers(file: ObjFile, symbolIndex: number): string[] {
  return file.functions.filter((fn) => !fn.discarded && anyReloc(fn.relocs, (type, index) => type === RelocType.R_WASM_FUNCTION_INDEX_LEB && index === symbolIndex)).map((fn) => fn.name || `function ${fn.index}`);
}
