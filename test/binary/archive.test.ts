// Archives: readArchive against llvm-ar-22 and llvm-nm-22 on real archives (Debian wasi-libc's
// libc.a) and on GNU and BSD archives that llvm-ar-22 writes from objects clang-22 compiles here
// (long member names, symbol indices); plus every error path with its message and offset.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { isArchive, isWasm, readArchive } from '../../src/binary/archive.js';
import { readModule } from '../../src/binary/read-module.js';
import { DecodeError } from '../../src/diagnostics.js';
import { WASI_LIBC_DIR, wasiLibcFiles } from '../helpers/real-inputs.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOOL_TIMEOUT_MS = 60_000;

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `llvm-nm --print-armap` lines `sym in member` → [symbol, member]. */
function armap(path: string): [string, string][] {
  const out = run('llvm-nm-22', ['--print-armap', path]);
  const map = out.split('\n\n')[0].split('\n').slice(1);
  return map.filter((l) => l.includes(' in ')).map((l) => l.split(' in ') as [string, string]);
}

t.test("Debian wasi-libc libc.a: members and symbol index agree with llvm-ar and llvm-nm", async (t) => {
  wasiLibcFiles();
  const path = join(WASI_LIBC_DIR, 'libc.a');
  const bytes = new Uint8Array(readFileSync(path));
  t.ok(isArchive(bytes), 'isArchive');
  const start = performance.now();
  const archive = readArchive(bytes, 'libc.a');
  for (const m of archive.members) readModule(m.bytes(), m.file);
  const ms = performance.now() - start;
  t.comment(`read libc.a (${archive.members.length} members, ${(bytes.length / 1e6).toFixed(1)} MB) and decoded every member in ${ms.toFixed(0)} ms`);
  t.ok(ms < 5000, 'reading all of libc.a takes well under the 5 s bound');
  const expected = run('llvm-ar-22', ['t', path]).trim().split('\n');
  t.same(archive.members.map((m) => m.name), expected, 'member names in order');
  t.ok(archive.members.every((m) => isWasm(m.bytes())), 'every member is a wasm object');
  t.equal(archive.members[0].file, `libc.a(${expected[0]})`, 'members are named lib.a(member.o)');
  const index = (archive.index?.names ?? []).map((name, i) => [name, archive.memberAt(archive.index!.memberOffsets[i])?.name]);
  t.same(index, armap(path), 'symbol index (symbol → member) matches llvm-nm --print-armap');
});

t.test('GNU and BSD archives written by llvm-ar-22: long names and symbol tables', async (t) => {
  const dir = tempDir('wasmthreads-ar-', t);
  const longName = 'a_member_name_longer_than_sixteen_bytes.o';
  writeFileSync(join(dir, 'long.c'), 'int long_counter = 1;\nint long_get(void) { return long_counter; }\n');
  writeFileSync(join(dir, 'w.c'), '__attribute__((weak)) int w_value(void) { return 7; }\n');
  run('clang-22', ['--target=wasm32', '-O1', '-c', 'long.c', '-o', longName], dir);
  run('clang-22', ['--target=wasm32', '-O1', '-c', 'w.c', '-o', 'w.o'], dir);
  for (const format of ['gnu', 'bsd']) {
    const ar = join(dir, `${format}.a`);
    run('llvm-ar-22', ['rc', `--format=${format}`, ar, longName, 'w.o'], dir);
    const bytes = new Uint8Array(readFileSync(ar));
    const archive = readArchive(bytes, `${format}.a`);
    t.same(archive.members.map((m) => m.name), [longName, 'w.o'], `${format}: member names`);
    for (const m of archive.members) {
      t.equal(Buffer.compare(m.bytes(), readFileSync(join(dir, m.name))), 0, `${format}: ${m.name} bytes`);
    }
    const index = (archive.index?.names ?? []).map((name, i) => [name, archive.memberAt(archive.index!.memberOffsets[i])?.name]);
    t.same(index, armap(ar), `${format}: symbol index matches llvm-nm`);
    t.ok(index.some(([s]) => s === 'long_get'), `${format}: symbol index lists long_get`);
  }
});

/** A GNU archive with one member (raw name field as given), written by hand to corrupt precisely. */
function tinyArchive(rawName: string, data: Uint8Array): Uint8Array {
  const header =
    rawName.padEnd(16) + '0'.padEnd(12) + '0'.padEnd(6) + '0'.padEnd(6) + '644'.padEnd(8) + String(data.length).padEnd(10) + '`\n';
  const pad = data.length % 2 ? '\n' : '';
  return Uint8Array.from([...Buffer.from('!<arch>\n' + header), ...data, ...Buffer.from(pad)]);
}

function rejects(t: Test, bytes: Uint8Array, message: string, offset: number, what: string): void {
  try {
    readArchive(bytes, 'bad.a');
    t.fail(`${what}: expected a DecodeError`);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    t.equal(e.diagnostics[0].message, message, `${what}: message`);
    t.equal(e.diagnostics[0].offset, offset, `${what}: offset`);
    t.equal(e.diagnostics[0].file, 'bad.a', `${what}: file`);
  }
}

t.test('archive errors name the archive and the offset', async (t) => {
  const ok = tinyArchive('m.o/', Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff));
  t.same(readArchive(ok, 'ok.a').members.map((m) => [m.name, m.size]), [['m.o', 9]], 'hand-written archive reads');
  rejects(t, Buffer.from('!<arXX>\n'), 'not an archive (bad magic, expected "!<arch>\\n")', 0, 'bad magic');
  rejects(t, Buffer.from('!<thin>\n'), 'thin archives are not supported (members live in other files)', 0, 'thin');
  rejects(t, ok.subarray(0, 8 + 30), 'truncated archive member header (30 of 60 bytes)', 8, 'truncated header');
  const noTerm = ok.slice();
  noTerm[8 + 58] = 0x20;
  rejects(t, noTerm, 'bad archive member header (missing "`\\n" terminator)', 8 + 58, 'terminator');
  const badSize = ok.slice();
  badSize.set(Buffer.from('x9        '), 8 + 48);
  rejects(t, badSize, 'bad archive member size field "x9"', 8 + 48, 'size not a number');
  rejects(t, ok.subarray(0, ok.length - 4), 'archive member "m.o/" size 9 runs past the end of the archive', 8 + 48, 'data past the end');
  const longRef = tinyArchive('/42', Uint8Array.of(1, 2));
  rejects(t, longRef, 'member name "/42" refers to a missing long-name table', 8, 'long name without table');
});

/** A GNU symbol index (`/` member) of `count` entries pointing at offset 8, then `names` as bytes. */
function gnuIndex(count: number, names: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * count);
  head.writeUInt32BE(count, 0);
  for (let i = 0; i < count; i++) head.writeUInt32BE(8, 4 + 4 * i);
  return tinyArchive('/', Uint8Array.from([...head, ...names]));
}

t.test('a GNU symbol index: its names as bytes, and names that end early', async (t) => {
  const names = (count: number, text: string) => readArchive(gnuIndex(count, Buffer.from(text, 'utf8')), 'idx.a').index?.names;
  t.same(names(2, 'a\0b\0'), ['a', 'b'], 'NUL-terminated');
  t.same(names(2, 'a\0b'), ['a', 'b'], 'the last one unterminated');
  t.same(names(3, 'caf\u00e9\0\ufeffx\0\0'), ['caf\u00e9', '\ufeffx', ''], 'UTF-8, a leading EF BB BF kept, an empty name');
  // The member's data starts at 8 (magic) + 60 (header); the error points where the next name would.
  const data = (count: number) => 8 + 60 + 4 + 4 * count;
  rejects(t, gnuIndex(2, Buffer.from('a\0')), 'archive symbol table names end early', data(2) + 2, 'terminated, one name short');
  rejects(t, gnuIndex(3, Buffer.from('a\0b')), 'archive symbol table names end early', data(3) + 4, 'unterminated, one name short');
  rejects(t, gnuIndex(1, new Uint8Array()), 'archive symbol table names end early', data(1), 'no names at all');
});

t.test('a corrupt member is reported as lib.a(member.o) with a member-relative offset', async (t) => {
  const member = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0x05, 0x01, 0x60);
  const archive = readArchive(tinyArchive('broken.o/', member), 'lib.a');
  const m = archive.members[0];
  t.equal(m.file, 'lib.a(broken.o)');
  try {
    readModule(m.bytes(), m.file);
    t.fail('expected a DecodeError');
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    t.equal(e.diagnostics[0].file, 'lib.a(broken.o)');
    t.equal(e.diagnostics[0].offset, 9, 'offset of the Type section size, relative to the member');
    t.match(e.message, /^wasmthreads: error: lib\.a\(broken\.o\): Type section size 5 runs past the end of the file/);
  }
});
