// The link map (-M, -Map=FILE): every address and offset it prints is checked against the linked
// module read back with readModule, and the output segments' addresses and sizes against
// wasm-ld-22's -Map of the same link.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { C_FIXTURES as C, haveWasmLd as wasmLdInstalled, LinkHarness, WASM_LD } from './harness.js';
import { evalConstExpr } from '../../src/binary/const-expr.js';
import { readModule } from '../../src/binary/read-module.js';
import { main } from '../../src/cli/main.js';

const haveWasmLd = wasmLdInstalled();
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('map');
const tmp = h.tmp;

/** Output segments in wasm-ld's map: `Addr Off Size .name` lines with no input column. */
function wasmLdSegments(map: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of map.matchAll(/^\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+) (\.\S+)$/gm)) out[m[3]] = `addr=${m[1]} size=${m[2]}`;
  return out;
}

/** Our map's output segment lines: `Addr Size Align Off .name data[i] mode`. */
function ourSegments(map: string): { name: string; addr: number; size: number; off: string; index?: number }[] {
  return [...map.matchAll(/^\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S+) (\.\S+) (?:data\[(\d+)\]|not written)/gm)].map((m) => ({
    name: m[4],
    addr: parseInt(m[1], 16),
    size: parseInt(m[2], 16),
    off: m[3],
    index: m[5] === undefined ? undefined : Number(m[5]),
  }));
}

const CASES: [string, string[]][] = [
  ['shared memory, TLS and merged strings', ['--shared-memory', C + 'tls.o', C + 'strings.o', C + 'strings2.o']],
  ['unshared, stack after the data', ['--no-stack-first', C + 'tls_mvp.o', C + 'strings.o']],
];

for (const [title, inputs] of CASES) {
  t.test(`-Map: ${title}`, { skip }, async (t) => {
    const args = ['--no-entry', '--export-all', '--allow-undefined', ...inputs];
    const ref = h.ref([...args, `-Map=${join(tmp, 'ref.map')}`]);
    t.equal(ref.code, 0, `wasm-ld-22 links: ${ref.stderr}`);
    const { code, stdout, stderr, out } = await h.ours([...args, '-M', `-Map=${join(tmp, 'ours.map')}`]);
    t.equal(code, 0, `we link: ${stderr}`);
    const map = readFileSync(join(tmp, 'ours.map'), 'utf8');
    t.equal(stdout, map, '-M prints the same map that -Map writes');

    const segs = ourSegments(map);
    t.ok(segs.length >= 2, 'output segments are listed');
    t.same(Object.fromEntries(segs.map((s) => [s.name, `addr=${s.addr.toString(16)} size=${s.size.toString(16)}`])), wasmLdSegments(readFileSync(join(tmp, 'ref.map'), 'utf8')), 'segment addresses and sizes agree with wasm-ld-22 -Map');

    const bytes = readFileSync(out);
    const mod = readModule(bytes, out);
    const data = mod.sections.find((s) => s.id === 11);
    const code10 = mod.sections.find((s) => s.id === 10);
    for (const s of segs) {
      if (s.index === undefined) continue;
      const d = data && 'segments' in data ? data.segments[s.index] : undefined;
      t.ok(d, `${s.name} is data[${s.index}]`);
      if (!d) continue;
      t.equal(d.init.length, s.size, `${s.name}: size agrees with the module`);
      t.equal(parseInt(s.off, 16), d.initOffset, `${s.name}: file offset agrees with the module`);
      if (d.offset) t.equal(Number(evalConstExpr(d.offset)), s.addr, `${s.name}: address agrees with the active segment`);
    }
    const bodies = code10 && 'bodies' in code10 ? code10.bodies : [];
    const fnRows = [...map.matchAll(/^\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+) (\S+):\((.+)\)$/gm)].filter((m) => map.indexOf(m[0]) > map.indexOf('\nFunctions\n') && map.indexOf(m[0]) < map.indexOf('\nGlobals\n'));
    t.equal(fnRows.length, bodies.length, 'every function body is listed');
    for (const [i, m] of fnRows.entries()) t.equal(parseInt(m[2], 16), bodies[i].offset, `${m[5]}: code offset agrees`);

    // Linker-defined addresses agree with the exported globals (--export-all exports them).
    const globals = mod.sections.find((s) => s.id === 6);
    const exports = mod.sections.find((s) => s.id === 7);
    for (const name of ['__data_end', '__heap_base', '__stack_high']) {
      const row = new RegExp(`^\\s+([0-9a-f]+) ${name}$`, 'm').exec(map);
      const e = exports && 'exports' in exports ? exports.exports.find((x) => x.name === name) : undefined;
      if (!row || !e || !globals || !('globals' in globals)) {
        t.fail(`${name} in the map and exported`);
        continue;
      }
      t.equal(parseInt(row[1], 16), Number(evalConstExpr(globals.globals[e.index].init)), `${name} agrees with the exported global`);
    }
  });
}

t.test('-Map to a file that cannot be written is one clear error', async (t) => {
  let stderr = '';
  const code = await main(['link', '-o', join(tmp, 'x.wasm'), '--no-entry', C + 'strings.o', C + 'strings2.o', '-Map=/nonexistent-dir/x.map'], { stdout: () => {}, stderr: (s) => (stderr += s) });
  t.equal(code, 1);
  t.match(stderr, /cannot open map file \/nonexistent-dir\/x\.map/);
  t.notMatch(stderr, /\n\s+at /, 'no stack trace');
});
