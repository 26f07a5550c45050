// Archives as lazy inputs (lld's `parseLazy`): every wasm member's own symbol
// table is read, each defined non-local symbol is offered to the symbol table as Lazy, and the
// member is turned into a live object only when a strong undefined reference meets one of its
// symbols. No archive symbol index is needed. `--whole-archive` loads every member eagerly.
//
// Reading a member lazily means reading only its `linking` section's symbol table (section
// headers are skipped by size; see readDefinedSymbols): decoding every member of libc.a in full
// cost ~150 ms of a hello-world link. A member is decoded and validated in full when extracted.

import { readArchive } from '../binary/archive.js';
import type { Archive, ArchiveMember } from '../binary/archive.js';
import { isWasm } from '../binary/read-module.js';
import { SectionId, SymbolFlag, SymbolKind } from '../binary/types.js';
import { ObjFile } from './input-files.js';

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

export interface LazySymbolDef {
  name: string;
  kind: number;
  ref: ArchiveMemberRef;
}

export class ArchiveFile {
  readonly archive: Archive;
  readonly members: ArchiveMemberRef[] = [];
  /** Names of non-wasm members, reported as warnings (lld does the same). */
  readonly skipped: string[] = [];

  constructor(
    readonly name: string,
    bytes: Uint8Array,
  ) {
    this.archive = readArchive(bytes, name);
    for (const m of this.archive.members) {
      const data = m.bytes();
      if (!isWasm(data)) {
        this.skipped.push(m.name);
        continue;
      }
      let obj: ObjFile | undefined;
      this.members.push({
        member: m,
        name: m.file,
        get obj() {
          return (obj ??= new ObjFile(m.file, data, name));
        },
        definitions: readDefinedSymbols(data) ?? this.definitionsFromFullParse(m.file, data, name),
        extracted: false,
      });
    }
  }

  /** Every symbol a member defines and exposes to other files. */
  *lazySymbols(): Generator<LazySymbolDef> {
    for (const ref of this.members) for (const d of ref.definitions) yield { name: d.name, kind: d.kind, ref };
  }

  /** When the quick scan cannot read a member, decoding it in full gives the precise error. */
  private definitionsFromFullParse(file: string, data: Uint8Array, archive: string): { name: string; kind: number }[] {
    return definedSymbolsOf(new ObjFile(file, data, archive));
  }
}

const LINKING_SECTION = 'linking';
const WASM_SYMBOL_TABLE = 8;
const SYMTAB_DATA = 1;
const SYMTAB_SECTION = 3;

/**
 * The defined non-local symbols of an object, read from its `linking` symbol table without decoding
 * anything else (Linking.md "Symbol table"). Defined symbols always carry their name. Returns
 * undefined on anything unexpected, so the caller falls back to the full, validating decoder.
 */
export function readDefinedSymbols(bytes: Uint8Array): { name: string; kind: number }[] | undefined {
  const r = { pos: 8 };
  const u32 = (): number => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (r.pos >= bytes.length) throw new RangeError('truncated');
      const b = bytes[r.pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return v;
    }
    throw new RangeError('bad LEB');
  };
  const text = (): string => {
    const len = u32();
    const s = Buffer.from(bytes.buffer, bytes.byteOffset + r.pos, len).toString('utf8');
    r.pos += len;
    return s;
  };
  try {
    while (r.pos < bytes.length) {
      const id = bytes[r.pos++];
      const size = u32();
      const end = r.pos + size;
      if (id === SectionId.Custom && text() === LINKING_SECTION) return readSymbolSubsection(r, end, u32, text);
      r.pos = end;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function readSymbolSubsection(r: { pos: number }, end: number, u32: () => number, text: () => string): { name: string; kind: number }[] {
  u32(); // version
  const out: { name: string; kind: number }[] = [];
  while (r.pos < end) {
    const type = u32();
    const size = u32();
    const subEnd = r.pos + size;
    if (type !== WASM_SYMBOL_TABLE) {
      r.pos = subEnd;
      continue;
    }
    for (let n = u32(); n > 0; n--) {
      const kind = u32();
      const flags = u32();
      const defined = !(flags & SymbolFlag.UNDEFINED);
      let name: string | undefined;
      if (kind === SYMTAB_DATA) {
        name = text();
        if (defined) u32(), u32(), u32(); // segment, offset, size
      } else if (kind === SYMTAB_SECTION) u32();
      else {
        u32(); // element index
        if (defined || flags & SymbolFlag.EXPLICIT_NAME) name = text();
      }
      if (defined && !(flags & SymbolFlag.BINDING_LOCAL) && kind !== SYMTAB_SECTION && name !== undefined) out.push({ name, kind });
    }
    r.pos = subEnd;
  }
  return out;
}

/**
 * An object between `--start-lib` and `--end-lib`: offered lazily like an archive member, loaded
 * only when something needs one of its definitions (lld `InputFile::lazy`).
 */
export function lazyObjectRef(name: string, bytes: Uint8Array): ArchiveMemberRef {
  let obj: ObjFile | undefined;
  return {
    name,
    get obj() {
      return (obj ??= new ObjFile(name, bytes));
    },
    definitions: readDefinedSymbols(bytes) ?? definedSymbolsOf(new ObjFile(name, bytes)),
    extracted: false,
  };
}

function definedSymbolsOf(obj: ObjFile): { name: string; kind: number }[] {
  return obj.symbolInfos.filter((i) => !(i.flags & (SymbolFlag.BINDING_LOCAL | SymbolFlag.UNDEFINED)) && i.kind !== SymbolKind.Section).map((i) => ({ name: obj.symbolName(i), kind: i.kind }));
}
