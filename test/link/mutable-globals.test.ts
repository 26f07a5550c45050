// `--features=` and the mutable-globals import/export check (linking.md §1.7 steps 2, 10, 11),
// against wasm-ld-22: with an explicit feature list lacking mutable-globals, importing or exporting
// a mutable global is an error with wasm-ld's text (one per global, in wasm-ld's order);
// --no-check-features or adding mutable-globals lets the link through, and the output's
// target_features section is exactly the given list.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readModule } from '../../src/binary/read-module.js';
import { main } from '../../src/cli/main.js';
import { summarize } from './summarize.js';

const C = new URL('../fixtures/c/', import.meta.url).pathname;
const WASM_LD = 'wasm-ld-22';
const haveWasmLd = spawnSync(WASM_LD, ['--version'], { timeout: 10_000 }).status === 0;
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const tmp = mkdtempSync(join(tmpdir(), 'wasmthreads-mutglobals-'));

interface Run {
  code: number;
  stderr: string;
  out: string;
}

const lines = (stderr: string): string[] => stderr.split('\n').filter((l) => /^(\S+: )?(warning|error): /.test(l)).map((l) => l.replace(/^\S+: (warning|error): /, '$1: '));

async function ours(args: string[], name: string): Promise<Run> {
  let stderr = '';
  const out = join(tmp, name);
  const code = await main(['link', '-o', out, ...args], { stdout: () => {}, stderr: (s) => (stderr += s) });
  return { code, stderr, out };
}

function ref(args: string[], name: string): Run {
  const out = join(tmp, name);
  const r = spawnSync(WASM_LD, [...args, '-o', out], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stderr: r.stderr, out };
}

function features(path: string): string[] {
  const mod = readModule(readFileSync(path), path);
  const sec = mod.sections.find((s) => s.id === 0 && s.custom === 'target_features') as { features: { prefix: string; name: string }[] } | undefined;
  return (sec?.features ?? []).map((f) => f.prefix + f.name);
}

const CASES: { name: string; args: string[]; code: number; count: number }[] = [
  { name: 'mutable global imported', args: ['--no-entry', '--export=bump_g', '--allow-undefined', '--features=sign-ext', C + 'gmut.o'], code: 1, count: 1 },
  { name: 'mutable globals exported (__stack_pointer, then g)', args: ['--no-entry', '--export=g', '--export=__stack_pointer', '--features=sign-ext', C + 'gty_a.o'], code: 1, count: 2 },
  { name: 'an immutable import is fine', args: ['--no-entry', '--export=get_g', '--allow-undefined', '--features=sign-ext', C + 'gty_c.o'], code: 0, count: 0 },
  { name: '--no-check-features suppresses the check', args: ['--no-entry', '--export=g', '--export=__stack_pointer', '--features=sign-ext', '--no-check-features', C + 'gty_a.o'], code: 0, count: 0 },
  { name: 'mutable-globals in --features= allows them', args: ['--no-entry', '--export=g', '--export=__stack_pointer', '--features=sign-ext,mutable-globals', C + 'gty_a.o'], code: 0, count: 0 },
];

for (const [i, c] of CASES.entries()) {
  t.test(c.name, { skip }, async (t) => {
    const a = ref(c.args, `ref${i}.wasm`);
    const b = await ours(c.args, `ours${i}.wasm`);
    t.equal(a.code, c.code, 'wasm-ld-22 exit code');
    t.equal(b.code, c.code, 'our exit code');
    t.equal(lines(a.stderr).length, c.count, 'wasm-ld-22 diagnostics');
    t.same(lines(b.stderr), lines(a.stderr), 'same diagnostics');
    if (c.code === 0) {
      t.same(features(b.out), features(a.out), 'same target_features section');
      t.same(summarize(readFileSync(b.out)), summarize(readFileSync(a.out)), 'same module');
    }
  });
}

t.test('--features= is the whole output feature list', { skip }, async (t) => {
  const args = ['--no-entry', '--features=sign-ext,mutable-globals,bulk-memory', C + 'gty_a.o'];
  const a = ref(args, 'refF.wasm');
  const b = await ours(args, 'oursF.wasm');
  t.equal(b.code, 0);
  t.same(features(b.out), ['+bulk-memory', '+mutable-globals', '+sign-ext']);
  t.same(features(b.out), features(a.out));
});
