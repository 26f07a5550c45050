// LEB128 edge cases (core spec §5.2.2): minimal and padded encodings, the bounds of each width,
// and every malformed form the spec rejects, each with its message and the offset of the bad byte.

import t, { type Test } from 'tap';
import { ByteReader } from '../../src/binary/byte-reader.js';
import { DecodeError } from '../../src/diagnostics.js';
import { RelocType, Relocations } from '../../src/binary/reloc-types.js';
import {
  encodeS32,
  encodeS64,
  encodeU32,
  encodeU64,
  sizeS64,
  sizeU32,
  sizeU64,
} from '../../src/binary/leb.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const reader = (...bytes: number[]) => new ByteReader(Uint8Array.from(bytes), 'x.o', 0x100);

t.test('u32: minimal encodings and their decodings', async (t) => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [624485, 'e58e26'],
    [0x0fffffff, 'ffffff7f'],
    [0x10000000, '8080808001'],
    [0xffffffff, 'ffffffff0f'],
  ];
  for (const [value, bytes] of cases) {
    t.equal(hex(encodeU32(value)), bytes, `encode ${value}`);
    t.equal(sizeU32(value), bytes.length / 2, `size of ${value}`);
    const r = new ByteReader(Buffer.from(bytes, 'hex'), 'x.o');
    t.equal(r.u32(), value, `decode ${bytes}`);
    t.equal(r.pos, bytes.length / 2, `consumed all of ${bytes}`);
  }
});

t.test('u32: padded encodings (relocatable slots) decode to the same value', async (t) => {
  t.equal(hex(encodeU32(3, 5)), '8380808000', 'the Linking.md example: 3 padded to 5 bytes');
  t.equal(hex(encodeU32(0, 5)), '8080808000');
  t.equal(hex(encodeU32(300, 3)), 'ac8200');
  t.equal(reader(0x83, 0x80, 0x80, 0x80, 0x00).u32(), 3);
  t.equal(hex(encodeU32(0xffffffff, 5)), 'ffffffff0f', 'a width already minimal changes nothing');
  t.throws(() => encodeU32(1, 6), RangeError, 'no 32-bit LEB is wider than 5 bytes');
  t.throws(() => encodeU32(-1), RangeError);
  t.throws(() => encodeU32(2 ** 32), RangeError);
  t.throws(() => encodeU32(1.5), RangeError);
});

t.test('s32: signs, bounds and padding', async (t) => {
  const cases: [number, string][] = [
    [0, '00'],
    [-1, '7f'],
    [63, '3f'],
    [64, 'c000'],
    [-64, '40'],
    [-65, 'bf7f'],
    [-123456, 'c0bb78'],
    [0x7fffffff, 'ffffffff07'],
    [-0x80000000, '8080808078'],
  ];
  for (const [value, bytes] of cases) {
    t.equal(hex(encodeS32(value)), bytes, `encode ${value}`);
    t.equal(new ByteReader(Buffer.from(bytes, 'hex'), 'x.o').s32(), value, `decode ${bytes}`);
  }
  t.equal(hex(encodeS32(-1, 5)), 'ffffffff7f', 'negative padding repeats the sign');
  t.equal(hex(encodeS32(1, 5)), '8180808000');
  t.equal(reader(0xff, 0xff, 0xff, 0xff, 0x7f).s32(), -1);
});

t.test('u32 and s32: every one-byte encoding, and the byte after it left unread', async (t) => {
  let wrong = 0;
  for (let b = 0; b < 0x80; b++) {
    const r = reader(b, 0x55);
    if (r.u32() !== b || r.pos !== 1) wrong++;
    const s = reader(b, 0x55);
    if (s.s32() !== (b < 0x40 ? b : b - 0x80) || s.pos !== 1) wrong++;
  }
  t.equal(wrong, 0);
  t.throws(() => new ByteReader(Uint8Array.of(0x05), 'x.o', 0, 1).u32(), /unexpected end/, 'nothing left to read is an error, not byte 0');
});

t.test('64-bit: u64 and s64 bounds', async (t) => {
  t.equal(hex(encodeU64(0xffffffffffffffffn)), 'ffffffffffffffffff01');
  t.equal(sizeU64(0xffffffffffffffffn), 10);
  t.equal(hex(encodeU64(5n, 10)), '85808080808080808000');
  t.equal(new ByteReader(Buffer.from('ffffffffffffffffff01', 'hex'), 'x').u64(), 0xffffffffffffffffn);
  t.equal(new ByteReader(Buffer.from('80808080808080808000', 'hex'), 'x').u64(), 0n, 'padded zero');
  t.equal(hex(encodeS64(-(1n << 63n))), '808080808080808080' + '7f');
  t.equal(hex(encodeS64((1n << 63n) - 1n)), 'ffffffffffffffffff00');
  t.equal(sizeS64(-(1n << 63n)), 10);
  t.equal(new ByteReader(Buffer.from('8080808080808080807f', 'hex'), 'x').s64(), -(1n << 63n));
  t.equal(new ByteReader(Buffer.from('c0bb78', 'hex'), 'x').s64(), -123456n);
  t.equal(hex(encodeS64(-2n, 10)), 'feffffffffffffffff7f');
  t.throws(() => encodeU64(1n << 64n), RangeError);
  t.throws(() => encodeS64(1n << 63n), RangeError);
});

/** Asserts a DecodeError with this message at this absolute offset. */
function rejects(t: Test, read: () => unknown, message: string, offset: number, what: string): void {
  try {
    read();
    t.fail(`${what}: expected a DecodeError`);
  } catch (e) {
    t.type(e, DecodeError, what);
    const d = (e as DecodeError).diagnostics[0];
    t.equal(d.message, message, `${what}: message`);
    t.equal(d.offset, offset, `${what}: offset`);
    t.equal(d.file, 'x.o', `${what}: file`);
  }
}

t.test('malformed LEBs are DecodeErrors naming the file and the absolute offset', async (t) => {
  rejects(t, () => reader(0x80, 0x80).u32(), 'unexpected end of data in LEB128 u32', 0x100, 'truncated u32');
  rejects(t, () => reader().u32(), 'unexpected end of data in LEB128 u32', 0x100, 'empty u32');
  rejects(t, () => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32(), 'LEB128 u32 too long or out of range', 0x104, '6-byte u32');
  rejects(t, () => reader(0xff, 0xff, 0xff, 0xff, 0x1f).u32(), 'LEB128 u32 too long or out of range', 0x104, 'u32 bit 32 set');
  rejects(t, () => reader(0xff, 0xff, 0xff, 0xff, 0x0f).s32(), 'LEB128 s32 too long or out of range', 0x104, 's32 unused bits not sign');
  rejects(t, () => reader(0x80, 0x80, 0x80, 0x80, 0x70).s32(), 'LEB128 s32 too long or out of range', 0x104, 's32 sign bits disagree');
  rejects(t, () => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02).u64(), 'LEB128 u64 too long or out of range', 0x109, 'u64 bit 64 set');
  rejects(t, () => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).s64(), 'LEB128 s64 too long or out of range', 0x109, 's64 tenth byte 0x01');
  rejects(t, () => reader(0xff).s64(), 'unexpected end of data in LEB128 s64', 0x100, 'truncated s64');
});

t.test('reader guards: counts larger than the data and names past the end', async (t) => {
  rejects(t, () => reader(0xff, 0xff, 0xff, 0xff, 0x0f, 0x00).count('import', 4), 'import count 4294967295 exceeds the 1 bytes left', 0x100, 'huge count');
  rejects(t, () => reader(0x05, 0x61, 0x62).name('export name'), 'export name length 5 runs past the end', 0x100, 'long name');
  rejects(t, () => reader(0x02, 0xc3, 0x28).name('import module name'), 'import module name is not valid UTF-8', 0x101, 'bad UTF-8');
  t.equal(reader(0x03, 0xe2, 0x82, 0xac).name(), '€', 'UTF-8 names decode');
  t.equal(reader(0x03, 0xef, 0xbb, 0xbf).name(), '\ufeff', 'a leading BOM is part of the name');
});

t.test('Relocations keep every field exact: u32 offsets and indices past 2^31, 64-bit addends past int32', (t) => {
  const entries = [
    { type: RelocType.R_WASM_MEMORY_ADDR_I64, offset: 0xfffffff0, index: 0x80000001, addend: -(2 ** 40) - 3 },
    { type: RelocType.R_WASM_MEMORY_ADDR_LEB, offset: 5, index: 0, addend: -(2 ** 31) },
    { type: RelocType.R_WASM_MEMORY_ADDR_SLEB64, offset: 2 ** 31, index: 7, addend: 2 ** 53 - 1 },
    { type: RelocType.R_WASM_FUNCTION_INDEX_LEB, offset: 12, index: 0xffffffff },
    { type: RelocType.R_WASM_MEMORY_ADDR_I32, offset: 16, index: 1, addend: 2 ** 31 - 1 },
  ];
  const list = Relocations.from(entries);
  t.same(list.toArray(), entries);
  // Overwriting a wide addend with a narrow one forgets the wide one.
  list.set(0, entries[0].type, entries[0].offset, entries[0].index, 9);
  t.equal(list.addend(0), 9);
  t.equal(list.addend(2), 2 ** 53 - 1);
  t.end();
});
