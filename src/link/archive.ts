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
  /** The archive member; absent for `--start-lib` objects. */
  member?: ArchiveMember;
  /** `lib.a(member.o)` or the object's path: how diagnostics and traces name it. */
  name: string;
  /** The member decoded in full; parsed on first use (extraction). */
  readonly obj: ObjFile;
  /** Defined, non-local symbols from the member's symbol table alone. */
  definitions: { name: string; kind: number }[];
  extracted: boolean;
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
    for (const m of this.archive.members) {
      if (!m.wasm) {
        this.skipped.push(m.name);
        continue;
      }
      let obj: ObjFile | undefined;
      this.members.push({
        member: m,
        name: m.file,
        get obj() {
          return (obj ??= new ObjFile(m.file, m.bytes(), name, objOptions));
        },
        definitions: indexed?.get(m.headerOffset) ?? this.definitionsFromMember(m, name),
        extracted: false,
      });
    }
  }

  /**
   * Calls `add` with every symbol a member defines and exposes to other files (indexed loops: a
   * generator and for-of allocate an object per step in code V8 runs unoptimised, and an archive
   * index has thousands of entries).
   */
  forEachLazySymbol(add: (name: string, kind: number, ref: ArchiveMemberRef) => void): void {
    const members = this.members;
    for (let i = 0; i < members.length; i++) {
      const ref = members[i];
      const defs = ref.definitions;
      for (let k = 0; k < defs.length; k++) add(defs[k].name, defs[k].kind, ref);
    }
  }

  /** Without an index: the member's symbol table; when the quick scan cannot read it, decoding it in full gives the precise error. */
  private definitionsFromMember(m: ArchiveMember, archive: string): { name: string; kind: number }[] {
    const data = m.bytes();
    return readDefinedSymbols(data) ?? definedSymbolsOf(new ObjFile(m.file, data, archive));
  }
}

const LINKING_SECTION = 'linking';

/**
 * The archive's symbol index as definitions by member header offset, or undefined without one.
 * The index gives no symbol kind: a lazy symbol takes its kind from the first reference or
 * definition that meets it (SymbolTable.checkKind), so the placeholder is never seen.
 */
function definitionsFromIndex(archive: Archive): Map<number, { name: string; kind: number }[]> | undefined {
  if (!archive.symbols?.length) return undefined;
  const byMember = new Map<number, { name: string; kind: number }[]>();
  const symbols = archive.symbols;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    let list = byMember.get(s.memberOffset);
    if (!list) byMember.set(s.memberOffset, (list = []));
    list.push({ name: s.name, kind: SymbolKind.Function });
  }
  // A member the index does not name defines nothing (a member with only local symbols).
  for (const m of archive.members) if (!byMember.has(m.headerOffset)) byMember.set(m.headerOffset, []);
  return byMember;
}

/**
 * The defined non-local symbols of an object, read from its `linking` symbol table without decoding
 * anything else (Linking.md "Symbol table"). Defined symbols always carry their name. Returns
 * undefined on anything unexpected, so the caller falls back to the full, validating decoder.
 */
export function readDefinedSymbols(bytes: Uint8Array): { name: string; kind: number }[] | undefined {
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

function readSymbolSubsection(r: ByteReader, end: number): { name: string; kind: number }[] {
  r.u32(); // version
  const out: { name: string; kind: number }[] = [];
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
      if (defined && !(flags & SymbolFlag.BINDING_LOCAL) && kind !== SymbolKind.Section && name !== undefined) out.push({ name, kind });
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
  let obj: ObjFile | undefined;
  return {
    name,
    get obj() {
      return (obj ??= new ObjFile(name, bytes, undefined, objOptions));
    },
    definitions: readDefinedSymbols(bytes) ?? definedSymbolsOf(new ObjFile(name, bytes)),
    extracted: false,
  };
}

function definedSymbolsOf(obj: ObjFile): { name: string; kind: number }[] {
  return obj.symbolInfos.filter((i) => !(i.flags & (SymbolFlag.BINDING_LOCAL | SymbolFlag.UNDEFINED)) && i.kind !== SymbolKind.Section).map((i) => ({ name: obj.symbolName(i), kind: i.kind }));
}
