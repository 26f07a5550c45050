// Archives as lazy inputs (lld's `parseLazy`, linking.md §2.2): every wasm member's own symbol
// table is read, each defined non-local symbol is offered to the symbol table as Lazy, and the
// member is turned into a live object only when a strong undefined reference meets one of its
// symbols. No archive symbol index is needed. `--whole-archive` loads every member eagerly.

import { readArchive } from '../binary/archive.js';
import type { Archive, ArchiveMember } from '../binary/archive.js';
import { isWasm } from '../binary/read-module.js';
import { SymbolFlag } from '../binary/types.js';
import { ObjFile } from './input-files.js';

export interface ArchiveMemberRef {
  member: ArchiveMember;
  /** Parsed once, when its symbols are registered. */
  obj: ObjFile;
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
      this.members.push({ member: m, obj: new ObjFile(m.file, data, name), extracted: false });
    }
  }

  /** Every symbol a member defines and exposes to other files. */
  *lazySymbols(): Generator<LazySymbolDef> {
    for (const ref of this.members) {
      for (const info of ref.obj.symbolInfos) {
        if (info.flags & (SymbolFlag.BINDING_LOCAL | SymbolFlag.UNDEFINED)) continue;
        if (info.kind === 3) continue;
        yield { name: ref.obj.symbolName(info), kind: info.kind, ref };
      }
    }
  }
}
