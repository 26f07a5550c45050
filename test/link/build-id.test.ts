// `--build-id` against wasm-ld-22: 0xHEX sections are byte-identical to
// wasm-ld's; sha1 follows lld's scheme (SHA-1 of the SHA-1 of each 1 MiB chunk, with the id
// slot holding spaces), checked on wasm-ld-22's own output and ours, and is stable; uuid is a
// 16-byte v4 UUID; none writes nothing; fast (xxh3-64) and unknown styles are errors.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
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

t.test('fast (and a bare --build-id) and unknown styles are errors', async (t) => {
  for (const flag of ['--build-id', '--build-id=fast']) {
    const r = await ours([flag, ...BASE], 'ours-fast.wasm');
    t.not(r.code, 0);
    t.match(r.stderr, /xxh3-64/);
  }
  const bad = await ours(['--build-id=md5', ...BASE], 'ours-md5.wasm');
  t.not(bad.code, 0);
  t.match(bad.stderr, /unknown --build-id style: md5/);
  const nothex = await ours(['--build-id=0xzz', ...BASE], 'ours-zz.wasm');
  t.match(nothex.stderr, /not a hexadecimal value: zz/);
});
