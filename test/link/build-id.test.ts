// `--build-id` against wasm-ld-22: 0xHEX sections are byte-identical to
// wasm-ld's; sha1 follows lld's scheme (SHA-1 of the SHA-1 of each 1 MiB chunk, with the id
// slot holding spaces), checked on wasm-ld-22's own output and ours, and is stable; uuid is a
// 16-byte v4 UUID; fast (the default of a bare --build-id: xxh3-64 made a v5 UUID) gives the
// same file as wasm-ld-22's, for outputs of 1 to 18 MiB chunks; none writes nothing; unknown
// styles are errors.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { xxh3_64 } from '../../src/link/xxh3.js';
import { C_FIXTURES as C, haveWasmLd as wasmLdInstalled, LinkHarness, WASM_LD } from './harness.js';

const haveWasmLd = wasmLdInstalled();
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('buildid');
const BASE = ['--no-entry', '--export-all', C + 'lib_add.o'];

async function ours(args: string[], name: string): Promise<{ code: number; stderr: string; bytes?: Buffer }> {
  const r = await h.ours(args, name);
  return { code: r.code, stderr: r.stderr, bytes: r.code === 0 ? readFileSync(r.out) : undefined };
}

function ref(args: string[], name: string): Buffer {
  const r = h.ref(args, name);
  if (r.code !== 0) throw new Error(r.stderr);
  return readFileSync(r.out);
}

/** The last section, which must be `build_id`: its full bytes (id, size, name, payload). */
function lastSection(bytes: Buffer): Buffer {
  const at = bytes.lastIndexOf(Buffer.from('\x08build_id'));
  return bytes.subarray(at - 2);
}

/** lld's tree hash for a small file: SHA-1 of SHA-1, with the `n`-byte id replaced by spaces. */
function expectedSha1(bytes: Buffer, n: number): Buffer {
  const blanked = Buffer.concat([bytes.subarray(0, bytes.length - n), Buffer.alloc(n, 0x20)]);
  return createHash('sha1').update(createHash('sha1').update(blanked).digest()).digest();
}

for (const hex of ['0xdeadbeef', '0xabc', '0x', '0x0123456789abcdef0123456789ABCDEF01']) {
  t.test(`--build-id=${hex}: same section as wasm-ld-22`, { skip }, async (t) => {
    const a = ref([`--build-id=${hex}`, ...BASE], 'ref-hex.wasm');
    const b = await ours([`--build-id=${hex}`, ...BASE], 'ours-hex.wasm');
    t.equal(b.code, 0, b.stderr);
    t.same(lastSection(b.bytes!), lastSection(a));
  });
}

t.test('--build-id=sha1: lld scheme, 20 bytes, stable', { skip }, async (t) => {
  const a = ref(['--build-id=sha1', ...BASE], 'ref-sha1.wasm');
  t.same(a.subarray(-20), expectedSha1(a, 20), "wasm-ld-22's id follows the scheme");
  const b1 = await ours(['--build-id=sha1', ...BASE], 'ours-sha1.wasm');
  const b2 = await ours(['--build-id=sha1', ...BASE], 'ours-sha1.wasm');
  t.equal(b1.code, 0, b1.stderr);
  t.equal(lastSection(b1.bytes!).subarray(0, 12).toString('latin1'), lastSection(a).subarray(0, 12).toString('latin1'), 'same section header and size');
  t.same(b1.bytes!.subarray(-20), expectedSha1(b1.bytes!, 20), 'our id follows the scheme');
  t.same(b1.bytes, b2.bytes, 'two links give the same file');
  const tree = await ours(['--build-id=tree', ...BASE], 'ours-sha1.wasm');
  t.same(tree.bytes, b1.bytes, 'tree is sha1');
});

t.test('--build-id=uuid: 16 random bytes, a v4 UUID', { skip }, async (t) => {
  const a = ref(['--build-id=uuid', ...BASE], 'ref-uuid.wasm');
  const b1 = await ours(['--build-id=uuid', ...BASE], 'ours-uuid.wasm');
  const b2 = await ours(['--build-id=uuid', ...BASE], 'ours-uuid.wasm');
  const [ia, i1, i2] = [a, b1.bytes!, b2.bytes!].map((x) => x.subarray(-16));
  t.equal(lastSection(b1.bytes!).length, lastSection(a).length, 'same section size');
  for (const id of [ia, i1]) {
    t.equal(id[6] >> 4, 4, 'version 4');
    t.equal(id[8] >> 6, 2, 'RFC 4122 variant');
  }
  t.notSame(i1, i2, 'two links differ');
});

t.test('--build-id=none writes no section', { skip }, async (t) => {
  const a = ref(['--build-id=none', ...BASE], 'ref-none.wasm');
  const b = await ours(['--build-id=none', ...BASE], 'ours-none.wasm');
  t.equal(a.indexOf('build_id'), -1);
  t.equal(b.bytes!.indexOf('build_id'), -1);
});

/** An object with `mib` MiB and 12345 bytes of data (clang-22), so the output spans that many 1 MiB chunks and one more. */
function bigObject(mib: number): string {
  const out = join(h.tmp, `big${mib}.o`);
  const src = `__attribute__((used)) const char big[${mib}*1048576+12345] = { [0]=1, [77777]=5, [${mib}*1048576+12344]=2 };`;
  const r = spawnSync('clang-22', ['--target=wasm32', '-O1', '-c', '-x', 'c', '-', '-o', out], { input: src, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return out;
}

const haveClang = spawnSync('clang-22', ['--version'], { timeout: 10_000 }).status === 0;

// The id hashes 1 MiB chunks, then the chunks' 8-byte hashes together: outputs of 1, 2, 4 and 18
// chunks take each of XXH3's input-size paths (4-8, 9-16, 17-128, 129-240 bytes, and >240 for
// each chunk).
for (const [what, args] of [
  ['a small module, bare --build-id', () => ['--build-id', ...BASE]],
  ['a small module, --build-id=fast', () => ['--build-id=fast', ...BASE]],
  ['2 chunks', () => ['--build-id', '--no-entry', '--export-all', bigObject(1)]],
  ['4 chunks', () => ['--build-id', '--no-entry', '--export-all', bigObject(3)]],
  ['18 chunks', () => ['--build-id', '--no-entry', '--export-all', bigObject(17)]],
] as const) {
  t.test(`--build-id=fast (xxh3-64, a v5 UUID): ${what}, the file byte for byte as wasm-ld-22's`, { skip: skip || (!haveClang && what.includes('chunks') ? 'clang-22 not installed' : false) }, async (t) => {
    const a = args();
    // The same file name in two directories: it is the module's name in the name section.
    const dir = what.replace(/\W+/g, '-');
    for (const d of ['ref', 'ours']) mkdirSync(join(h.tmp, dir, d), { recursive: true });
    const want = ref(a, join(dir, 'ref', 'fast.wasm'));
    const got = await ours(a, join(dir, 'ours', 'fast.wasm'));
    t.equal(got.code, 0, got.stderr);
    const id = got.bytes!.subarray(-16);
    t.equal(id[6] >> 4, 5, 'version 5');
    t.equal(id[8] >> 6, 2, 'RFC 4122 variant');
    t.same(id, want.subarray(-16), 'the same id');
    t.equal(Buffer.compare(got.bytes!, want), 0, 'the same file');
  });
}

t.test('xxh3-64 of nothing is the published value', async (t) => {
  t.equal(xxh3_64(new Uint8Array()), 0x2d06800538d394c2n);
});

t.test('unknown styles are errors', async (t) => {
  const bad = await ours(['--build-id=md5', ...BASE], 'ours-md5.wasm');
  t.not(bad.code, 0);
  t.match(bad.stderr, /unknown --build-id style: md5/);
  const nothex = await ours(['--build-id=0xzz', ...BASE], 'ours-zz.wasm');
  t.match(nothex.stderr, /not a hexadecimal value: zz/);
});
