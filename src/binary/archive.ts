// Reader for `ar` archives as wasm toolchains write them: GNU/SysV (llvm-ar, rustc, emar) and
// BSD (Apple ar) variants, with their symbol tables and long-name schemes.
//
// How it works: after the `!<arch>\n` magic, the archive is a list of members, each a 60-byte
// text header (name 16, mtime 12, uid 6, gid 6, mode 8, size 10, terminator "`\n") followed by
// `size` bytes and a pad byte to the next even offset. Special members hold the symbol index
// (GNU `/` with 32-bit big-endian offsets, `/SYM64/` with 64-bit ones; BSD `__.SYMDEF[ SORTED]`
// with little-endian ranlib structs) and the GNU long-name table (`//`, referenced as `/123`).
// BSD long names are `#1/NN`: the name is the first NN bytes of the member's data. Reading walks
// the headers only, through an `ArchiveSource`: the archive in memory, or a file read at offsets
// as needed. Member contents are read on demand (`bytes()`), so a linker that pulls three members
// of libc.a never reads the other thousand (reading all of wasi-libc's 2.3 MB libc.a cost ~8 ms of
// a hello-world link, most of it faulting in the buffer's pages).

import { DecodeError } from '../diagnostics.js';
import { isWasm } from './format.js';
import { latin1Slice } from './intern.js';

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
// Names are bytes: a leading EF BB BF is part of a name, not a byte-order mark to drop.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

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
  /** Whether the member's data starts with the wasm magic (read with the header). */
  wasm: boolean;
  /** The member's bytes: a view into an archive in memory, or read from the file. */
  bytes(): Uint8Array;
}

/** Where `ArchiveSource.peek` put the bytes asked for: from `bytes[at]` on. */
export interface Span {
  bytes: Uint8Array;
  at: number;
}

/** Random access to an archive's bytes. */
export interface ArchiveSource {
  readonly length: number;
  /** `length` bytes from `offset`, which the caller may keep (a view or a fresh copy). */
  read(offset: number, length: number): Uint8Array;
  /**
   * The same bytes as `read`, from `span.bytes[span.at]` on, but only valid until the next `read`
   * or `peek`: for bytes looked at and dropped at once (member headers), which a source can then
   * hand out from the archive in memory or its read-ahead buffer, with no view made for each.
   */
  peek?(offset: number, length: number, span: Span): void;
}

function memorySource(bytes: Uint8Array): ArchiveSource {
  return {
    length: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
    peek(offset, _length, span) {
      span.bytes = bytes;
      span.at = offset;
    },
  };
}

/**
 * An archive's symbol index: entry i names `names[i]`, defined by the member whose header is at
 * `memberOffsets[i]` (matches `ArchiveMember.headerOffset`). Two arrays rather than an object per
 * entry: a linker keeps the indexes of every archive on its line to the end (em++'s has 15,000
 * entries in seven).
 */
export interface ArchiveIndex {
  names: string[];
  memberOffsets: number[];
}

export interface Archive {
  file: string;
  members: ArchiveMember[];
  /** The archive's symbol index, if it has one (`/`, `/SYM64/` or `__.SYMDEF`). */
  index?: ArchiveIndex;
  /** The member a symbol-index entry points at. */
  memberAt(headerOffset: number): ArchiveMember | undefined;
}

/** Whether `bytes` starts with the `!<arch>\n` magic. */
export function isArchive(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC_SIZE && ascii(bytes, 0, MAGIC_SIZE) === AR_MAGIC;
}

/** bytes[start, end) as one char per byte: by Node's native decoder when `bytes` is a Buffer (a header each member). */
function ascii(bytes: Uint8Array, start: number, end: number): string {
  if (bytes instanceof Buffer) return latin1Slice.call(bytes, start, end);
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/** How many bytes of a member's data are read with its header: enough for the wasm magic. */
const PEEK_SIZE = 4;

/** `ArchiveSource.peek` for a source without one: a view made by `read`. */
function peekByRead(src: ArchiveSource, offset: number, length: number, span: Span): void {
  span.bytes = src.read(offset, length);
  span.at = 0;
}

export function readArchive(input: Uint8Array | ArchiveSource, file = '<archive>'): Archive {
  const src = input instanceof Uint8Array ? memorySource(input) : input;
  const fail = (message: string, at: number): never => {
    throw new DecodeError(message, file, at);
  };
  const magic = src.read(0, Math.min(MAGIC_SIZE, src.length));
  if (magic.length === MAGIC_SIZE && ascii(magic, 0, MAGIC_SIZE) === THIN_MAGIC) {
    fail('thin archives are not supported (members live in other files)', 0);
  }
  if (!isArchive(magic)) fail('not an archive (bad magic, expected "!<arch>\\n")', 0);
  const members: ArchiveMember[] = [];
  let longNames: Uint8Array | undefined;
  let symbolTable: { kind: 'gnu32' | 'gnu64' | 'bsd'; at: number; data: Uint8Array } | undefined;
  let pos = MAGIC_SIZE;
  // One span and one header record for the whole walk: the headers are read in place.
  const span: Span = { bytes: magic, at: 0 };
  const h: RawHeader = { rawName: '', size: 0 };
  while (pos < src.length) {
    const want = Math.min(HEADER_SIZE + PEEK_SIZE, src.length - pos);
    if (src.peek) src.peek(pos, want, span);
    else peekByRead(src, pos, want, span);
    if (want === 1 && span.bytes[span.at] === 0x0a) break; // final pad byte
    readHeader(span.bytes, span.at, h, src.length - pos, pos, fail);
    const dataStart = pos + HEADER_SIZE;
    if (h.rawName === GNU_SYMTAB || h.rawName === GNU_SYMTAB64) {
      symbolTable = { kind: h.rawName === GNU_SYMTAB ? 'gnu32' : 'gnu64', at: dataStart, data: src.read(dataStart, h.size) };
    } else if (h.rawName === GNU_LONGNAMES) {
      longNames = src.read(dataStart, h.size);
    } else {
      const wasm = h.size >= PEEK_SIZE && want >= HEADER_SIZE + PEEK_SIZE && isWasm(span.bytes, span.at + HEADER_SIZE);
      const m = resolveMember(src, file, pos, h, wasm, longNames, fail);
      if (BSD_SYMTAB_NAMES.has(m.name)) symbolTable = { kind: 'bsd', at: m.offset, data: m.bytes() };
      else members.push(m);
    }
    pos = dataStart + h.size + (h.size & 1);
  }
  const byOffset = new Map(members.map((m) => [m.headerOffset, m]));
  const archive: Archive = { file, members, memberAt: (o) => byOffset.get(o) };
  if (symbolTable) archive.index = readSymbolTable(symbolTable.kind, symbolTable.data, symbolTable.at, fail);
  return archive;
}

interface RawHeader {
  rawName: string;
  size: number;
}

/** Decimal digits, or -1 if the field holds anything else (space padding aside). */
function decimalField(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  let digits = 0;
  let p = start;
  while (p < end && bytes[p] === 0x20) p++;
  for (; p < end && bytes[p] >= 0x30 && bytes[p] <= 0x39; p++, digits++) value = value * 10 + bytes[p] - 0x30;
  while (p < end && bytes[p] === 0x20) p++;
  return digits > 0 && p === end ? value : -1;
}

/**
 * Reads into `h` the header at `head[at]`; `remaining` bytes of the archive start there (at `pos`).
 */
function readHeader(head: Uint8Array, at: number, h: RawHeader, remaining: number, pos: number, fail: (m: string, at: number) => never): void {
  if (remaining < HEADER_SIZE) {
    fail(`truncated archive member header (${remaining} of ${HEADER_SIZE} bytes)`, pos);
  }
  if (head[at + TERMINATOR_AT] !== 0x60 || head[at + TERMINATOR_AT + 1] !== 0x0a) {
    fail('bad archive member header (missing "`\\n" terminator)', pos + TERMINATOR_AT);
  }
  let nameEnd = at + NAME_FIELD[1];
  while (nameEnd > at + NAME_FIELD[0] && head[nameEnd - 1] === 0x20) nameEnd--;
  const rawName = ascii(head, at + NAME_FIELD[0], nameEnd);
  const size = decimalField(head, at + SIZE_FIELD[0], at + SIZE_FIELD[1]);
  if (size < 0) fail(`bad archive member size field "${ascii(head, at + SIZE_FIELD[0], at + SIZE_FIELD[1]).trim()}"`, pos + SIZE_FIELD[0]);
  if (size > remaining - HEADER_SIZE) {
    fail(`archive member "${rawName}" size ${size} runs past the end of the archive`, pos + SIZE_FIELD[0]);
  }
  h.rawName = rawName;
  h.size = size;
}

function resolveMember(
  src: ArchiveSource,
  file: string,
  headerOffset: number,
  h: RawHeader,
  wasmAfterHeader: boolean,
  longNames: Uint8Array | undefined,
  fail: (m: string, at: number) => never,
): ArchiveMember {
  let name = h.rawName;
  let offset = headerOffset + HEADER_SIZE;
  let size = h.size;
  let wasm = wasmAfterHeader;
  if (name.startsWith(BSD_LONGNAME_PREFIX)) {
    const len = Number(name.slice(BSD_LONGNAME_PREFIX.length));
    if (!Number.isInteger(len) || len > size) fail(`bad BSD long member name "${name}"`, headerOffset);
    const named = src.read(offset, Math.min(len + PEEK_SIZE, size));
    name = ascii(named, 0, len).replace(/\0+$/, '');
    wasm = isWasm(named, len);
    offset += len;
    size -= len;
  } else if (name.charCodeAt(0) === 0x2f && /^\/\d+$/.test(name)) {
    name = gnuLongName(longNames, Number(name.slice(1)), headerOffset, fail);
  } else if (name.endsWith('/')) {
    name = name.slice(0, -1);
  }
  return new Member(src, name, headerOffset, offset, size, `${file}(${name})`, wasm);
}

/** An ArchiveMember (a class: a closure per member cost an object per member of every archive). */
class Member implements ArchiveMember {
  constructor(
    private readonly src: ArchiveSource,
    readonly name: string,
    readonly headerOffset: number,
    readonly offset: number,
    readonly size: number,
    readonly file: string,
    readonly wasm: boolean,
  ) {}

  bytes(): Uint8Array {
    return this.src.read(this.offset, this.size);
  }
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
): ArchiveIndex {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const need = (n: number, pos: number) => {
    if (pos + n > data.length) fail('truncated archive symbol table', at + pos);
  };
  if (kind === 'bsd') {
    const memberOffsets: number[] = [];
    need(4, 0);
    const rangesSize = view.getUint32(0, true);
    need(rangesSize + 4, 4);
    const strSize = view.getUint32(4 + rangesSize, true);
    const strStart = 8 + rangesSize;
    need(strSize, strStart);
    const names: string[] = [];
    for (let p = 4; p + RANLIB_SIZE <= 4 + rangesSize; p += RANLIB_SIZE) {
      const strx = view.getUint32(p, true);
      const start = strStart + strx;
      names.push(utf8.decode(data.subarray(start, cStringEnd(data, start, strStart + strSize))));
      memberOffsets.push(view.getUint32(p + 4, true));
    }
    return { names, memberOffsets };
  }
  const word = kind === 'gnu32' ? 4 : 8;
  need(word, 0);
  const count = kind === 'gnu32' ? view.getUint32(0, false) : Number(view.getBigUint64(0, false));
  if (count > (data.length - word) / word) fail(`archive symbol table count ${count} exceeds its size`, at);
  // The names are NUL-terminated, one after another to the end of the table (the last may run to
  // the end unterminated): decoded as one string and split, not one decoder call and one view per
  // name (libc-mt.a's index has 5,000 names; em++'s link reads seven such indexes).
  const strStart = word + count * word;
  const names = strStart < data.length ? utf8.decode(data.subarray(strStart)).split('\0') : [];
  const terminated = strStart < data.length && data[data.length - 1] === 0;
  const available = terminated ? names.length - 1 : names.length;
  if (available < count) fail('archive symbol table names end early', at + (strStart >= data.length ? strStart : terminated ? data.length : data.length + 1));
  const offsets = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const p = word + i * word;
    offsets[i] = kind === 'gnu32' ? view.getUint32(p, false) : Number(view.getBigUint64(p, false));
  }
  names.length = count;
  return { names, memberOffsets: offsets };
}

function cStringEnd(data: Uint8Array, start: number, limit: number): number {
  let end = start;
  while (end < limit && data[end] !== 0) end++;
  return end;
}
