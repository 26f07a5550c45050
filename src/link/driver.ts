// The link pipeline (lld Driver.cpp linkerMain + Writer.cpp run), one named phase per step, each
// taking the one link context:
//   read inputs → synthetic symbols → resolve (archives lazily) → entry/exports/-u → signature
//   checks → mark live → features → output segments and memory layout → synthetic values →
//   imports → scan relocations → indices → GOT values → exports → synthesised bodies → build →
//   encode.
// The steps live beside what they act on: inputs.ts, linker-symbols.ts, roots.ts, mark-live.ts,
// features.ts, layout.ts, relocations.ts, write.ts. Errors are collected within a phase and thrown
// between phases (`checkpoint`), so every duplicate or undefined symbol is reported at once.
// `--verbose` logs phase names, `--time-trace` timings.

import { ExternalKind } from '../binary/types.js';
import type { Diagnostic } from '../diagnostics.js';
import { DiagnosticSink, WasmthreadsError } from '../diagnostics.js';
import { makeConfig } from './context.js';
import type { LinkContext } from './context.js';
import { patchBuildId } from './build-id.js';
import { checkFeatures, checkImportExportFeatures, collectFeatures, outputFeatures } from './features.js';
import { addObject, readInputs, resolveInputs } from './inputs.js';
import { createOutputSegments, layoutMemory } from './layout.js';
import { createIndirectTable, createSyntheticSymbols, defineStartStopSymbols, defineSyntheticValues } from './linker-symbols.js';
import { OpenFiles } from './file-source.js';
import { formatLinkMap } from './map-file.js';
import { markLive } from './mark-live.js';
import { checkLinkOptions, type CheckedLinkOptions, type LinkOptions } from './options.js';
import { scanRelocations } from './relocations.js';
import { checkExports, checkSignatures, handleRoots } from './roots.js';
import { SymbolTable } from './symbol-table.js';
import { displayName } from './symbol-names.js';
import type { InputGlobal } from './symbols.js';
import { assignFunctionIndices, assignGlobalIndices, buildModule, calculateExports, calculateImports, encodeModule, fillGotValues, synthesizeBodies, type ExportPlan, type ImportEntry } from './write.js';

export interface LinkResult {
  bytes: Uint8Array;
  warnings: Diagnostic[];
  /** `--verbose` / `--time-trace` / `--print-gc-sections` lines. */
  log: string[];
  /** `--trace` / `--trace-symbol` lines (wasm-ld prints them on stdout). */
  messages: string[];
  /** `--why-extract` table, when asked for. */
  whyExtract?: string;
  /**
   * How many of `messages` come before the `--why-extract` table: wasm-ld writes it once symbols
   * are resolved, before garbage collection prints its `removing unused section` lines.
   */
  whyExtractAfter: number;
  /** The link map (`-M`, `-Map=FILE`), when asked for; format in map-file.ts. */
  map?: string;
}

/**
 * A failed link. wasm-ld prints `--trace` lines and the `--why-extract` table before its errors,
 * so what was gathered up to the failure travels with the error for the CLI to print first.
 */
export class LinkError extends WasmthreadsError {
  constructor(
    diagnostics: Diagnostic[],
    readonly log: string[],
    readonly messages: string[],
    readonly whyExtract: string | undefined,
    readonly whyExtractAfter: number,
  ) {
    super(diagnostics);
    this.name = 'LinkError';
  }
}

export function link(given: LinkOptions): LinkResult {
  const options = checkLinkOptions(given);
  const log: string[] = [];
  const messages: string[] = [];
  const ctx = createContext(options, log, messages);
  try {
    return runPhases(ctx, options, log, messages);
  } catch (e) {
    if (!(e instanceof WasmthreadsError)) throw e;
    // The warnings given before the failure come out too, first, as wasm-ld prints them as they
    // occur (under --fatal-warnings they are the errors themselves).
    const earlier = e instanceof FatalWarnings ? [] : ctx.sink.warnings().filter((d) => !e.diagnostics.includes(d));
    throw new LinkError([...earlier, ...e.diagnostics], log, messages, options.whyExtract !== undefined ? formatWhyExtract(ctx) : undefined, ctx.whyExtractAfter ?? messages.length);
  } finally {
    ctx.files.closeAll();
  }
}

/** The link's warnings turned into its errors by --fatal-warnings. */
class FatalWarnings extends WasmthreadsError {}

/** How many imports of each kind the output has (they come first in each index space). */
function countImports(imports: ImportEntry[]): Record<'functions' | 'tables' | 'globals' | 'tags', number> {
  const count = (kind: number): number => imports.filter((e) => e.imp.desc.kind === kind).length;
  return { functions: count(ExternalKind.Func), tables: count(ExternalKind.Table), globals: count(ExternalKind.Global), tags: count(ExternalKind.Tag) };
}

function runPhases(ctx: LinkContext, options: CheckedLinkOptions, log: string[], messages: string[]): LinkResult {
  // One step of the link, timed under --time-trace. `phase` then stops at the errors so far, as
  // wasm-ld's driver does between its steps; `step` does not, for the writer's checks that wasm-ld
  // runs back to back (memory layout, exports, features, undefined symbols, relocations) before
  // its one check for errors: a link that fails them reports them all at once.
  const step = <T>(name: string, fn: () => T): T => {
    if (options.verbose) log.push(`phase: ${name}`);
    // The clock only when asked: the first performance.now() loads Node's perf_hooks.
    const t0 = options.timeTrace ? performance.now() : 0;
    const r = fn();
    if (options.timeTrace) log.push(`time: ${name}: ${(performance.now() - t0).toFixed(2)} ms`);
    return r;
  };
  const phase = <T>(name: string, fn: () => T): T => {
    const r = step(name, fn);
    ctx.sink.checkpoint();
    return r;
  };
  // What wasm-ld refuses in the options themselves, before reading any input.
  if (ctx.config.maxMemory && ctx.config.noGrowableMemory) ctx.sink.error({ code: 'option-conflict', message: '--max-memory is incompatible with --no-growable-memory' });
  if (ctx.config.importTable && ctx.config.exportTable) ctx.sink.error({ code: 'option-conflict', message: '--import-table and --export-table may not be used together' });
  ctx.sink.checkpoint();
  const inputs = phase('read inputs', () => readInputs(ctx, options));
  // wasm-ld's warnings about options, word for word, given once the inputs could be read (as its
  // checkOptions does): the output's dynamic-linking metadata may still change; -Bsymbolic needs
  // a shared library.
  if (ctx.config.unresolvedSymbols === 'import-dynamic') ctx.sink.warn({ code: 'unstable-option', message: 'dynamic imports are not yet stable (--unresolved-symbols=import-dynamic)' });
  if (options.bsymbolic) ctx.sink.warn({ code: 'option-ignored', message: '-Bsymbolic is only meaningful when combined with -shared' });
  phase('create synthetic symbols', () => createSyntheticSymbols(ctx));
  phase('resolve symbols', () => resolveInputs(ctx, inputs));
  if (options.verbose) logInferredTLS(ctx);
  phase('handle entry, exports and -u', () => handleRoots(ctx, inputs.flatMap((l) => (l.stub ? [l.stub] : []))));
  ctx.whyExtractAfter = messages.length;
  phase('check signatures', () => checkSignatures(ctx));
  phase('mark live', () => markLive(ctx));
  const featureUse = phase('collect features', () => collectFeatures(ctx));
  const layout = step('layout memory', () => {
    createOutputSegments(ctx);
    defineStartStopSymbols(ctx);
    return layoutMemory(ctx);
  });
  step('check exports', () => checkExports(ctx));
  step('check features', () => checkFeatures(ctx, featureUse));
  step('define synthetic values', () => defineSyntheticValues(ctx, layout));
  const imports = step('calculate imports', () => {
    createIndirectTable(ctx);
    return calculateImports(ctx);
  });
  const imported = countImports(imports);
  step('scan relocations', () => {
    scanRelocations(ctx);
    checkTableSize(ctx);
    assignTableIndices(ctx, imported.tables);
  });
  const { functions, globals } = phase('assign indices', () => {
    ctx.numImportedFunctions = imported.functions;
    const functions = assignFunctionIndices(ctx, imported.functions);
    const globals = assignGlobalIndices(ctx, imported.globals);
    assignTagIndices(ctx, imported.tags);
    fillGotValues(ctx);
    return { functions, globals };
  });
  const exports = phase('calculate exports', () => {
    const ex = calculateExports(ctx, functions, () => globals.length + ctx.exportedDataGlobals.length + imported.globals);
    functions.push(...ex.extraFunctions);
    globals.push(...ctx.exportedDataGlobals);
    checkExportedGlobalFeatures(ctx, imports, ex, globals);
    return ex;
  });
  phase('synthesize bodies', () => synthesizeBodies(ctx, exports.extraFunctions));
  const mod = phase('build module', () =>
    buildModule(ctx, { imports, functions, globals, exports: exports.exports, features: outputFeatures(ctx), startFunction: ctx.sym.initMemory?.live ? ctx.sym.initMemory : undefined }),
  );
  const bytes = phase('encode', () => {
    const bytes = encodeModule(mod);
    if (ctx.config.buildId) patchBuildId(bytes, ctx.config.buildId);
    return bytes;
  });
  const map = options.printMap || options.mapFile !== undefined
    ? phase('write map', () => formatLinkMap(ctx, { bytes, functions, globals, numImportedFunctions: imported.functions, layout }))
    : undefined;
  const warnings = ctx.sink.warnings();
  // --fatal-warnings: each warning is said once, as an error (as wasm-ld says it), not twice.
  if (ctx.config.fatalWarnings && warnings.length) throw new FatalWarnings(warnings.map((w) => ({ ...w, severity: 'error' as const })));
  return { bytes, warnings, log, messages, whyExtract: options.whyExtract !== undefined ? formatWhyExtract(ctx) : undefined, whyExtractAfter: ctx.whyExtractAfter, map };
}

/** `--verbose`: which symbols were taken as thread-local by their segment alone, and why. */
function logInferredTLS(ctx: LinkContext): void {
  for (const f of ctx.objectFiles) {
    for (const t of f.inferredTLS) {
      ctx.log(`${f.name}: \`${t.symbol}\` taken as thread-local: it has no TLS symbol flag, but its segment ${t.segment} ` +
        `${t.byFlag ? 'has the TLS segment flag' : 'is named .tdata/.tbss'} (objects from LLVM 13 and older mark only the segment)`);
    }
  }
}

/** Imported and exported mutable globals need the mutable-globals feature (features.ts). */
function checkExportedGlobalFeatures(ctx: LinkContext, imports: ImportEntry[], ex: ExportPlan, globals: InputGlobal[]): void {
  checkImportExportFeatures(
    ctx,
    imports.flatMap((e) => (e.imp.desc.kind === ExternalKind.Global ? [{ name: e.sym?.name ?? e.imp.name, mutable: e.imp.desc.global.mutable }] : [])),
    ex.exports.flatMap((e) => {
      const g = e.kind === ExternalKind.Global ? globals.find((x) => x.outputIndex === e.index) : undefined;
      return g ? [{ name: g.name, mutable: g.type.mutable }] : [];
    }),
  );
}

/** wasm-ld's `--why-extract` format: a header, then one tab-separated row per extraction, the symbol as wasm-ld shows it (demangled unless --no-demangle). */
function formatWhyExtract(ctx: LinkContext): string {
  return ['reference\textracted\tsymbol', ...ctx.whyExtract.filter((r) => !r.unlisted).map((r) => `${r.reference}\t${r.extracted}\t${displayName(r.symbol, ctx.config.demangle)}`)].join('\n') + '\n';
}

const TRACE_VERB = { undefined: 'reference to', lazy: 'lazy definition of', defined: 'definition of' } as const;

function createContext(options: CheckedLinkOptions, log: string[], messages: string[]): LinkContext {
  const traced = new Set(options.traceSymbols ?? []);
  const sink = new DiagnosticSink();
  const ctx: LinkContext = {
    config: makeConfig(options, new Set()),
    sink,
    objectFiles: [],
    archives: [],
    files: new OpenFiles(),
    // Archive members are loaded while symbols resolve: the table calls back into the context.
    symtab: new SymbolTable({
      error: (d) => sink.error(d),
      warn: (d) => sink.warn(d),
      allowMultipleDefinition: !!options.allowMultipleDefinition,
      displayName: (name) => displayName(name, ctx.config.demangle),
      extract: (ref, record) => {
        if (options.verbose) ctx.log(`extracting ${ref.name} for \`${record.symbol}\` (referenced by ${record.reference})`);
        addObject(ctx, ref.obj);
        ctx.whyExtract.push(record);
      },
      // Only under --trace-symbol: without it the table offers archive names as light lazy entries.
      trace: traced.size === 0 ? undefined : (s, file) => {
        if (traced.has(s.name)) ctx.message(`${file}: ${TRACE_VERB[s.state]} ${s.name}`);
      },
    }),
    sym: { data: new Map() },
    startStopSymbols: [],
    startStopFrom: Infinity,
    syntheticFunctions: [],
    syntheticGlobals: [],
    extraGlobals: [],
    exportedDataGlobals: [],
    numImportedFunctions: 0,
    tableEntries: [],
    outputSegments: [],
    memory: { initialPages: 0, maxPages: undefined },
    allowedFeatures: new Set(),
    types: [],
    typeIndices: new Map(),
    log: (line) => log.push(line),
    traced: (name) => traced.has(name),
    message: (line) => messages.push(line),
    whyExtract: [],
  };
  return ctx;
}

/**
 * A table's size is a u32: --table-base plus the address-taken functions must fit in it (where
 * wasm-ld 22 writes a module no engine reads).
 */
function checkTableSize(ctx: LinkContext): void {
  const base = ctx.config.tableBase;
  const n = ctx.tableEntries.length;
  if (base + n > 0xffffffff) {
    ctx.sink.error({ code: 'table-size', message: `indirect function table too large: --table-base ${base} plus ${n} address-taken functions is more than the 4294967295 slots a table can have` });
  }
}

/** Tables: imports, then the objects' own tables, then the indirect function table. */
function assignTableIndices(ctx: LinkContext, numImportedTables: number): void {
  let index = numImportedTables;
  for (const f of ctx.objectFiles) for (const t of f.tables) if (t.live) t.outputIndex = index++;
  if (ctx.indirectTable) ctx.indirectTable.outputIndex = index;
}

/** Tags: imports first, then the objects' defined tags in file order. */
function assignTagIndices(ctx: LinkContext, numImportedTags: number): void {
  let tag = numImportedTags;
  for (const f of ctx.objectFiles) for (const t of f.tags) if (t.live) t.outputIndex = tag++;
}
