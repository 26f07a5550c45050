// wasm-ld's command line as a table: every flag clang-22, emcc and rustc pass
// is declared once here with how it changes `LinkOptions`. The same table drives parsing and
// `wasmthreads link --help`. Flags that would change the output but are not implemented are
// errors, never silently dropped; flags that cannot change the output (`-mllvm`, `--threads`) are
// accepted with a warning. Syntax follows lld's Options.td conventions: long names take one or two
// dashes, values come as `--x=v` or `--x v`; `-l`, `-L`, `-o`, `-e`, `-u`, `-z`, `-O`, `-m`, `-y`
// also take joined values (`-lc`, `-Ldir`, `-O2`).

import { checkOptions, optionError, type OptionKind } from '../shared/check-options.js';
import { readFileSync } from 'node:fs';
import { WasmthreadsError } from '../diagnostics.js';
import { type BuildId, parseBuildId } from './build-id.js';

/** One input, in command-line order. A path, a `-l` library, or bytes given by a library caller. */
export type LinkInput =
  | string
  | { path: string; wholeArchive?: boolean; lazy?: boolean }
  | { library: string; wholeArchive?: boolean }
  | { name: string; bytes: Uint8Array; wholeArchive?: boolean };

export type UnresolvedPolicy = 'report-all' | 'ignore-all' | 'import-dynamic';

export interface LinkOptions {
  inputs: LinkInput[];
  output?: string;
  libraryPaths?: string[];
  /** Entry symbol; `undefined` means `_start`. */
  entry?: string;
  noEntry?: boolean;
  exports?: string[];
  exportIfDefined?: string[];
  exportAll?: boolean;
  exportDynamic?: boolean;
  exportTable?: boolean;
  importTable?: boolean;
  growableTable?: boolean;
  /** `--import-memory[=module,name]`; `true` means `env.memory`. */
  importMemory?: boolean | { module: string; name: string };
  /** `--export-memory[=name]`; defaults to `memory` when memory is not imported. */
  exportMemory?: string;
  sharedMemory?: boolean;
  initialMemory?: number;
  maxMemory?: number;
  noGrowableMemory?: boolean;
  /** -Bsymbolic was given: it binds symbols inside shared libraries, which are not produced (a warning, as wasm-ld's). */
  bsymbolic?: boolean;
  initialHeap?: number;
  globalBase?: number;
  tableBase?: number;
  /** `-z stack-size=N`. */
  stackSize?: number;
  /** wasm-ld 22's default is true (llvm PR #166998). */
  stackFirst?: boolean;
  allowUndefined?: boolean;
  allowUndefinedFiles?: string[];
  importUndefined?: boolean;
  unresolvedSymbols?: UnresolvedPolicy;
  warnUnresolvedSymbols?: boolean;
  /** `-u SYM`: force a symbol to be resolved (extracting archive members). */
  undefined?: string[];
  gcSections?: boolean;
  /** `--no-merge-data-segments`: one output segment per input segment name (default: merged by prefix). */
  mergeDataSegments?: boolean;
  printGcSections?: boolean;
  stripAll?: boolean;
  stripDebug?: boolean;
  /** `--demangle` (default) / `--no-demangle`: C++ function names in the name section as people read them. */
  demangle?: boolean;
  keepSections?: string[];
  checkFeatures?: boolean;
  features?: string[];
  extraFeatures?: string[];
  allowMultipleDefinition?: boolean;
  fatalWarnings?: boolean;
  /** `-O N`; wasm-ld merges strings when N > 0 (default 1). */
  optimize?: number;
  verbose?: boolean;
  timeTrace?: boolean;
  /** `--trace`/`-t`: print each file as it is loaded. */
  trace?: boolean;
  /** `--trace-symbol`/`-y`: print where these symbols are referenced and defined. */
  traceSymbols?: string[];
  /** `--why-extract=FILE` (`-` for stdout): why each archive member was loaded. */
  whyExtract?: string;
  /** `--wrap=X`: references to X go to `__wrap_X`, and `__real_X` to X. */
  wrap?: string[];
  /** `--build-id[=STYLE]`: the `build_id` section's content (none: no section). */
  buildId?: BuildId;
  /** `-M`/`--print-map`: print the link map on stdout. */
  printMap?: boolean;
  /** `-Map=FILE`: write the link map to FILE. */
  mapFile?: string;
  /** Read inputs through this function instead of the file system (tests, the runtime). */
  readFile?: (path: string) => Uint8Array;
}

/** How a flag takes its value. */
type Arity = 'none' | 'value' | 'optional-eq';

interface FlagDef {
  names: string[];
  arity: Arity;
  help: string;
  /** Short flags that may take their value joined (`-lc`). */
  joined?: boolean;
  apply(o: LinkOptions, value: string | undefined, state: ParseState): void;
}

interface ParseState {
  /** The flag being applied as the command line spells it (`-pie`, `--pie`), without its value. */
  flag: string;
  wholeArchive: boolean;
  /** Between --start-lib and --end-lib. */
  lazy: boolean;
  warnings: string[];
  /** Notes about routinely passed ignored flags: warnings only under --verbose. */
  verboseNotes: string[];
}

function usage(message: string): WasmthreadsError {
  return new WasmthreadsError({ severity: 'error', code: 'usage', message });
}

/** Parses `N`, `0xN`; memory sizes are plain byte counts in wasm-ld. */
function parseNumber(flag: string, v: string | undefined): number {
  const n = v !== undefined && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw usage(`invalid value for ${flag}: ${v ?? '(none)'}`);
  return n;
}

function push(list: string[] | undefined, v: string): string[] {
  return [...(list ?? []), v];
}

const bool = (names: string[], help: string, set: (o: LinkOptions) => void): FlagDef => ({
  names,
  arity: 'none',
  help,
  apply: (o) => set(o),
});

const val = (names: string[], help: string, set: (o: LinkOptions, v: string) => void, joined = false): FlagDef => ({
  names,
  arity: 'value',
  help,
  joined,
  apply: (o, v) => set(o, v!),
});

/**
 * Accepted because they cannot change the output. `routine` flags are what compiler drivers pass
 * on every link (clang, emcc and rustc pass `-mllvm …` pairs, `--threads`, LTO levels): saying so
 * on every link would be noise, so their note shows only under --verbose. Others (a `--reproduce`
 * the user asked for) always warn: nothing the user asked for is dropped silently.
 */
const ignored = (names: string[], arity: Arity, why: string, routine = false, check?: (v: string) => string | undefined): FlagDef => ({
  names,
  arity,
  help: `accepted and ignored: ${why}`,
  apply: (_o, v, s) => {
    // A value wasm-ld would refuse is refused here too, in its words, though it changes nothing.
    const bad = v === undefined ? undefined : check?.(v);
    if (bad !== undefined) throw usage(bad);
    (routine ? s.verboseNotes : s.warnings).push(`ignoring ${s.flag}: ${why}`);
  },
});

/** wasm-ld's checks of the values of flags that change nothing here. */
const positiveInteger = (flag: string) => (v: string): string | undefined => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : `${flag}: expected a positive integer, but got '${v}'`);
const anInteger = (flag: string) => (v: string): string | undefined => (/^-?\d+$/.test(v) ? undefined : `${flag}=${v}: number expected, but got '${v}'`);

/** Accepted silently: they mean nothing to a static wasm link (wasm-ld itself treats them so). */
const silent = (names: string[], arity: Arity, help: string): FlagDef => ({ names, arity, help, apply: () => {} });

/** Would change the output and is not implemented: an error rather than a wrong module. */
const unsupported = (names: string[], arity: Arity, what: string): FlagDef => ({
  names,
  arity,
  help: `not supported (${what})`,
  apply: (_o, _v, s) => {
    throw usage(`${s.flag} is not supported by wasmthreads link (${what})`);
  },
});

export const LINK_FLAGS: FlagDef[] = [
  val(['o', 'output'], 'write the module to FILE', (o, v) => (o.output = v), true),
  val(['l', 'library'], 'search -L paths for libNAME.a (or NAME with -l:NAME)', (o, v) => o.inputs.push({ library: v }), true),
  val(['L', 'library-path'], 'add a directory to the library search path', (o, v) => (o.libraryPaths = push(o.libraryPaths, v)), true),
  {
    names: ['whole-archive'],
    arity: 'none',
    help: 'load every member of the following archives',
    apply: (_o, _v, s) => (s.wholeArchive = true),
  },
  { names: ['no-whole-archive'], arity: 'none', help: 'back to lazy archive members', apply: (_o, _v, s) => (s.wholeArchive = false) },
  {
    names: ['start-lib'],
    arity: 'none',
    help: 'objects up to --end-lib are loaded only when needed, like archive members',
    apply(_o, _v, s) {
      if (s.lazy) throw usage('nested --start-lib');
      s.lazy = true;
    },
  },
  {
    names: ['end-lib'],
    arity: 'none',
    help: 'ends a --start-lib group',
    apply(_o, _v, s) {
      if (!s.lazy) throw usage('stray --end-lib');
      s.lazy = false;
    },
  },
  // The last of --entry and --no-entry wins, as in wasm-ld.
  val(['e', 'entry'], 'entry symbol (default _start)', (o, v) => {
    o.entry = v;
    o.noEntry = false;
  }, true),
  bool(['no-entry'], 'no entry point', (o) => (o.noEntry = true)),
  val(['export'], 'export SYMBOL (error if undefined)', (o, v) => (o.exports = push(o.exports, v))),
  val(['export-if-defined'], 'export SYMBOL if it is defined', (o, v) => (o.exportIfDefined = push(o.exportIfDefined, v))),
  bool(['export-all'], 'export every defined symbol', (o) => (o.exportAll = true)),
  bool(['export-dynamic', 'E'], 'export non-hidden symbols', (o) => (o.exportDynamic = true)),
  bool(['no-export-dynamic'], 'do not export non-hidden symbols (default)', (o) => (o.exportDynamic = false)),
  bool(['export-table'], 'export the indirect function table', (o) => (o.exportTable = true)),
  bool(['import-table'], 'import the indirect function table', (o) => (o.importTable = true)),
  bool(['growable-table'], 'no maximum on the indirect function table', (o) => (o.growableTable = true)),
  {
    names: ['import-memory'],
    arity: 'optional-eq',
    help: 'import the memory (default env.memory; =MODULE,NAME)',
    apply(o, v) {
      if (v === undefined) o.importMemory = { module: 'env', name: 'memory' };
      else {
        const comma = v.indexOf(',');
        o.importMemory = comma < 0 ? { module: 'env', name: v } : { module: v.slice(0, comma), name: v.slice(comma + 1) };
      }
    },
  },
  { names: ['build-id'], arity: 'optional-eq', help: 'write a build_id section (=fast, the default, sha1, uuid, 0xHEX or none)', apply: (o, v) => (o.buildId = parseBuildId(v)) },
  { names: ['export-memory'], arity: 'optional-eq', help: 'export the memory (=NAME)', apply: (o, v) => (o.exportMemory = v ?? 'memory') },
  bool(['shared-memory'], 'shared memory: passive segments, __wasm_init_memory, TLS helpers', (o) => (o.sharedMemory = true)),
  bool(['no-shared-memory'], 'unshared memory (default)', (o) => (o.sharedMemory = false)),
  val(['initial-memory'], 'initial memory size in bytes', (o, v) => (o.initialMemory = parseNumber('--initial-memory', v))),
  val(['max-memory'], 'maximum memory size in bytes', (o, v) => (o.maxMemory = parseNumber('--max-memory', v))),
  bool(['no-growable-memory'], 'maximum memory = initial memory', (o) => (o.noGrowableMemory = true)),
  val(['initial-heap'], 'initial heap size in bytes', (o, v) => (o.initialHeap = parseNumber('--initial-heap', v))),
  val(['global-base'], 'address where data starts', (o, v) => (o.globalBase = parseNumber('--global-base', v))),
  val(['table-base'], 'first indirect function table slot (default 1)', (o, v) => (o.tableBase = parseNumber('--table-base', v))),
  bool(['stack-first'], 'place the stack below the data (default, as wasm-ld 22)', (o) => (o.stackFirst = true)),
  bool(['no-stack-first'], 'place the stack after the data (wasm-ld <= 21 default)', (o) => (o.stackFirst = false)),
  {
    names: ['z'],
    arity: 'value',
    joined: true,
    help: 'stack-size=N, muldefs (others warn)',
    apply(o, v, s) {
      if (v!.startsWith('stack-size=')) o.stackSize = parseNumber('-z stack-size', v!.slice('stack-size='.length));
      else if (v === 'muldefs') o.allowMultipleDefinition = true;
      else s.warnings.push(`unknown -z value: ${v}`);
    },
  },
  bool(['allow-undefined'], 'undefined functions become imports', (o) => {
    o.allowUndefined = true;
  }),
  val(['allow-undefined-file'], 'file listing symbols allowed to be undefined', (o, v) => (o.allowUndefinedFiles = push(o.allowUndefinedFiles, v))),
  bool(['import-undefined'], 'undefined functions that may be imported are imported', (o) => (o.importUndefined = true)),
  val(['unresolved-symbols'], 'report-all | ignore-all | import-dynamic', (o, v) => {
    if (v !== 'report-all' && v !== 'ignore-all' && v !== 'import-dynamic') throw usage(`unknown --unresolved-symbols value: ${v}`);
    o.unresolvedSymbols = v;
  }),
  bool(['error-unresolved-symbols'], 'undefined symbols are errors (default)', (o) => (o.warnUnresolvedSymbols = false)),
  bool(['warn-unresolved-symbols'], 'undefined symbols are warnings', (o) => (o.warnUnresolvedSymbols = true)),
  val(['u', 'undefined'], 'force SYMBOL to be resolved', (o, v) => (o.undefined = push(o.undefined, v)), true),
  bool(['gc-sections'], 'remove unused functions and data (default)', (o) => (o.gcSections = true)),
  bool(['no-gc-sections'], 'keep everything', (o) => (o.gcSections = false)),
  bool(['print-gc-sections'], 'list what garbage collection removed', (o) => (o.printGcSections = true)),
  bool(['no-print-gc-sections'], 'do not list it (default)', (o) => (o.printGcSections = false)),
  bool(['merge-data-segments'], 'merge .data.*, .rodata.*, .bss.* inputs into .data, .rodata, .bss (default)', (o) => (o.mergeDataSegments = true)),
  bool(['no-merge-data-segments'], 'an output data segment per input segment name', (o) => (o.mergeDataSegments = false)),
  bool(['strip-all', 's'], 'no name, producers or target_features sections', (o) => (o.stripAll = true)),
  bool(['strip-debug', 'S'], 'drop .debug_* sections', (o) => (o.stripDebug = true)),
  bool(['demangle'], 'C++ function names in the name section demangled (default)', (o) => (o.demangle = true)),
  bool(['no-demangle'], 'C++ function names in the name section as the objects spell them', (o) => (o.demangle = false)),
  val(['keep-section'], 'keep custom section NAME with --strip-all', (o, v) => (o.keepSections = push(o.keepSections, v))),
  bool(['check-features'], 'check target features (default)', (o) => (o.checkFeatures = true)),
  bool(['no-check-features'], 'skip target feature checks', (o) => (o.checkFeatures = false)),
  val(['features'], 'comma-separated features (no inference)', (o, v) => (o.features = v.split(',').filter(Boolean))),
  val(['extra-features'], 'features to allow in addition to the inferred ones', (o, v) => (o.extraFeatures = v.split(',').filter(Boolean))),
  bool(['allow-multiple-definition'], 'keep the first of duplicate definitions', (o) => (o.allowMultipleDefinition = true)),
  bool(['no-allow-multiple-definition'], 'duplicate definitions are errors (default)', (o) => (o.allowMultipleDefinition = false)),
  bool(['fatal-warnings'], 'treat warnings as errors', (o) => (o.fatalWarnings = true)),
  bool(['no-fatal-warnings'], 'warnings are warnings (default)', (o) => (o.fatalWarnings = false)),
  val(['O'], 'optimisation level: strings are merged above 0 (default 1)', (o, v) => {
    if (!/^\d+$/.test(v)) throw usage(`-O${v}: number expected, but got '${v}'`);
    o.optimize = Number(v);
  }, true),
  bool(['verbose'], 'print the phases as they run', (o) => (o.verbose = true)),
  bool(['trace', 't'], 'print the name of each file as it is loaded', (o) => (o.trace = true)),
  val(['trace-symbol', 'y'], 'print where SYMBOL is referenced and defined', (o, v) => (o.traceSymbols = push(o.traceSymbols, v)), true),
  val(['why-extract'], 'write why each archive member was extracted to FILE (- for stdout)', (o, v) => (o.whyExtract = v)),
  val(['wrap'], 'references to SYMBOL use __wrap_SYMBOL; __real_SYMBOL means SYMBOL', (o, v) => (o.wrap = push(o.wrap, v))),
  bool(['print-map', 'M'], 'print the link map on stdout (format in the README)', (o) => (o.printMap = true)),
  val(['Map'], 'write the link map to FILE', (o, v) => (o.mapFile = v)),
  bool(['time-trace', 'print-timings'], 'print the time each phase took', (o) => (o.timeTrace = true)),
  val(['m'], 'machine: wasm32 only', (_o, v) => {
    if (v !== 'wasm32') throw usage(`-m ${v} is not supported (wasm32 only)`);
  }, true),
  // Flags that never change a static wasm32 link's output.
  silent(['start-group', 'end-group', '(', ')'], 'none', 'accepted (archives are order-independent)'),
  silent(['Bstatic', 'static', 'dn', 'non_shared'], 'none', 'static linking is the only mode'),
  silent(['no-pie'], 'none', 'a position-dependent executable is the only output (default)'),
  { names: ['color-diagnostics', 'no-color-diagnostics'], arity: 'optional-eq', help: 'accepted (=always, never or auto)',
    apply: (_o, v) => {
      if (v !== undefined && !['always', 'never', 'auto'].includes(v)) throw usage(`unknown option: --color-diagnostics=${v}`);
    } },
  { names: ['rsp-quoting'], arity: 'value', help: 'posix (what response files are read with), or windows (refused)',
    apply: (_o, v) => {
      if (v === 'windows') throw usage('--rsp-quoting=windows is not supported by wasmthreads link (response files are read with POSIX quoting)');
      if (v !== 'posix') throw usage(`invalid response file quoting: ${v}`);
    } },
  ignored(['mllvm'], 'value', 'LLVM code generation options apply to bitcode, which is not linked here', true),
  ignored(['threads'], 'value', 'the link is single-threaded', true, positiveInteger('--threads')),
  ignored(['error-limit'], 'value', 'all errors of a phase are reported', true, anInteger('--error-limit')),
  ignored(['lto-O0', 'lto-O1', 'lto-O2', 'lto-O3', 'lto-CGO0', 'lto-CGO1', 'lto-CGO2', 'lto-CGO3'], 'none', 'LTO does not apply: bitcode inputs are rejected', true),
  ignored(['reproduce'], 'value', 'no reproduce tarball is written'),
  // What only a shared library (--shared, --pie: not produced) or LTO (bitcode: rejected) reads.
  // wasm-ld's own warning, word for word, given by the link once its inputs are read (no shared
  // library is ever produced here).
  bool(['Bsymbolic'], 'accepted: it only binds symbols inside shared libraries, which are not produced', (o) => (o.bsymbolic = true)),
  ignored(['soname'], 'value', 'only shared libraries have a name', true),
  ignored(['rpath'], 'value', 'no shared libraries are loaded', true),
  ignored(['no-shlib-sigcheck'], 'none', 'no shared libraries are linked', true),
  ignored(['save-temps', 'lto-debug-pass-manager'], 'none', 'LTO does not apply: bitcode inputs are rejected', true),
  ignored(['thinlto-jobs'], 'value', 'LTO does not apply: bitcode inputs are rejected', true, (v) => (v === 'all' || /^\d+$/.test(v) ? undefined : `--thinlto-jobs: invalid job count: ${v}`)),
  ignored(['lto-partitions', 'thinlto-cache-dir', 'thinlto-cache-policy'], 'value', 'LTO does not apply: bitcode inputs are rejected', true),
  unsupported(['relocatable', 'r'], 'none', 'relocatable output'),
  unsupported(['emit-relocs'], 'none', 'relocations in the output'),
  unsupported(['shared', 'pie', 'experimental-pic', 'Bdynamic', 'dy', 'call_shared'], 'none', 'dynamic linking'),
  unsupported(['compress-relocations'], 'none', 'minimal LEB re-encoding'),
  unsupported(['noinhibit-exec'], 'none', 'an output written in spite of errors'),
  unsupported(['page-size'], 'value', 'custom page sizes'),
];

const byName = new Map<string, FlagDef>();
for (const f of LINK_FLAGS) for (const n of f.names) byName.set(n, f);

/** Splits a response file with GNU quoting: whitespace separates, quotes group, backslash escapes. */
export function splitResponseFile(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && quote !== "'") {
      cur += text[++i];
      has = true;
    } else if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

const MAX_RESPONSE_DEPTH = 16;

/** Expands `@file` arguments (recursively, as lld does). */
export function expandResponseFiles(argv: string[], read: (p: string) => string = (p) => readFileSync(p, 'utf8'), depth = 0): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (!a.startsWith('@') || a.length === 1) {
      out.push(a);
      continue;
    }
    if (depth >= MAX_RESPONSE_DEPTH) throw usage(`response files nested too deeply: ${a}`);
    let text: string;
    try {
      text = read(a.slice(1));
    } catch {
      throw usage(`cannot open response file ${a.slice(1)}`);
    }
    out.push(...expandResponseFiles(splitResponseFile(text), read, depth + 1));
  }
  return out;
}

/** Finds the flag an argument names and its inline value, if any. */
function matchFlag(arg: string): { def: FlagDef; inline?: string; name: string } | undefined {
  const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
  const eq = body.indexOf('=');
  const key = eq >= 0 ? body.slice(0, eq) : body;
  const exact = byName.get(key);
  if (exact && !(exact.arity === 'none' && eq >= 0)) return { def: exact, inline: eq >= 0 ? body.slice(eq + 1) : undefined, name: key };
  if (exact && exact.arity === 'none') return { def: exact, name: key };
  if (arg.startsWith('--')) return undefined;
  // Joined short forms: -lc, -L/dir, -O2, -zstack-size=N, -mwasm32.
  for (const len of [1]) {
    const short = body.slice(0, len);
    const def = byName.get(short);
    if (def && (def.joined || short === 'O') && body.length > len) return { def, inline: body.slice(len), name: short };
  }
  return undefined;
}

export interface ParsedLinkArgs {
  options: LinkOptions;
  /** Warnings about accepted-and-ignored flags. */
  warnings: string[];
  help: boolean;
  /**
   * `--version`: print the version and stop. `-v` (`-V`): print it, then link if the line names
   * inputs, as wasm-ld does (a build that passes -Wl,-v still gets its output).
   */
  version: boolean;
  printVersion: boolean;
}

/** Parses a wasm-ld command line (after `wasmthreads link`, or as rustc/emcc pass it). */
export function parseLinkArgs(argv: string[], readText?: (p: string) => string): ParsedLinkArgs {
  const args = expandResponseFiles(argv, readText);
  const options: LinkOptions = { inputs: [] };
  const state: ParseState = { flag: '', wholeArchive: false, lazy: false, warnings: [], verboseNotes: [] };
  let help = false;
  let version = false;
  let printVersion = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    // rustc's `-flavor wasm` selects lld's wasm driver; we are that driver.
    if (arg === '-flavor' && i === 0) {
      i++;
      continue;
    }
    if (arg === '--help' || arg === '-help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--version') {
      version = true;
      continue;
    }
    if (arg === '-v' || arg === '-V') {
      printVersion = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      options.inputs.push(state.lazy ? { path: arg, lazy: true } : state.wholeArchive ? { path: arg, wholeArchive: true } : arg);
      continue;
    }
    const m = matchFlag(arg);
    if (!m) throw usage(`unknown argument: ${arg}`);
    let value = m.inline;
    if (m.def.arity === 'value' && value === undefined) {
      if (i + 1 >= args.length) throw usage(`${arg}: missing argument`);
      value = args[++i];
    }
    const before = options.inputs.length;
    state.flag = (arg.startsWith('--') ? '--' : '-') + m.name;
    m.def.apply(options, value, state);
    // `-l` inputs inherit the current --whole-archive state.
    if (state.wholeArchive && options.inputs.length > before) {
      const last = options.inputs[options.inputs.length - 1];
      if (typeof last === 'object' && 'library' in last) last.wholeArchive = true;
    }
  }
  if (printVersion && options.inputs.length === 0) version = true;
  return { options, warnings: options.verbose ? [...state.warnings, ...state.verboseNotes] : state.warnings, help, version, printVersion };
}

/** `--help` text generated from the table. */
export function formatLinkFlags(): string {
  const lines: string[] = [];
  for (const f of LINK_FLAGS) {
    const names = f.names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ');
    const arg = f.arity === 'value' ? ' VALUE' : f.arity === 'optional-eq' ? '[=VALUE]' : '';
    lines.push(`  ${(names + arg).padEnd(36)} ${f.help}`);
  }
  return lines.join('\n');
}

const LINK_OPTION_KINDS: Record<string, OptionKind> = {
  output: 'string', libraryPaths: 'string[]', entry: 'string', noEntry: 'boolean', exports: 'string[]', exportIfDefined: 'string[]',
  exportAll: 'boolean', exportDynamic: 'boolean', exportTable: 'boolean', importTable: 'boolean', growableTable: 'boolean',
  exportMemory: 'string', sharedMemory: 'boolean', initialMemory: 'integer', maxMemory: 'integer', noGrowableMemory: 'boolean', bsymbolic: 'boolean',
  initialHeap: 'integer', globalBase: 'integer', tableBase: 'integer', stackSize: 'integer', stackFirst: 'boolean',
  allowUndefined: 'boolean', allowUndefinedFiles: 'string[]', importUndefined: 'boolean', warnUnresolvedSymbols: 'boolean',
  undefined: 'string[]', gcSections: 'boolean', mergeDataSegments: 'boolean', printGcSections: 'boolean', stripAll: 'boolean', stripDebug: 'boolean', demangle: 'boolean',
  keepSections: 'string[]', checkFeatures: 'boolean', features: 'string[]', extraFeatures: 'string[]',
  allowMultipleDefinition: 'boolean', fatalWarnings: 'boolean', optimize: 'integer', verbose: 'boolean', timeTrace: 'boolean',
  trace: 'boolean', traceSymbols: 'string[]', whyExtract: 'string', wrap: 'string[]', printMap: 'boolean', mapFile: 'string',
  readFile: 'function', buildId: 'any', unresolvedSymbols: 'string',
};

/** `LinkOptions` after `checkLinkOptions`: memory import spelled out. */
export type CheckedLinkOptions = Omit<LinkOptions, 'importMemory'> & { importMemory?: { module: string; name: string } };

/**
 * Validates options given to the library's `link()` (the CLI's parser only produces valid ones)
 * and spells out the shorthands: `importMemory: true` is `env.memory`.
 */
export function checkLinkOptions(options: LinkOptions): CheckedLinkOptions {
  checkOptions('link', options, LINK_OPTION_KINDS, ['inputs', 'importMemory']);
  if (!Array.isArray(options.inputs)) throw optionError('link', `option 'inputs' must be an array of paths or { path } / { library } / { name, bytes } objects`);
  options.inputs.forEach((input, i) => {
    const ok = typeof input === 'string' || (typeof input === 'object' && input !== null &&
      (typeof (input as { path?: unknown }).path === 'string' || typeof (input as { library?: unknown }).library === 'string' ||
        (typeof (input as { name?: unknown }).name === 'string' && (input as { bytes?: unknown }).bytes instanceof Uint8Array)));
    if (!ok) throw optionError('link', `inputs[${i}] must be a path or a { path } / { library } / { name, bytes } object`);
  });
  const policies: UnresolvedPolicy[] = ['report-all', 'ignore-all', 'import-dynamic'];
  if (options.unresolvedSymbols !== undefined && !policies.includes(options.unresolvedSymbols)) {
    throw optionError('link', `option 'unresolvedSymbols' must be one of ${policies.join(', ')}, got ${JSON.stringify(options.unresolvedSymbols)}`);
  }
  const m = options.importMemory;
  if (m === undefined || m === false) return { ...options, importMemory: undefined };
  if (m === true) return { ...options, importMemory: { module: 'env', name: 'memory' } };
  if (typeof m === 'object' && m !== null && typeof m.module === 'string' && typeof m.name === 'string') return { ...options, importMemory: m };
  throw optionError('link', `option 'importMemory' must be true, false or { module, name }, got ${JSON.stringify(m)}`);
}
