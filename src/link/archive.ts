// Archives as lazy inputs (lld's `parseLazy`): each wasm member's defined non-local symbols are
// offered to the symbol table as Lazy, and the member is turned into a live object only when a
// strong undefined reference meets one of them. `--whole-archive` loads every member eagerly.
//
// Which symbols a member defines comes from the archive's symbol index when it has one (llvm-ar
// and GNU ar write it; on all 193 archives of wasi-libc, emscripten 3.1.6 and LLVM 22's wasm
// libc++ it lists exactly what the members' own symbol tables define, member by member and in
// the same order), else from each member's `linking` symbol table (section headers skipped by
// size; see readDefinedSymbols). Decoding every member of libc.a in full cost ~150 ms of a
// hello-world link; the index spares even the symbol-table scan. A member is decoded and
// validated in full when extracted.

import { readArchive } from '../binary/archive.js';
import type { Archive, ArchiveMember, ArchiveSource } from '../binary/archive.js';
import { ByteReader } from '../binary/byte-reader.js';
import { WASM_HEADER_SIZE } from '../binary/format.js';
import { LinkingSubsectionType, SectionId, SymbolFlag, SymbolKind } from '../binary/types.js';
import { ObjFile, type ObjReadOptions } from './input-files.js';

export interface ArchiveMemberRef {
  /** `lib.a(member.o)` or the object's path: how diagnostics and traces name it. */
  name: string;
  /** The member decoded in full; parsed on first use (extraction). */
  readonly obj: ObjFile;
  /** Defined, non-local symbols from the member's symbol table alone (or the archive's index). */
  definitions: readonly string[];
  /**
   * Each definition's symbol kind, when the member's own symbol table gave them. An archive
   * index names no kind: a lazy symbol then takes its kind from the first reference or
   * definition that meets it (SymbolTable.checkKind), and the Function placeholder is never seen.
   */
  definitionKinds?: readonly number[];
  extracted: boolean;
}

/** A member's definitions, from its own symbol table. */
interface Definitions {
  names: string[];
  kinds: number[];
}

export class ArchiveFile {
  readonly archive: Archive;
  readonly members: ArchiveMemberRef[] = [];
  /** Names of non-wasm members, reported as warnings (lld does the same). */
  readonly skipped: string[] = [];

  /** `source`: the archive in memory, or its file read at offsets (only the members extracted). */
  constructor(
    readonly name: string,
    source: Uint8Array | ArchiveSource,
    objOptions: ObjReadOptions = {},
  ) {
    this.archive = readArchive(source, name);
    const indexed = definitionsFromIndex(this.archive);
    const members = this.archive.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      if (!m.wasm) {
        this.skipped.push(m.name);
        continue;
      }
      const ref = new LazyObject(m.file, m, name, objOptions);
      // Without an index, the member's own symbol table.
      if (indexed) ref.definitions = indexed.get(m.headerOffset) ?? NO_DEFINITIONS;
      else ref.setDefinitions(definitionsOf(m.file, m.bytes(), name));
      this.members.push(ref);
    }
  }

  /** Calls `add` with every symbol a member of this archive defines and exposes to other files. */
  forEachLazySymbol(add: (name: string, kind: number, ref: ArchiveMemberRef) => void): void {
    const members = this.members;
    for (let i = 0; i < members.length; i++) forEachDefinition(members[i], add);
  }
}

/**
 * Calls `add` with every symbol `ref` defines and exposes to other files, with its kind, or
 * Function when the kind came from an archive index (see `definitionKinds`). Indexed loops: a
 * generator and for-of allocate an object per step in code V8 runs unoptimised, and an archive
 * index has thousands of entries.
 */
export function forEachDefinition(ref: ArchiveMemberRef, add: (name: string, kind: number, ref: ArchiveMemberRef) => void): void {
  const names = ref.definitions;
  const kinds = ref.definitionKinds;
  for (let k = 0; k < names.length; k++) add(names[k], kinds === undefined ? SymbolKind.Function : kinds[k], ref);
}

const NO_DEFINITIONS: readonly string[] = [];

/**
 * An archive member or a `--start-lib` object as a lazy input, decoded in full on first use (a
 * class: a getter and a closure per member cost two objects each).
 */
class LazyObject implements ArchiveMemberRef {
  definitions: readonly string[] = NO_DEFINITIONS;
  definitionKinds: readonly number[] | undefined = undefined;
  extracted = false;
  private decoded: ObjFile | undefined;

  /** `source`: the archive member, read when decoded, or the object's bytes; `archive`: its archive's name. */
  constructor(
    readonly name: string,
    private readonly source: ArchiveMember | Uint8Array,
    private readonly archive: string | undefined,
    private readonly objOptions: ObjReadOptions,
  ) {}

  get obj(): ObjFile {
    const s = this.source;
    return (this.decoded ??= new ObjFile(this.name, s instanceof Uint8Array ? s : s.bytes(), this.archive, this.objOptions));
  }

  setDefinitions({ names, kinds }: Definitions): void {
    this.definitions = names;
    this.definitionKinds = kinds;
  }
}

const LINKING_SECTION = 'linking';

/**
 * The archive's symbol index as the names each member defines, by member header offset, or
 * undefined without one. A member the index does not name defines nothing (a member with only
 * local symbols).
 */
function definitionsFromIndex(archive: Archive): Map<number, string[]> | undefined {
  const index = archive.index;
  if (!index?.names.length) return undefined;
  const byMember = new Map<number, string[]>();
  const { names, memberOffsets } = index;
  // An index lists a member's names together (llvm-ar, GNU ar): each run is one slice.
  for (let i = 0; i < names.length; ) {
    const offset = memberOffsets[i];
    let end = i + 1;
    while (end < names.length && memberOffsets[end] === offset) end++;
    const list = byMember.get(offset);
    if (list) for (let k = i; k < end; k++) list.push(names[k]);
    else byMember.set(offset, names.slice(i, end));
    i = end;
  }
  return byMember;
}

/**
 * The defined non-local symbols of an object, read from its `linking` symbol table without decoding
 * anything else (Linking.md "Symbol table"). Defined symbols always carry their name. Returns
 * undefined on anything unexpected, so the caller falls back to the full, validating decoder.
 */
export function readDefinedSymbols(bytes: Uint8Array): Definitions | undefined {
  const r = new ByteReader(bytes, undefined, 0, WASM_HEADER_SIZE);
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const start = r.take(r.u32(), 'section');
      const next = r.pos;
      if (id !== SectionId.Custom) continue;
      r.pos = start;
      if (r.name() === LINKING_SECTION) return readSymbolSubsection(r, next);
      r.pos = next;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function readSymbolSubsection(r: ByteReader, end: number): Definitions {
  r.u32(); // version
  const out: Definitions = { names: [], kinds: [] };
  while (r.pos < end) {
    const type = r.u32();
    const start = r.take(r.u32(), 'subsection');
    const next = r.pos;
    if (type !== LinkingSubsectionType.SYMBOL_TABLE) continue;
    r.pos = start;
    for (let n = r.u32(); n > 0; n--) {
      const kind = r.u32();
      const flags = r.u32();
      const defined = !(flags & SymbolFlag.UNDEFINED);
      let name: string | undefined;
      if (kind === SymbolKind.Data) {
        name = r.name();
        if (defined) r.u32(), r.u32(), r.u32(); // segment, offset, size
      } else if (kind === SymbolKind.Section) r.u32();
      else {
        r.u32(); // element index
        if (defined || flags & SymbolFlag.EXPLICIT_NAME) name = r.name();
      }
      if (defined && !(flags & SymbolFlag.BINDING_LOCAL) && kind !== SymbolKind.Section && name !== undefined) {
        out.names.push(name);
        out.kinds.push(kind);
      }
    }
    r.pos = next;
  }
  return out;
}

/**
 * An object between `--start-lib` and `--end-lib`: offered lazily like an archive member, loaded
 * only when something needs one of its definitions (lld `InputFile::lazy`).
 */
export function lazyObjectRef(name: string, bytes: Uint8Array, objOptions: ObjReadOptions = {}): ArchiveMemberRef {
  const ref = new LazyObject(name, bytes, undefined, objOptions);
  ref.setDefinitions(definitionsOf(name, bytes, undefined));
  return ref;
}

/**
 * What an object defines, from its symbol table alone; when the quick scan cannot read it,
 * decoding the object in full gives the precise error.
 */
function definitionsOf(name: string, bytes: Uint8Array, archive: string | undefined): Definitions {
  const quick = readDefinedSymbols(bytes);
  if (quick) return quick;
  const obj = new ObjFile(name, bytes, archive);
  const defined = obj.symbolInfos.filter((i) => !(i.flags & (SymbolFlag.BINDING_LOCAL | SymbolFlag.UNDEFINED)) && i.kind !== SymbolKind.Section);
  return { names: defined.map((i) => obj.symbolName(i)), kinds: defined.map((i) => i.kind) };
}
