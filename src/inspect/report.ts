// The shape of `inspect`'s report: plain JSON-able data (no bigint, no Map, no typed arrays), so
// `inspect --json` is `JSON.stringify(report)` and stays stable. README section `inspect`
// documents every field; change both together.

import type { Diagnostic } from '../diagnostics.js';

export type ReportKind = 'module' | 'object' | 'archive';

export interface SectionReport {
  /** Position in the file, 0-based. */
  index: number;
  /** Section id (0 for custom sections). */
  id: number;
  /** Standard section name (`Code`), or the custom section's own name (`reloc.CODE`). */
  name: string;
  /** Absolute offset of the id byte. */
  offset: number;
  /** Absolute offset of the first content byte. */
  contentOffset: number;
  /** Content size in bytes. */
  size: number;
  /** Number of entries, for vector sections. */
  count?: number;
}

export interface ImportReport {
  module: string;
  name: string;
  kind: 'func' | 'table' | 'memory' | 'global' | 'tag';
  /** Index in the kind's index space (imports come first). */
  index: number;
  /** `(i32 i32) -> (i32)` for functions, the type for globals/tables, limits for memories. */
  type: string;
}

export interface ExportReport {
  name: string;
  kind: 'func' | 'table' | 'memory' | 'global' | 'tag';
  index: number;
}

export interface FunctionReport {
  index: number;
  name?: string;
  type: string;
  /** `module.name` of an imported function. */
  import?: string;
  /** Absolute offset and size of the body (defined functions). */
  bodyOffset?: number;
  bodySize?: number;
}

export interface MemoryReport {
  index: number;
  import?: string;
  /** Pages (of 2^pageSizeLog2 bytes, default 64 KiB). */
  min: number;
  max?: number;
  shared: boolean;
  memory64: boolean;
  pageSizeLog2?: number;
}

export interface TableReport {
  index: number;
  import?: string;
  elemType: string;
  min: number;
  max?: number;
}

export interface GlobalReport {
  index: number;
  name?: string;
  import?: string;
  type: string;
  mutable: boolean;
  /** The initialiser as text, e.g. `i32.const 66560` (defined globals). */
  init?: string;
  /** The initialiser's value when it is a plain constant (i64 values as decimal strings). */
  value?: number | string;
}

export interface DataSegmentReport {
  index: number;
  name?: string;
  mode: 'active' | 'passive';
  memory?: number;
  /** Active segments: the offset expression as text. */
  offsetExpr?: string;
  /** Active segments with a constant offset: the address. */
  address?: number;
  size: number;
  /** Absolute file offset of the segment's first data byte. */
  fileOffset: number;
}

export interface SymbolReport {
  index: number;
  kind: 'function' | 'data' | 'global' | 'section' | 'tag' | 'table';
  name: string;
  flags: number;
  /** Decoded flags: `undefined`, `weak`, `local`, `hidden`, `exported`, `explicit-name`, `no-strip`, `tls`, `absolute`. */
  flagNames: string[];
  /** Function/global/tag/table index, for those kinds. */
  elementIndex?: number;
  /** Defined data symbols. */
  segment?: number;
  offset?: number;
  size?: number;
  /** Section symbols: the section index. */
  section?: number;
}

export interface SegmentInfoReport {
  index: number;
  name: string;
  /** Alignment in bytes (2^p2align). */
  alignment: number;
  p2align: number;
  flags: number;
  /** `strings`, `tls`, `retain`. */
  flagNames: string[];
  size?: number;
}

export interface RelocationEntryReport {
  type: string;
  /** Offset relative to the target section's contents. */
  offset: number;
  /** Absolute file offset of the patched bytes. */
  fileOffset: number;
  /** Symbol index (type index for R_WASM_TYPE_INDEX_LEB). */
  index: number;
  /** Symbol name, when the index names a symbol with one. */
  symbol?: string;
  addend?: number;
}

export interface RelocationSectionReport {
  /** The reloc section's own name (`reloc.CODE`). */
  name: string;
  /** Index and name of the section the relocations apply to. */
  targetSection: number;
  targetName: string;
  entries: RelocationEntryReport[];
}

export interface InitFuncReport {
  priority: number;
  symbol: number;
  name?: string;
}

export interface ComdatReport {
  name: string;
  flags: number;
  entries: { kind: 'data' | 'function' | 'global' | 'tag' | 'table' | 'section' | string; index: number; name?: string }[];
}

export interface TlsSegmentReport {
  /** Data segment index. */
  index: number;
  name?: string;
  size: number;
  /** Alignment in bytes (objects: from segment info). */
  alignment?: number;
  /** Why it is TLS: the segment flag 0x2, or the `.tdata`/`.tbss` name (lld's legacy rule). */
  reason: 'flag' | 'name';
}

export interface TlsUserReport {
  /** Function index. */
  function: number;
  name?: string;
  /** How the function touches TLS: `global.get`/`global.set` of `__tls_base`, or a relocation type. */
  via: string[];
}

export interface TlsReport {
  segments: TlsSegmentReport[];
  /** Values of the `__tls_size` / `__tls_align` globals (linked modules with shared memory). */
  tlsSize?: number;
  tlsAlign?: number;
  /** The `__tls_base` global, when the module has or imports one. */
  tlsBase?: { global: number; import?: string; mutable: boolean; init?: string };
  /** Whether `__wasm_init_tls` is defined / exported. */
  initTls?: { function: number; exported: boolean };
  /** TLS-flagged symbols (objects). */
  symbols: string[];
  /** Functions that use `__tls_base` or TLS relocations. */
  users: TlsUserReport[];
}

export type ThreadAbiKind = 'wasi-threads' | 'host-managed' | 'emscripten' | 'single-threaded' | 'link-time';

export interface ObjectThreadNeeds {
  /** `+atomics` / `+bulk-memory` in target_features. */
  atomics: boolean;
  bulkMemory: boolean;
  /** The object carries `-shared-mem`: LLVM lowered its atomics/TLS away; it cannot be linked with --shared-memory. */
  disallowsSharedMemory: boolean;
  /** Number of atomic (0xFE) instructions in its code. */
  atomicInstructions: number;
  /** It defines or references thread-local data. */
  usesTls: boolean;
  /** `compatible`, `incompatible` (with --shared-memory), or `unknown` (no target_features). */
  sharedMemory: 'compatible' | 'incompatible' | 'unknown';
}

export interface ThreadAbiReport {
  abi: ThreadAbiKind;
  /** One line per fact that decided it. */
  reasons: string[];
  /** Whether memory 0 is shared. */
  sharedMemory: boolean;
  /**
   * The import through which the module starts threads, if any: `wasi` (`wasi.thread-spawn`) or
   * `wasmthreads` (the host-managed ABI's `wasmthreads.thread_spawn`). This is what `run` goes by.
   */
  spawnImport?: 'wasi' | 'wasmthreads';
  /** Relocatable objects only: what linking it into a threaded program requires. */
  object?: ObjectThreadNeeds;
}

export interface DisassemblyReport {
  function: number;
  name?: string;
  locals: string[];
  /** `bytes`: the instruction's encoding as hex pairs (`41 80 08`). */
  instructions: { offset: number; depth: number; bytes: string; text: string }[];
}

export interface ModuleReport {
  file: string;
  kind: 'module' | 'object';
  /** Total size in bytes. */
  size: number;
  version: number;
  sections: SectionReport[];
  types: number;
  imports: ImportReport[];
  exports: ExportReport[];
  functions: FunctionReport[];
  tables: TableReport[];
  memories: MemoryReport[];
  globals: GlobalReport[];
  tags: number;
  start?: number;
  elementSegments: number;
  dataSegments: DataSegmentReport[];
  /** Objects: the `linking` section. */
  linkingVersion?: number;
  symbols: SymbolReport[];
  segmentInfo: SegmentInfoReport[];
  initFuncs: InitFuncReport[];
  comdats: ComdatReport[];
  relocations: RelocationSectionReport[];
  targetFeatures: string[];
  producers: Record<string, { name: string; version: string }[]>;
  tls: TlsReport;
  threadAbi: ThreadAbiReport;
  disassembly?: DisassemblyReport[];
}

export interface ArchiveMemberReport {
  name: string;
  /** Offset of the member's data in the archive. */
  offset: number;
  size: number;
  /** The member's report; absent when the member is not wasm or failed to decode. */
  report?: ModuleReport;
  /** Why there is no report: `not a WebAssembly file`, or the decode error's text. */
  error?: string;
  /** The decode error as data (file, offset, message), when decoding failed. */
  diagnostics?: Diagnostic[];
}

export interface ArchiveReport {
  file: string;
  kind: 'archive';
  size: number;
  /** Entries of the archive's symbol index. */
  indexSymbols: number;
  members: ArchiveMemberReport[];
}

export type InspectReport = ModuleReport | ArchiveReport;

export interface InspectOptions {
  /** Decode every function body into `disassembly`. */
  disassemble?: boolean;
  /** Archives: only the members whose name is listed. */
  members?: string[];
}
