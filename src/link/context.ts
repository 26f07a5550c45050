// The one explicit context every link phase takes (lld's `Ctx` + `Config`, but per link: nothing
// module-level, so a process can run any number of links). `Config` is `LinkOptions` with wasm-ld
// 22's defaults applied.

import type { OpenFiles } from './file-source.js';
import type { FuncType } from '../binary/types.js';
import type { DiagnosticSink } from '../diagnostics.js';
import type { CheckedLinkOptions, UnresolvedPolicy } from './options.js';
import type { BuildId } from './build-id.js';
import type { ArchiveFile } from './archive.js';
import type { ObjFile } from './input-files.js';
import type { InputFunction, InputGlobal, InputTable, OutputSegment, Sym } from './symbols.js';
import type { ExtractRecord, SymbolTable } from './symbol-table.js';

export const WASM_PAGE_SIZE = 65536;
export const DEFAULT_STACK_SIZE = 65536;
export const STACK_ALIGNMENT = 16;
export const HEAP_ALIGNMENT = 16;
/**
 * Whether the stack goes first when the command line does not say. wasm-ld 22 puts it first; up to
 * wasm-ld 21 data came first. A line written for the old layout — emcc 3.1.6 passes
 * `--global-base=1024` on every link, assuming wasm-ld 14 — gives a `--global-base` below the
 * stack's size, which wasm-ld 22 rejects ("--global-base cannot be less than stack size when
 * --stack-first is used"). Such a line can only mean data first, so it is laid out data first, as
 * the linker it was written for did; every line wasm-ld 22 accepts keeps its meaning.
 */
function defaultStackFirst(o: CheckedLinkOptions): boolean {
  return !(o.globalBase && o.globalBase < (o.stackSize ?? DEFAULT_STACK_SIZE));
}

/** Default data start without --stack-first (wasm-ld's `globalBase` default). */
export const DEFAULT_GLOBAL_BASE = 1024;
/** Slot 0 of the indirect function table stays null so calling a null pointer traps. */
export const DEFAULT_TABLE_BASE = 1;
/** wasm32's 4 GiB limit. */
export const MAX_MEMORY_WASM32 = 4 * 1024 * 1024 * 1024;

export interface Config {
  output: string | undefined;
  entry: string | undefined;
  exports: string[];
  exportIfDefined: string[];
  exportAll: boolean;
  exportDynamic: boolean;
  exportTable: boolean;
  importTable: boolean;
  growableTable: boolean;
  importMemory: { module: string; name: string } | undefined;
  exportMemory: string | undefined;
  sharedMemory: boolean;
  initialMemory: number | undefined;
  maxMemory: number | undefined;
  noGrowableMemory: boolean;
  initialHeap: number;
  globalBase: number | undefined;
  tableBase: number;
  stackSize: number;
  stackFirst: boolean;
  importUndefined: boolean;
  unresolvedSymbols: UnresolvedPolicy;
  warnUnresolvedSymbols: boolean;
  allowUndefinedSymbols: Set<string>;
  undefinedSymbols: string[];
  gcSections: boolean;
  mergeDataSegments: boolean;
  printGcSections: boolean;
  stripAll: boolean;
  stripDebug: boolean;
  /** Demangle C++ names in the name section (wasm-ld's default). */
  demangle: boolean;
  keepSections: Set<string>;
  checkFeatures: boolean;
  features: string[] | undefined;
  extraFeatures: string[];
  allowMultipleDefinition: boolean;
  fatalWarnings: boolean;
  /** `-O`: string merging happens above 0 (wasm-ld's default is 1). */
  optimize: number;
  /** `--trace`: name each file as it is loaded. */
  trace: boolean;
  /** `--wrap=X` names. */
  wrap: string[];
  buildId: BuildId | undefined;
}

export function makeConfig(o: CheckedLinkOptions, allowUndefinedSymbols: Set<string>): Config {
  const importUndefined = !!(o.importUndefined || o.allowUndefined);
  return {
    output: o.output,
    entry: o.noEntry ? undefined : (o.entry ?? '_start'),
    exports: o.exports ?? [],
    exportIfDefined: o.exportIfDefined ?? [],
    exportAll: !!o.exportAll,
    exportDynamic: !!o.exportDynamic,
    exportTable: !!o.exportTable,
    importTable: !!o.importTable,
    growableTable: !!o.growableTable,
    importMemory: o.importMemory,
    // wasm-ld exports the memory as `memory` unless it is imported.
    exportMemory: o.exportMemory ?? (o.importMemory ? undefined : 'memory'),
    sharedMemory: !!o.sharedMemory,
    initialMemory: o.initialMemory,
    maxMemory: o.maxMemory,
    noGrowableMemory: !!o.noGrowableMemory,
    initialHeap: o.initialHeap ?? 0,
    // 0 is "not given" for both, as in wasm-ld (which tests them for zero).
    globalBase: o.globalBase || undefined,
    tableBase: o.tableBase || DEFAULT_TABLE_BASE,
    stackSize: o.stackSize ?? DEFAULT_STACK_SIZE,
    stackFirst: o.stackFirst ?? defaultStackFirst(o),
    importUndefined,
    // --allow-undefined anywhere on the line wins over --unresolved-symbols, as in wasm-ld.
    unresolvedSymbols: o.allowUndefined ? 'ignore-all' : (o.unresolvedSymbols ?? 'report-all'),
    warnUnresolvedSymbols: !!o.warnUnresolvedSymbols,
    allowUndefinedSymbols,
    undefinedSymbols: o.undefined ?? [],
    gcSections: o.gcSections ?? true,
    mergeDataSegments: o.mergeDataSegments ?? true,
    printGcSections: !!o.printGcSections,
    stripAll: !!o.stripAll,
    stripDebug: !!o.stripDebug || !!o.stripAll,
    demangle: o.demangle ?? true,
    keepSections: new Set(o.keepSections ?? []),
    checkFeatures: o.checkFeatures ?? true,
    features: o.features,
    extraFeatures: o.extraFeatures ?? [],
    allowMultipleDefinition: !!o.allowMultipleDefinition,
    fatalWarnings: !!o.fatalWarnings,
    optimize: o.optimize ?? 1,
    trace: !!o.trace,
    wrap: o.wrap ?? [],
    buildId: o.buildId,
  };
}

/** Linker-defined symbols (lld `WasmSym`); present only when created. */
export interface SyntheticSymbols {
  callCtors?: Sym;
  callDtors?: Sym;
  stackPointer?: Sym;
  tlsBase?: Sym;
  tlsSize?: Sym;
  tlsAlign?: Sym;
  initTLS?: Sym;
  initMemory?: InputFunction;
  /** Shared memory with internal GOT globals of TLS symbols: sets them per thread. */
  applyGlobalTLSRelocs?: InputFunction;
  /** Shared memory with relocations inside TLS data: `__wasm_init_tls` calls it (lld applyTLSRelocs). */
  applyTLSRelocs?: InputFunction;
  indirectFunctionTable?: Sym;
  /** Optional data symbols by name (`__data_end`, `__heap_base`, …). */
  data: Map<string, Sym>;
}

export interface LinkContext {
  config: Config;
  sink: DiagnosticSink;
  objectFiles: ObjFile[];
  archives: ArchiveFile[];
  /** Input files read at offsets (file-source.ts): which stay open; all closed when the link ends. */
  files: OpenFiles;
  symtab: SymbolTable;
  sym: SyntheticSymbols;
  /** `__start_SEC`/`__stop_SEC` symbols and the output segment each bounds (set after layout). */
  startStopSymbols: { sym: Sym; seg: OutputSegment; stop: boolean }[];
  /**
   * Where in the symbol table's insertion order (`symtab.nextPlace`) the `__start_`/`__stop_`
   * symbols made after the layout begin: a place, not an index, since a symbol made later from an
   * archive's lazy entry goes to its own place, before them.
   */
  startStopFrom: number;
  /** Functions the linker writes itself, in output order (before input functions). */
  syntheticFunctions: InputFunction[];
  /** Globals the linker defines, in output order (before input globals). */
  syntheticGlobals: InputGlobal[];
  /** Internal GOT globals and exported-data globals (after input globals). */
  extraGlobals: InputGlobal[];
  indirectTable?: InputTable;
  /** Functions in the indirect table, in slot order starting at `config.tableBase`. */
  tableEntries: InputFunction[];
  outputSegments: OutputSegment[];
  /** Address of `__wasm_init_memory_flag`, when there is one. */
  initMemoryFlag?: number;
  memory: { initialPages: number; maxPages: number | undefined };
  /** Which live file first used each feature; features disallowed and by whom. */
  allowedFeatures: Set<string>;
  /** Globals holding the addresses of exported data symbols (after everything else). */
  exportedDataGlobals: InputGlobal[];
  numImportedFunctions: number;
  /** Output types, deduplicated by structure (`typeKey`). */
  types: FuncType[];
  typeIndices: Map<string, number>;
  log: (line: string) => void;
  /** Whether `--trace-symbol` names `name`. */
  traced: (name: string) => boolean;
  /** A `--trace`/`--trace-symbol` line (wasm-ld prints these on stdout). */
  message: (line: string) => void;
  /** `--why-extract` rows, in the order members finished loading. */
  whyExtract: ExtractRecord[];
  /** How many `message` lines were given when symbols were resolved (where the table goes). */
  whyExtractAfter?: number;
}
