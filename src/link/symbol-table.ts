// The global symbol table and symbol resolution (lld SymbolTable.cpp).
//
// Objects are added in command-line order. Each global symbol-table entry either defines a name,
// references it (undefined), or — for archive members not yet loaded — offers it lazily. A strong
// reference meeting a lazy symbol extracts that member at once (recursively, as lld does), so
// linking is order-independent across archives. Which of two definitions wins is decided in
// one place, `shouldReplace`. COMDAT groups are claimed by the first object declaring them; later
// copies' functions and segments are discarded and their symbols become references to the winner.

import type { FuncType, SymbolInfo } from '../binary/types.js';
import { ComdatKind, ExternalKind, SymbolFlag, SymbolKind } from '../binary/types.js';
import type { Diagnostic } from '../diagnostics.js';
import type { ArchiveMemberRef } from './archive.js';
import type { ObjFile } from './input-files.js';
import { typeKey } from '../binary/func-types.js';
import { KIND_NAMES, fileName, formatSignature, isWeak, newSymbol } from './symbols.js';
import type { Sym } from './symbols.js';
import { checkEntryType } from './type-checks.js';

export interface SymbolTableHooks {
  error(d: Omit<Diagnostic, 'severity'>): void;
  warn(d: Omit<Diagnostic, 'severity'>): void;
  /**
   * Loads an archive member at once, as lld does: its symbols resolve before the caller's rest.
   * `record` is the `--why-extract` line (who referenced which symbol).
   */
  extract(ref: ArchiveMemberRef, record: ExtractRecord): void;
  allowMultipleDefinition: boolean;
  /**
   * A symbol's name as the link's diagnostics show it: wasm-ld demangles the names in the lines it
   * writes about symbols (`duplicate symbol: f(int)`) unless --no-demangle.
   */
  displayName(name: string): string;
  /** `--trace-symbol`: called when a traced symbol is created or replaced (lld printTraceSymbol). */
  trace?(s: Sym, file: string): void;
}

/** One `--why-extract` row: `reference\textracted\tsymbol`. */
export interface ExtractRecord {
  reference: string;
  extracted: string;
  symbol: string;
  /**
   * Left out of the `--why-extract` table, as wasm-ld leaves out a member pulled by a reference
   * to a data symbol, global, table or tag (only function references and a member offered for an
   * existing reference are recorded there). Still known to the link's hints.
   */
  unlisted?: boolean;
}

/**
 * Whether a new definition replaces the existing symbol. Reports a duplicate when both are
 * strong (unless --allow-multiple-definition, which keeps the first).
 */
function shouldReplace(existing: Sym, newFile: ObjFile, newFlags: number, hooks: SymbolTableHooks): boolean {
  if (existing.state !== 'defined') return true;
  if (newFlags & SymbolFlag.BINDING_WEAK) return false;
  if (isWeak(existing)) return true;
  if (!hooks.allowMultipleDefinition) {
    hooks.error({
      code: 'duplicate-symbol',
      message: `duplicate symbol: ${hooks.displayName(existing.name)}`,
      symbol: existing.name,
      notes: [`defined in ${fileName(existing.file)}`, `defined in ${newFile.name}`],
      hint: 'make one definition static or weak, or remove one of the objects (--allow-multiple-definition keeps the first)',
    });
  }
  return false;
}

/** Whether two function types are the same. */
const sameType = (a: FuncType, b: FuncType): boolean => typeKey(a) === typeKey(b);

/** mergeLate's sort keys hold a symbol's index in `late` below this, its seq (< 2^32) above. */
const LATE_INDEX_LIMIT = 2 ** 21;

/** What an object without comdats discards: nothing (one pair of empty sets for them all). */
const NOTHING_DISCARDED: { functions: ReadonlySet<number>; segments: ReadonlySet<number> } = { functions: new Set(), segments: new Set() };

/**
 * An archive member's definition that no input has met yet: a name an archive offers is a Sym
 * only once something looks it up (`entry`). em++'s C++ link offers 6,247 new names from its
 * archives' indexes and looks up 847 of them; a Sym for each was kept to the end of the link, and
 * V8 copies such objects twice before they settle in its old generation (609 instead of 633 M
 * instructions for that link). `seq` is the place a Sym made then would have had in the
 * insertion order. Under --trace-symbol every name is a Sym at once, to be reported when offered.
 */
class LazyEntry {
  constructor(
    readonly ref: ArchiveMemberRef,
    readonly kind: number,
    readonly seq: number,
  ) {}
}

export class SymbolTable {
  private readonly map = new Map<string, Sym | LazyEntry>();
  /**
   * The symbols in insertion order (`seq`), but for `late`: symbols made from lazy entries, whose
   * place comes from their entry; `ordered` merges them in.
   */
  private readonly list: Sym[] = [];
  private readonly listSeq: number[] = [];
  private late: Sym[] = [];
  private lateSeq: number[] = [];
  private nextSeq = 0;
  /** Whether resolution is over: a lazy entry looked up after it is a plain undefined symbol (demoteLazy). */
  private demoted = false;
  private readonly comdatOwners = new Map<string, ObjFile>();
  /**
   * Definitions of one function name with different signatures (lld's symbol variants), in the
   * order they came: the name and its place in `ordered` go to the latest, and `handleVariants`
   * keeps the first and makes the others trap stubs.
   */
  private readonly variants = new Map<string, Sym[]>();
  /** The first pair of direct calls to an undefined function that disagree, by name (checkUndefinedSignature). */
  private readonly undefinedConflicts = new Map<string, Omit<Diagnostic, 'severity'>>();

  constructor(private readonly hooks: SymbolTableHooks) {}

  /** Insertion order, which is also the order exports and imports are written in. */
  get ordered(): readonly Sym[] {
    this.mergeLate();
    return this.list;
  }

  find(name: string): Sym | undefined {
    return this.entry(name);
  }

  /** The place in the insertion order the next symbol takes: marks where a later phase's symbols begin. */
  get nextPlace(): number {
    return this.nextSeq;
  }

  /** Where in `ordered` the symbols placed at or after `place` (a `nextPlace`) begin. */
  indexOfPlace(place: number): number {
    this.mergeLate();
    const listSeq = this.listSeq;
    let lo = 0;
    let hi = listSeq.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (listSeq[mid] < place) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The symbol of `name`, made from its lazy entry if it has one. */
  private entry(name: string): Sym | undefined {
    const e = this.map.get(name);
    if (!(e instanceof LazyEntry)) return e;
    const s = newSymbol(name, e.kind as Sym['kind'], 0, this.demoted ? 'undefined' : 'lazy');
    s.lazy = e.ref;
    this.map.set(name, s);
    this.late.push(s);
    this.lateSeq.push(e.seq);
    if (this.late.length === LATE_INDEX_LIMIT) this.mergeLate();
    return s;
  }

  /**
   * Puts the symbols made from lazy entries in their places: sorted by `seq` (with their index in
   * the low bits, as float64 keys, so that the sort is V8's native numeric one) and merged with
   * `list`, which is in order. Nothing to do when there are none.
   */
  private mergeLate(): void {
    if (this.late.length === 0) return;
    const late = this.late;
    const lateSeq = this.lateSeq;
    const keys = new Float64Array(late.length);
    for (let i = 0; i < late.length; i++) keys[i] = lateSeq[i] * LATE_INDEX_LIMIT + i;
    keys.sort();
    const list = this.list.slice();
    const listSeq = this.listSeq.slice();
    this.list.length = 0;
    this.listSeq.length = 0;
    let j = 0;
    for (let k = 0; k < keys.length; k++) {
      const i = keys[k] % LATE_INDEX_LIMIT;
      const seq = lateSeq[i];
      for (; j < list.length && listSeq[j] < seq; j++) {
        this.list.push(list[j]);
        this.listSeq.push(listSeq[j]);
      }
      this.list.push(late[i]);
      this.listSeq.push(seq);
    }
    for (; j < list.length; j++) {
      this.list.push(list[j]);
      this.listSeq.push(listSeq[j]);
    }
    this.late = [];
    this.lateSeq = [];
  }

  private insert(s: Sym, file?: string): Sym {
    this.map.set(s.name, s);
    this.list.push(s);
    this.listSeq.push(this.nextSeq++);
    if (file !== undefined) this.hooks.trace?.(s, file);
    return s;
  }

  /** Adds a linker-defined symbol (it wins over nothing: inputs defining it are errors or replace it). */
  addSynthetic(s: Sym): Sym {
    const old = this.entry(s.name);
    if (old) {
      Object.assign(old, { ...s, usedInRegularObj: old.usedInRegularObj, forceExport: old.forceExport });
      return old;
    }
    return this.insert(s);
  }

  /** Resolves every symbol-table entry of `file`, filling `file.symbols`. */
  addFile(file: ObjFile): void {
    const discarded = this.claimComdats(file);
    file.symbols = file.symbolInfos.map((info, i) => this.addEntry(file, info, discarded, i));
    file.compactSymbolInfos();
  }

  private claimComdats(file: ObjFile): { functions: ReadonlySet<number>; segments: ReadonlySet<number> } {
    if (file.comdats.length === 0) return NOTHING_DISCARDED;
    const out = { functions: new Set<number>(), segments: new Set<number>() };
    for (const c of file.comdats) {
      const owner = this.comdatOwners.get(c.name);
      if (!owner) {
        this.comdatOwners.set(c.name, file);
        continue;
      }
      for (const e of c.entries) {
        if (e.kind === ComdatKind.DATA) {
          out.segments.add(e.index);
          if (file.segments[e.index]) file.segments[e.index].discarded = true;
        } else if (e.kind === ComdatKind.FUNCTION) {
          out.functions.add(e.index);
          const fn = file.functions[e.index - file.funcImports.length];
          if (fn) fn.discarded = true;
        }
      }
    }
    return out;
  }

  private addEntry(file: ObjFile, info: SymbolInfo, discarded: { functions: ReadonlySet<number>; segments: ReadonlySet<number> }, symbolIndex: number): Sym {
    const name = file.symbolName(info);
    if (info.kind === SymbolKind.Section) return this.defineLocal(file, info, name);
    const isDiscarded = (info.kind === SymbolKind.Function && discarded.functions.has(info.index)) || (info.kind === SymbolKind.Data && info.segment !== undefined && discarded.segments.has(info.segment));
    if (info.flags & SymbolFlag.BINDING_LOCAL) {
      return this.isUndefinedEntry(info) ? this.undefinedLocal(file, info, name, symbolIndex) : this.defineLocal(file, info, name);
    }
    if (this.isUndefinedEntry(info) || isDiscarded) return this.addUndefined(file, info, name, file.isCalledDirectly(symbolIndex));
    return this.addDefined(file, info, name);
  }

  /**
   * An undefined symbol with local binding: no other object can define it (a local name is seen
   * by its own object only) and it cannot be imported. Compilers never emit one; wasm-ld-22
   * reports it undefined, and crashes under --allow-undefined. Reported here, whatever the
   * undefined-symbol options, and kept out of the symbol table: the link stops after resolving.
   */
  private undefinedLocal(file: ObjFile, info: SymbolInfo, name: string, symbolIndex: number): Sym {
    this.hooks.error({
      code: 'undefined-symbol',
      message: `undefined symbol: ${this.hooks.displayName(name)}`,
      file: file.name,
      symbol: name,
      notes: [`symbol ${symbolIndex} is undefined but has local binding: no other object can define it, and it cannot be imported`],
      hint: 'the object is malformed (compilers do not emit undefined local symbols): rebuild it',
    });
    const s = newSymbol(name, info.kind as Sym['kind'], info.flags, 'undefined', file);
    s.isLocal = true;
    return s;
  }

  private isUndefinedEntry(info: SymbolInfo): boolean {
    if (info.flags & SymbolFlag.UNDEFINED) return true;
    if (info.kind === SymbolKind.Data) return info.segment === undefined;
    return false;
  }

  private defineLocal(file: ObjFile, info: SymbolInfo, name: string): Sym {
    const s = newSymbol(name, info.kind as Sym['kind'], info.flags, 'defined', file);
    s.isLocal = true;
    s.usedInRegularObj = true;
    attachDefinition(s, file, info);
    return s;
  }

  private addDefined(file: ObjFile, info: SymbolInfo, name: string): Sym {
    const existing = this.entry(name);
    if (!existing) {
      const s = newSymbol(name, info.kind as Sym['kind'], info.flags, 'defined', file);
      s.usedInRegularObj = true;
      attachDefinition(s, file, info);
      return this.insert(s, file.name);
    }
    if (!this.checkKind(existing, info.kind, file)) return existing;
    if (existing.state !== 'lazy') checkEntryType(existing, file, info, this.hooks);
    existing.usedInRegularObj = true;
    const newType = info.kind === SymbolKind.Function ? file.functionType(info.index) : undefined;
    if (existing.state === 'defined' && existing.func && newType && !sameType(existing.func.type, newType)) return this.addVariant(existing, file, info, newType);
    if (shouldReplace(existing, file, info.flags, this.hooks)) {
      const keepNoStrip = existing.state === 'undefined' ? existing.flags & SymbolFlag.NO_STRIP : 0;
      clearDefinition(existing);
      existing.state = 'defined';
      existing.file = file;
      existing.flags = info.flags | keepNoStrip;
      attachDefinition(existing, file, info);
      this.hooks.trace?.(existing, file.name);
    }
    return existing;
  }

  /**
   * A definition of a function already defined with another signature. wasm-ld does not call it a
   * duplicate: it keeps it as a variant of the name (lld getFunctionVariant), gives the variant
   * the name's place in the symbol table, and sorts it out in `handleVariants`. A definition with
   * the signature of an earlier variant is checked against the name's current definition, as in lld.
   */
  private addVariant(primary: Sym, file: ObjFile, info: SymbolInfo, type: FuncType): Sym {
    const name = primary.name;
    let list = this.variants.get(name);
    if (!list) this.variants.set(name, (list = [primary]));
    let v = list.find((x) => x.func && sameType(x.func.type, type));
    if (!v) {
      v = newSymbol(name, SymbolKind.Function, info.flags, 'defined', file);
      v.usedInRegularObj = true;
      attachDefinition(v, file, info);
      list.push(v);
      this.hooks.trace?.(v, file.name);
    } else if (shouldReplace(primary, file, info.flags, this.hooks)) {
      clearDefinition(v);
      v.state = 'defined';
      v.file = file;
      v.flags = info.flags;
      attachDefinition(v, file, info);
    }
    this.mergeLate();
    const at = this.list.indexOf(primary);
    if (at >= 0) this.list[at] = v;
    this.map.set(name, v);
    return v;
  }

  /**
   * lld handleSymbolVariants: of a name's definitions with different signatures the first is kept;
   * every other becomes a trapping `signature_mismatch:NAME` stub with a warning (so the calls
   * made with its signature trap, and its address is 0). The kept one has lost the name's place in
   * the symbol table to the last variant, so it is reached only through its own object's
   * references: wasm-ld exports neither.
   */
  handleVariants(makeStub: (v: Sym) => void): void {
    // Calls that disagree about a function nothing defines: wasm-ld reports the first and stops.
    for (const [name, d] of this.undefinedConflicts) {
      if (this.find(name)?.state === 'defined') continue;
      this.hooks.error(d);
      return;
    }
    for (const list of this.variants.values()) {
      const kept = list.find((x) => x.state === 'defined' && x.func && !x.isStub);
      if (!kept) continue;
      for (const v of list) {
        if (v === kept || !v.func) continue;
        this.hooks.warn({
          code: 'signature-mismatch',
          message: `function signature mismatch: ${v.name}`,
          symbol: v.name,
          notes: [`defined as ${formatSignature(v.func.type)} in ${fileName(v.file)}`, `defined as ${formatSignature(kept.func!.type)} in ${fileName(kept.file)}`],
          hint: `${v.name} is defined with both signatures; the definition in ${fileName(v.file)} is replaced by a trap, and neither is exported: give the two functions different names, or make one static`,
        });
        makeStub(v);
      }
    }
  }

  private addUndefined(file: ObjFile, info: SymbolInfo, name: string, calledDirectly: boolean): Sym {
    let s = this.entry(name);
    if (!s) {
      s = this.insert(newSymbol(name, info.kind as Sym['kind'], info.flags, 'undefined', file), file.name);
      s.usedInRegularObj = true;
      attachReference(s, file, info);
      if (info.kind === SymbolKind.Function && calledDirectly) s.signatureFromCall = file;
      return s;
    }
    if (!this.checkKind(s, info.kind, file)) return s;
    if (s.state === 'defined') checkEntryType(s, file, info, this.hooks);
    s.usedInRegularObj = true;
    // A direct call binds to the definition of its signature, where there are several.
    if (info.kind === SymbolKind.Function && calledDirectly && this.variants.size > 0) {
      const want = file.functionType(info.index);
      const v = want && this.variants.get(name)?.find((x) => x.func && sameType(x.func.type, want));
      if (v) {
        v.usedInRegularObj = true;
        return v;
      }
    }
    const weakRef = (info.flags & SymbolFlag.BINDING_WEAK) !== 0;
    if (s.state === 'lazy') {
      if (!weakRef) {
        this.hooks.trace?.({ ...s, state: 'undefined' }, file.name);
        this.extract(s, file, info.kind !== SymbolKind.Function);
      }
      else s.flags |= SymbolFlag.BINDING_WEAK;
      if (!s.signature) attachReference(s, file, info, true);
      return s;
    }
    if (s.state === 'undefined') {
      if (!weakRef) s.flags &= ~SymbolFlag.BINDING_WEAK;
      s.flags |= info.flags & SymbolFlag.NO_STRIP;
      this.reconcileImportNames(s, file, info);
      if (info.kind === SymbolKind.Function && calledDirectly) this.checkUndefinedSignature(s, file, info);
    }
    return s;
  }

  /** Offers an archive member's definition. */
  addLazy(name: string, kind: number, ref: ArchiveMemberRef): void {
    const s = this.map.get(name);
    if (!s) {
      if (this.hooks.trace) {
        // A traced name is reported as a lazy definition when it is offered.
        const lazy = newSymbol(name, kind as Sym['kind'], 0, 'lazy');
        lazy.lazy = ref;
        this.insert(lazy, ref.name);
      } else this.map.set(name, new LazyEntry(ref, kind, this.nextSeq++));
      return;
    }
    if (s instanceof LazyEntry || s.state !== 'undefined') return;
    if (isWeak(s)) {
      // A weak reference does not pull a member (classic ELF rule); remember where it is. Traced as
      // a lazy definition; a member pulled at once is traced only by its definitions (as wasm-ld).
      this.hooks.trace?.({ ...s, state: 'lazy' }, ref.name);
      s.state = 'lazy';
      s.lazy = ref;
      return;
    }
    s.lazy = ref;
    this.extract(s, s.file);
  }

  /**
   * Pulls the archive member behind a lazy symbol (for -u, --export, the entry, stub libraries).
   * `why` names the option in `--why-extract` (`<internal>`, `--export`, `--entry`), unless a
   * whole record is given.
   */
  fetch(name: string, why: string, record?: ExtractRecord): void {
    const s = this.entry(name);
    if (s?.state === 'lazy') {
      const ref = s.lazy;
      if (ref && !ref.extracted) {
        ref.extracted = true;
        this.hooks.extract(ref, record ?? { reference: why, extracted: ref.name, symbol: name });
      }
    }
  }

  private extract(s: Sym, by: ObjFile | undefined, unlisted = false): void {
    const ref = s.lazy;
    if (!ref || ref.extracted) return;
    ref.extracted = true;
    this.hooks.extract(ref, { reference: fileName(by), extracted: ref.name, symbol: s.name, ...(unlisted ? { unlisted } : {}) });
  }

  private reconcileImportNames(s: Sym, file: ObjFile, info: SymbolInfo): void {
    if (!(info.flags & SymbolFlag.EXPLICIT_NAME) || info.kind === SymbolKind.Data || info.kind === SymbolKind.Section) return;
    const imp = file.importFor(info.kind, info.index);
    if (!imp) return;
    if (!s.explicitImport) {
      attachReference(s, file, info, true);
      return;
    }
    if (s.importName !== imp.name) {
      this.hooks.error({ code: 'import-mismatch', message: `import name mismatch for symbol: ${this.hooks.displayName(s.name)}`, symbol: s.name, notes: [`imported as ${s.importName} in ${fileName(s.file)}`, `imported as ${imp.name} in ${file.name}`] });
    } else if (s.importModule !== imp.module) {
      this.hooks.error({ code: 'import-mismatch', message: `import module mismatch for symbol: ${this.hooks.displayName(s.name)}`, symbol: s.name, notes: [`imported as ${s.importModule} in ${fileName(s.file)}`, `imported as ${imp.module} in ${file.name}`] });
    }
  }

  /**
   * Two direct calls to one undefined function with different signatures. If a definition comes
   * later, the calls whose signature it does not have get a trapping stub, with a warning
   * (roots.ts checkSignatures); if none does, they cannot both validate against one import, and
   * `handleVariants` reports the first such pair as wasm-ld does, as an error.
   */
  private checkUndefinedSignature(s: Sym, file: ObjFile, info: SymbolInfo): void {
    if (info.kind !== SymbolKind.Function) return;
    const sig = file.functionType(info.index);
    if (!sig) return;
    if (!s.signature || !s.signatureFromCall) {
      s.signature = sig;
      s.signatureFromCall = file;
      return;
    }
    if (sameType(s.signature, sig) || this.undefinedConflicts.has(s.name)) return;
    this.undefinedConflicts.set(s.name, {
      code: 'signature-mismatch',
      message: `function signature mismatch: ${s.name}`,
      symbol: s.name,
      notes: [`defined as ${formatSignature(s.signature)} in ${fileName(s.signatureFromCall)}`, `defined as ${formatSignature(sig)} in ${file.name}`],
      hint: 'make the declarations agree (include one shared header in both files)',
    });
  }

  private checkKind(s: Sym, kind: number, file: ObjFile): boolean {
    if (s.kind === kind || s.state === 'lazy') {
      if (s.state === 'lazy') s.kind = kind as Sym['kind'];
      return true;
    }
    this.hooks.error({
      code: 'symbol-type-mismatch',
      message: `symbol type mismatch: ${this.hooks.displayName(s.name)}`,
      symbol: s.name,
      notes: [`defined as ${KIND_NAMES[s.kind]} in ${fileName(s.file)}`, `defined as ${KIND_NAMES[kind]} in ${file.name}`],
    });
    return false;
  }

  /**
   * A reference the linker itself makes (`--wrap`'s `__real_X`/`__wrap_X`, lld addUndefined): an
   * undefined function if the name is new, and an archive member is pulled if it is lazy.
   */
  reference(name: string, why: string): Sym {
    const s = this.entry(name);
    if (s) {
      s.usedInRegularObj = true;
      this.fetch(name, why);
      return s;
    }
    const ref = newSymbol(name, SymbolKind.Function, 0, 'undefined');
    ref.usedInRegularObj = true;
    return this.insert(ref);
  }

  /**
   * `--wrap` (lld SymbolTable::wrap): lookups of `__real_X` find X's symbol and lookups of X
   * find `__wrap_X`'s. The objects' own references are redirected by the driver.
   */
  wrap(sym: Sym, real: Sym, wrap: Sym): void {
    this.map.set(real.name, sym);
    this.map.set(sym.name, wrap);
  }

  /** After resolution: lazy symbols nobody pulled become plain (weak) undefined references. */
  demoteLazy(): void {
    const ordered = this.ordered;
    for (let i = 0; i < ordered.length; i++) if (ordered[i].state === 'lazy') ordered[i].state = 'undefined';
    this.demoted = true;
  }
}

function clearDefinition(s: Sym): void {
  s.func = s.segment = s.global = s.table = s.tag = s.section = undefined;
  s.offset = s.size = undefined;
}

/** Points a defined symbol at the chunk its table entry names. */
function attachDefinition(s: Sym, file: ObjFile, info: SymbolInfo): void {
  switch (info.kind) {
    case SymbolKind.Function: {
      const fn = file.functions[info.index - file.funcImports.length];
      s.func = fn;
      if (fn && !fn.name) fn.name = s.name;
      break;
    }
    case SymbolKind.Data:
      if (info.segment !== undefined) {
        s.segment = file.segments[info.segment];
        s.offset = Number(info.offset ?? 0n);
        s.size = Number(info.size ?? 0n);
      }
      break;
    case SymbolKind.Global: {
      const g = file.globals[info.index - file.globalImports.length];
      s.global = g;
      if (g) g.name = s.name;
      break;
    }
    case SymbolKind.Tag: {
      const tag = file.tags[info.index - file.tagImports.length];
      s.tag = tag;
      if (tag) tag.name = s.name;
      break;
    }
    case SymbolKind.Table: {
      const table = file.tables[info.index - file.tableImports.length];
      s.table = table;
      if (table) table.name = s.name;
      break;
    }
    case SymbolKind.Section:
      s.section = file.customSections.find((c) => c.sectionIndex === info.section);
      break;
  }
  s.isTLS = file.isTLSSymbol(info);
}

/** Records what an undefined reference says about the symbol: import names and its type. */
function attachReference(s: Sym, file: ObjFile, info: SymbolInfo, force = false): void {
  s.isTLS = s.isTLS || (info.flags & SymbolFlag.TLS) !== 0;
  if (info.kind === SymbolKind.Data || info.kind === SymbolKind.Section) return;
  const imp = file.importFor(info.kind, info.index);
  if (!imp) return;
  if (force || s.importName === undefined) {
    s.importModule = imp.module;
    s.importName = imp.name;
    s.explicitImport = (info.flags & SymbolFlag.EXPLICIT_NAME) !== 0 || imp.module !== 'env';
  }
  if (imp.desc.kind === ExternalKind.Func) s.signature ??= file.types[imp.desc.typeIndex];
  else if (imp.desc.kind === ExternalKind.Global) s.globalType ??= imp.desc.global;
  else if (imp.desc.kind === ExternalKind.Table) s.tableType ??= imp.desc.table;
  else if (imp.desc.kind === ExternalKind.Tag) s.signature ??= file.types[imp.desc.tag.typeIndex];
}
