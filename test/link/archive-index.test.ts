// Archive members' definitions come from the archive's symbol index when it has one, else from
// each member's own symbol table. Both must give the same link: the same output bytes, the same
// extractions (--why-extract) and the same --trace-symbol lines. The archives are written here,
// in GNU format, around committed objects (test/link/spec/inputs), so no tool is needed. An archive
// named by path is read from its file at offsets (only what the link needs): that must be the same
// link as the archive in memory.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { link } from '../../src/link/index.js';
import { ArchiveFile, readDefinedSymbols } from '../../src/link/archive.js';
import { readArchive } from '../../src/binary/archive.js';
import { openFileSource, OpenFiles } from '../../src/link/file-source.js';
import { isWasm } from '../../src/binary/read-module.js';
import { tempDir } from '../helpers/temp-dir.js';

const INPUTS = fileURLToPath(new URL('./spec/inputs/', import.meta.url));
const obj = (name: string): Uint8Array => new Uint8Array(readFileSync(INPUTS + name));

function header(name: string, size: number): string {
  return name.padEnd(16) + '0'.padEnd(12) + '0'.padEnd(6) + '0'.padEnd(6) + '644'.padEnd(8) + String(size).padEnd(10) + '`\n';
}

/** A GNU archive of `members`; with `index`, a `/` symbol index naming `index[i]` for member i. */
function archive(members: { name: string; bytes: Uint8Array }[], index?: string[][]): Uint8Array {
  const member = (name: string, bytes: Uint8Array): Buffer[] => [Buffer.from(header(name, bytes.length)), Buffer.from(bytes), Buffer.from(bytes.length & 1 ? '\n' : '')];
  const names = index?.flat() ?? [];
  const strings = Buffer.from(names.map((n) => n + '\0').join(''));
  const symtab = Buffer.alloc(index ? 4 + 4 * names.length + strings.length : 0);
  // Member headers follow the magic and the index member (each member padded to an even size).
  let at = 8 + (index ? 60 + symtab.length + (symtab.length & 1) : 0);
  const offsets = members.map((m) => {
    const here = at;
    at += 60 + m.bytes.length + (m.bytes.length & 1);
    return here;
  });
  if (index) {
    symtab.writeUInt32BE(names.length, 0);
    let k = 0;
    index.forEach((syms, i) => syms.forEach(() => symtab.writeUInt32BE(offsets[i], 4 + 4 * k++)));
    strings.copy(symtab, 4 + 4 * names.length);
  }
  return Buffer.concat([Buffer.from('!<arch>\n'), ...(index ? member('/', symtab) : []), ...members.flatMap((m) => member(m.name + '/', m.bytes))]);
}

const members = [
  { name: 'names.o', bytes: obj('names.o') },
  { name: 'pic-defs.o', bytes: obj('pic-defs.o') },
];
// The index an archiver writes: each member's defined, non-local symbols.
const withIndex = archive(members, members.map((m) => readDefinedSymbols(m.bytes)?.names ?? []));
const withoutIndex = archive(members);

t.test('the hand-written archives read back with and without an index', async (t) => {
  const a = new ArchiveFile('lib.a', withIndex);
  const b = new ArchiveFile('lib.a', withoutIndex);
  t.ok(a.archive.index?.names.length, 'the index is read');
  t.equal(b.archive.index, undefined, 'no index');
  const names = (f: ArchiveFile): string[][] => f.members.map((m) => [...m.definitions]);
  t.same(names(a), names(b));
  t.ok(names(b)[1].includes('ext_fn'));
});

const REAL = ['/usr/lib/wasm32-wasi', '/usr/share/emscripten/cache/sysroot/lib/wasm32-emscripten', '/usr/lib/llvm-22/lib/wasm32-wasi'].filter((d) => existsSync(d));
t.test("real archives: the index lists exactly what each member's symbol table defines, in order", { skip: REAL.length ? false : 'no wasm archives installed (npm run setup)' }, async (t) => {
  let archives = 0;
  for (const dir of REAL) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.a'))) {
      const a = readArchive(new Uint8Array(readFileSync(`${dir}/${f}`)), f);
      if (!a.index?.names.length) continue;
      archives++;
      const indexed = new Map<number, string[]>();
      const { names, memberOffsets } = a.index;
      names.forEach((name, i) => indexed.set(memberOffsets[i], [...(indexed.get(memberOffsets[i]) ?? []), name]));
      const differing = a.members.filter((m) => isWasm(m.bytes()) && (readDefinedSymbols(m.bytes())?.names ?? []).join() !== (indexed.get(m.headerOffset) ?? []).join());
      t.same(differing.map((m) => m.file), [], `${dir}/${f}`);
    }
  }
  t.ok(archives > 10, `${archives} indexed archives compared`);
});

t.test('real archives read at offsets from their files read as they do in memory', { skip: REAL.length ? false : 'no wasm archives installed (npm run setup)' }, async (t) => {
  let archives = 0;
  for (const dir of REAL) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.a'))) {
      const path = `${dir}/${f}`;
      const inMemory = readArchive(new Uint8Array(readFileSync(path)), path);
      const source = openFileSource(path, new OpenFiles());
      try {
        const fromFile = readArchive(source, path);
        const shape = (a: typeof inMemory) => ({ members: a.members.map((m) => [m.name, m.headerOffset, m.offset, m.size, m.wasm]), index: a.index });
        t.same(shape(fromFile), shape(inMemory), path);
        // Every 7th member's bytes, read through the window or directly by size.
        const differing = fromFile.members.filter((m, i) => i % 7 === 0 && !Buffer.from(m.bytes()).equals(Buffer.from(inMemory.members[i].bytes())));
        t.same(differing.map((m) => m.file), [], `${path}: member bytes`);
      } finally {
        source.close();
      }
      archives++;
    }
  }
  t.ok(archives > 10, `${archives} archives compared`);
});

t.test('a link through an indexed archive and through an unindexed one is the same link', async (t) => {
  const run = (lib: Uint8Array) =>
    link({
      inputs: [{ name: 'pic.o', bytes: obj('pic.o') }, { name: 'lib.a', bytes: lib }],
      noEntry: true, exports: ['get_ext', 'get_ext_fn'], whyExtract: '-', traceSymbols: ['ext_fn', 'entry'], output: 'out.wasm',
    });
  const a = run(withIndex);
  const b = run(withoutIndex);
  t.match(a.whyExtract, /pic\.o\tlib\.a\(pic-defs\.o\)\text_/, 'the member defining ext_data/ext_fn is extracted');
  t.notMatch(a.whyExtract, /names\.o/, 'the other member is not');
  t.equal(a.whyExtract, b.whyExtract);
  t.same(a.messages, b.messages, '--trace-symbol lines');
  t.ok(Buffer.from(a.bytes).equals(Buffer.from(b.bytes)), 'same output bytes');
});

t.test('an archive read from its file at offsets links as the same archive in memory, and is closed after', async (t) => {
  const dir = tempDir('wasmthreads-archive-', t);
  const openFds = (): number => readdirSync('/proc/self/fd').length;
  const text = Buffer.from('not an object\n');
  for (const [label, lib] of [['indexed', archive([...members, { name: 'README', bytes: text }], [...members.map((m) => readDefinedSymbols(m.bytes)?.names ?? []), []])], ['unindexed', withoutIndex]] as const) {
    const path = join(dir, `lib-${label}.a`);
    writeFileSync(path, lib);
    const run = (input: { name: string; bytes: Uint8Array } | string) =>
      link({ inputs: [{ name: 'pic.o', bytes: obj('pic.o') }, input], noEntry: true, exports: ['get_ext', 'get_ext_fn'], whyExtract: '-', output: 'out.wasm' });
    const before = openFds();
    const fromFile = run(path);
    t.equal(openFds(), before, `${label}: no descriptor left open`);
    const inMemory = run({ name: path, bytes: lib });
    t.ok(Buffer.from(fromFile.bytes).equals(Buffer.from(inMemory.bytes)), `${label}: same output bytes`);
    t.equal(fromFile.whyExtract, inMemory.whyExtract, `${label}: same extractions`);
    t.same(fromFile.warnings.map((w) => w.message), inMemory.warnings.map((w) => w.message), `${label}: same warnings`);
    if (label === 'indexed') t.match(fromFile.warnings.map((w) => w.message).join('\n'), /archive member 'README' is neither Wasm object file nor LLVM bitcode/);
    // A failing link closes the file too.
    t.throws(() => link({ inputs: [path], noEntry: true, exports: ['nowhere'] }), /nowhere/);
    t.equal(openFds(), before, `${label}: no descriptor left open after a failed link`);
  }
});

t.test('a corrupt archive read at offsets is reported with its file and offset', async (t) => {
  const dir = tempDir('wasmthreads-archive-', t);
  const path = join(dir, 'libcut.a');
  // Cut inside the second member: its header still claims the full size.
  writeFileSync(path, withIndex.subarray(0, withIndex.length - 40));
  const err = (() => {
    try {
      link({ inputs: [path], noEntry: true });
    } catch (e) {
      return e as Error & { diagnostics?: { message: string; file?: string; offset?: number }[] };
    }
    return undefined;
  })();
  t.ok(err, 'the link fails');
  const d = err?.diagnostics?.[0];
  t.match(d?.message, /archive member "pic-defs\.o\/" size \d+ runs past the end of the archive/);
  t.equal(d?.file, path);
  t.type(d?.offset, 'number');
  // A directory where an archive is expected: one clear line, not a read error from deep inside.
  mkdirSync(join(dir, 'libdir.a'));
  t.throws(() => link({ inputs: [join(dir, 'libdir.a')], noEntry: true }), /cannot open .*libdir\.a/);
});

t.test('archives keep their files open for member reads, as many as the limit; the least recently read is closed and reopened', async (t) => {
  const dir = tempDir('wasmthreads-archive-', t);
  const path = join(dir, 'lib.a');
  // A member past the read-ahead window's reach: names.o with a 40,000-byte custom section `pad`.
  const pad = new Uint8Array(40_000);
  const big = Buffer.concat([members[0].bytes, Buffer.from([0, 0xc0, 0xb8, 0x02, 3]), Buffer.from('pad'), pad.subarray(0, 40_000 - 4)]);
  const lib = archive([{ name: 'big.o', bytes: big }, members[1]]);
  writeFileSync(path, lib);
  const openFds = (): number => readdirSync('/proc/self/fd').length;
  const before = openFds();
  const files = new OpenFiles(1);
  const first = openFileSource(path, files);
  const a = new ArchiveFile(path, first);
  first.release();
  t.equal(openFds(), before + 1, 'open after the header walk, for the members');
  t.ok(Buffer.from(a.archive.members[0].bytes()).equals(big), 'a member read after release is the member');
  t.equal(openFds(), before + 1, 'a member read uses the open file');
  const second = openFileSource(path, files);
  const b = new ArchiveFile(path, second);
  second.release();
  t.equal(openFds(), before + 1, 'a second archive past the limit of one: the first is closed');
  t.ok(Buffer.from(a.archive.members[1].bytes()).equals(members[1].bytes), 'the first archive reopened for a member');
  t.equal(openFds(), before + 1, '... and the second closed');
  // The file goes away while an archive is closed: one clear error naming it.
  rmSync(path);
  t.throws(() => b.archive.members[0].bytes(), /cannot read .*lib\.a: it could not be opened again \(ENOENT\) after its headers were read/);
  // A third, its header walk not done (as when it fails): the link's end closes it with the rest.
  writeFileSync(path, lib);
  openFileSource(path, files);
  t.equal(openFds(), before + 2, 'a file being walked is open beside the one archive kept');
  files.closeAll();
  t.equal(openFds(), before, 'closed at the end');
});
