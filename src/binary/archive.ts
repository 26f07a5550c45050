// Reader for `ar` archives as wasm toolchains write them: GNU/SysV (llvm-ar, rustc, emar) and
// BSD (Apple ar) variants, with their symbol tables and long-name schemes.
//
// How it works: after the `!<arch>\n` magic, the archive is a list of members, each a 60-byte
// text header (name 16, mtime 12, uid 6, gid 6, mode 8, size 10, terminator "`\n") followed by
// `size` bytes and a pad byte to the next even offset. Special members hold the symbol index
// (GNU `/` with 32-bit big-endian offsets, `/SYM64/` with 64-bit ones; BSD `__.SYMDEF[ SORTED]`
// with little-endian ranlib structs) and the GNU long-name table (`//`, referenced as `/123`).
// BSD long names are `#1/NN`: the name is the first NN bytes of the member's data. Reading walks
// the headers only; member contents are handed out as views on demand (`bytes()`), so a linker
// that pulls three members of libc.a never touches the other thousand.

import { DecodeError } from '../diagnostics.js';
import { isWasm } from './format.js';

export { isWasm };

export const AR_MAGIC = '!<arch>\n';
const THIN_MAGIC = '!<thin>\n';
const MAGIC_SIZE = 8;
const HEADER_SIZE = 60;
const NAME_FIELD = [0, 16] as const;
const SIZE_FIELD = [48, 58] as const;
const TERMINATOR_AT = 58;
const GNU_SYMTAB = '/';
const GNU_SYMTAB64 = '/SYM64/';
const GNU_LONGNAMES = '//';
const BSD_SYMTAB_NAMES = new Set(['__.SYMDEF', '__.SYMDEF SORTED', '__.SYMDEF_64', '__.SYMDEF_64 SORTED']);
const BSD_LONGNAME_PREFIX = '#1/';
const RANLIB_SIZE = 8;
const utf8 = new TextDecoder();

export interface ArchiveMember {
  /** The member's file name, long names resolved. */
  name: string;
  /** Absolute offset of the member's header in the archive (what symbol indices point at). */
  headerOffset: number;
  /** Absolute offset of the member's data (after a BSD `#1/NN` name). */
  offset: number;
  /** Size of the member's data. */
  size: number;
  /** How diagnostics name it: `lib.a(member.o)`. */
  file: string;
  /** The member's bytes, a view into the archive (no copy). */
  bytes(): Uint8Array;
}

export interface ArchiveSymbol {
  name: string;
  /** Header offset of the member that defines it (matches `ArchiveMember.headerOffset`). */
  memberOffset: number;
}

export interface Archive {
  file: string;
  members: ArchiveMember[];
  /** The archive's symbol index, if it has one (`/`, `/SYM64/` or `__.SYMDEF`). */
  symbols?: ArchiveSymbol[];
  /** The member a symbol-index entry points at. */
  memberAt(headerOffset: number): ArchiveMember | undefined;
}

/** Whether `bytes` starts with the `!<arch>\n` magic. */
export function isArchive(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC_SIZE && ascii(bytes, 0, MAGIC_SIZE) === AR_MAGIC;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

export function readArchive(bytes: Uint8Array, file = '<archive>'): Archive {
  const fail = (message: string, at: number): never => {
    throw new DecodeError(message, file, at);
  };
  if (bytes.length >= MAGIC_SIZE && ascii(bytes, 0, MAGIC_SIZE) === THIN_MAGIC) {
    fail('thin archives are not supported (members live in other files)', 0);
  }
  if (!isArchive(bytes)) fail('not an archive (bad magic, expected "!<arch>\\n")', 0);
  const members: ArchiveMember[] = [];
  let longNames: Uint8Array | undefined;
  let symbolTable: { kind: 'gnu32' | 'gnu64' | 'bsd'; at: number; data: Uint8Array } | undefined;
  let pos = MAGIC_SIZE;
  while (pos < bytes.length) {
    if (bytes.length - pos === 1 && bytes[pos] === 0x0a) break; // final pad byte
    const h = readHeader(bytes, pos, fail);
    const dataStart = pos + HEADER_SIZE;
    const data = bytes.subarray(dataStart, dataStart + h.size);
    if (h.rawName === GNU_SYMTAB || h.rawName === GNU_SYMTAB64) {
      symbolTable = { kind: h.rawName === GNU_SYMTAB ? 'gnu32' : 'gnu64', at: dataStart, data };
    } else if (h.rawName === GNU_LONGNAMES) {
      longNames = data;
    } else {
      const m = resolveMember(bytes, file, pos, h, longNames, fail);
      if (BSD_SYMTAB_NAMES.has(m.name)) symbolTable = { kind: 'bsd', at: m.offset, data: m.bytes() };
      else members.push(m);
    }
    pos = dataStart + h.size + (h.size & 1);
  }
  const byOffset = new Map(members.map((m) => [m.headerOffset, m]));
  const archive: Archive = { file, members, memberAt: (o) => byOffset.get(o) };
  if (symbolTable) archive.symbols = readSymbolTable(symbolTable.kind, symbolTable.data, symbolTable.at, fail);
  return archive;
}

interface RawHeader {
  rawName: string;
  size: number;
}

function readHeader(bytes: Uint8Array, pos: number, fail: (m: string, at: number) => never): RawHeader {
  if (bytes.length - pos < HEADER_SIZE) {
    fail(`truncated archive member header (${bytes.length - pos} of ${HEADER_SIZE} bytes)`, pos);
  }
  if (bytes[pos + TERMINATOR_AT] !== 0x60 || bytes[pos + TERMINATOR_AT + 1] !== 0x0a) {
    fail('bad archive member header (missing "`\\n" terminator)', pos + TERMINATOR_AT);
  }
  const rawName = ascii(bytes, pos + NAME_FIELD[0], pos + NAME_FIELD[1]).trimEnd();
  const sizeText = ascii(bytes, pos + SIZE_FIELD[0], pos + SIZE_FIELD[1]).trim();
  if (!/^\d+$/.test(sizeText)) fail(`bad archive member size field "${sizeText}"`, pos + SIZE_FIELD[0]);
  const size = Number(sizeText);
  if (size > bytes.length - pos - HEADER_SIZE) {
    fail(`archive member "${rawName}" size ${size} runs past the end of the archive`, pos + SIZE_FIELD[0]);
  }
  return { rawName, size };
}

function resolveMember(
  bytes: Uint8Array,
  file: string,
  headerOffset: number,
  h: RawHeader,
  longNames: Uint8Array | undefined,
  fail: (m: string, at: number) => never,
): ArchiveMember {
  let name = h.rawName;
  let offset = headerOffset + HEADER_SIZE;
  let size = h.size;
  if (name.startsWith(BSD_LONGNAME_PREFIX)) {
    const len = Number(name.slice(BSD_LONGNAME_PREFIX.length));
    if (!Number.isInteger(len) || len > size) fail(`bad BSD long member name "${name}"`, headerOffset);
    name = ascii(bytes, offset, offset + len).replace(/\0+$/, '');
    offset += len;
    size -= len;
  } else if (/^\/\d+$/.test(name)) {
    name = gnuLongName(longNames, Number(name.slice(1)), headerOffset, fail);
  } else if (name.endsWith('/')) {
    name = name.slice(0, -1);
  }
  const start = offset;
  const end = offset + size;
  return { name, headerOffset, offset, size, file: `${file}(${name})`, bytes: () => bytes.subarray(start, end) };
}

function gnuLongName(
  table: Uint8Array | undefined,
  at: number,
  headerOffset: number,
  fail: (m: string, at: number) => never,
): string {
  if (table === undefined) fail(`member name "/${at}" refers to a missing long-name table`, headerOffset);
  if (at >= table.length) fail(`member name "/${at}" lies outside the long-name table`, headerOffset);
  let end = at;
  while (end < table.length && table[end] !== 0x0a && table[end] !== 0) end++;
  let name = utf8.decode(table.subarray(at, end));
  if (name.endsWith('/')) name = name.slice(0, -1);
  return name;
}

function readSymbolTable(
  kind: 'gnu32' | 'gnu64' | 'bsd',
  data: Uint8Array,
  at: number,
  fail: (m: string, at: number) => never,
): ArchiveSymbol[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const need = (n: number, pos: number) => {
    if (pos + n > data.length) fail('truncated archive symbol table', at + pos);
  };
  const symbols: ArchiveSymbol[] = [];
  if (kind === 'bsd') {
    need(4, 0);
    const rangesSize = view.getUint32(0, true);
    need(rangesSize + 4, 4);
    const strSize = view.getUint32(4 + rangesSize, true);
    const strStart = 8 + rangesSize;
    need(strSize, strStart);
    for (let p = 4; p + RANLIB_SIZE <= 4 + rangesSize; p += RANLIB_SIZE) {
      const strx = view.getUint32(p, true);
      const memberOffset = view.getUint32(p + 4, true);
      const start = strStart + strx;
      symbols.push({ name: utf8.decode(data.subarray(start, cStringEnd(data, start, strStart + strSize))), memberOffset });
    }
    return symbols;
  }
  const word = kind === 'gnu32' ? 4 : 8;
  need(word, 0);
  const count = kind === 'gnu32' ? view.getUint32(0, false) : Number(view.getBigUint64(0, false));
  if (count > (data.length - word) / word) fail(`archive symbol table count ${count} exceeds its size`, at);
  let strPos = word + count * word;
  for (let i = 0; i < count; i++) {
    const p = word + i * word;
    const memberOffset = kind === 'gnu32' ? view.getUint32(p, false) : Number(view.getBigUint64(p, false));
    if (strPos >= data.length) fail('archive symbol table names end early', at + strPos);
    const end = cStringEnd(data, strPos, data.length);
    symbols.push({ name: utf8.decode(data.subarray(strPos, end)), memberOffset });
    strPos = end + 1;
  }
  return symbols;
}

function cStringEnd(data: Uint8Array, start: number, limit: number): number {
  let end = start;
  while (end < limit && data[end] !== 0) end++;
  return end;
}
