// `wasmthreads bench tls`: its numbers agree with a hand-written harness timing the same module
// side by side; the CLI's table, JSON and SVG; a user's export measured the same way; and bad
// input (a missing or ill-typed export, an import it cannot provide, absurd counts) refused with
// one line.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { initThreadMemory, hostTlsAddr, tlsBenchModule, VARIANTS } from '../../src/bench/tls-module.js';
import { runCli } from '../runtime/run-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = `${ROOT}test/fixtures/wat/bench/`;
const dir = tempDir('wasmthreads-bench-', t);

interface Json {
  iterations: number;
  samplesPerThread: number;
  runs: { threads: number; variants: { id: string; median: number; p10: number; p90: number; ratio: number; samples: number }[] }[];
}

/**
 * The hand-written harness: the same module on this thread, each variant timed on its own
 * (warm-up, then samples of `n` operations), median ns per operation.
 */
function handWritten(n: number, samples: number): Record<string, number> {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
  initThreadMemory(memory, 0);
  const ex = new WebAssembly.Instance(new WebAssembly.Module(tlsBenchModule(0)), {
    bench: { tls_addr: () => hostTlsAddr(0) }, env: { memory },
  }).exports as Record<string, (n: number) => number>;
  const out: Record<string, number> = {};
  for (const v of VARIANTS) {
    for (let i = 0; i < 20; i++) ex[v](n);
    const times: number[] = [];
    for (let s = 0; s < samples; s++) {
      const t0 = performance.now();
      ex[v](n);
      times.push(((performance.now() - t0) * 1e6) / n);
    }
    out[v] = times.sort((a, b) => a - b)[samples >> 1];
  }
  return out;
}

t.test('bench tls agrees with a hand-written harness on the same module, side by side', async (t) => {
  // Three rounds alternating the two; each side's best median per variant (a loaded box slows
  // some rounds, never speeds one up).
  const bench: Record<string, number[]> = {};
  const hand: Record<string, number[]> = {};
  for (let round = 0; round < 3; round++) {
    const r = await runCli(['bench', 'tls', '--json', '--threads', '1', '--samples', '15', '--iterations', '262144']);
    t.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout.toString()) as Json;
    for (const v of json.runs[0].variants) (bench[v.id] ??= []).push(v.median);
    for (const [v, m] of Object.entries(handWritten(262144, 15))) (hand[v] ??= []).push(m);
  }
  for (const v of VARIANTS) {
    const a = Math.min(...bench[v]);
    const b = Math.min(...hand[v]);
    t.ok(a / b > 0.5 && a / b < 2, `${v}: bench ${a.toFixed(2)} ns, hand-written ${b.toFixed(2)} ns (ratio ${(a / b).toFixed(2)})`);
  }
  t.ok(Math.min(...bench.host_import) > Math.min(...bench.tls_inline), 'a host import costs more than an inlined TLS access');
});

t.test('CLI: JSON for several thread counts, the table, the SVG chart', async (t) => {
  const svg = join(dir, 'chart.svg');
  const r = await runCli(['bench', 'tls', '--json', '--threads', '1,2', '--samples', '5', '--iterations', '65536', '--svg', svg]);
  t.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout.toString()) as Json;
  t.same(json.runs.map((run) => run.threads), [1, 2]);
  t.equal(json.iterations, 65536);
  for (const run of json.runs) {
    t.same(run.variants.map((v) => v.id), [...VARIANTS]);
    t.equal(run.variants[0].ratio, 1, 'plain is the yardstick');
    for (const v of run.variants) {
      t.equal(v.samples, 5 * run.threads, `${v.id}: every thread's samples`);
      t.ok(v.p10 <= v.median && v.median <= v.p90 && v.median > 0, `${v.id}: p10 ≤ median ≤ p90`);
    }
  }
  const chart = readFileSync(svg, 'utf8');
  t.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const label of ['plain global', '_Thread_local, inlined', 'through a call', 'pthread_getspecific-style key', 'host import', '2 threads at once']) {
    t.ok(chart.includes(label), `the chart shows ${label}`);
  }
  const table = await runCli(['bench', 'tls', '--threads', '2', '--samples', '3', '--iterations', '4096']);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout.toString(), /2 threads at once\n {2}variant +median +p10 – p90 +× plain\n {2}plain global \(static address\) +[\d.]+ +[\d.]+ – [\d.]+ +1\.00\n/);
});

t.test('a user export, on one thread and on two with their own TLS blocks', async (t) => {
  const r = await runCli(['bench', 'tls', `${FIX}user_tls.wasm`, '--export', 'bump', '--json', '--threads', '1,2', '--samples', '5', '--iterations', '65536']);
  t.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout.toString()) as Json;
  for (const run of json.runs) t.same(run.variants.map((v) => v.id), ['plain', 'bump']);
  const once = await runCli(['bench', 'tls', `${FIX}user_tls.wasm`, '--export', 'one', '--threads', '1', '--samples', '3', '--iterations', '10000']);
  t.equal(once.code, 0, once.stderr);
  t.match(once.stdout.toString(), /user_tls\.wasm: one +[\d.]+/);
});

t.test('bad input: one line, non-zero exit', async (t) => {
  const cases: [string[], number, RegExp][] = [
    [[`${FIX}user_tls.wasm`, '--export', 'nope'], 1, /user_tls\.wasm: no exported function 'nope'\nhint: exported functions: __wasm_init_tls, bump, one, wrong\n$/],
    [[`${FIX}user_tls.wasm`, '--export', 'wrong'], 1, /'wrong' must take no parameters .* or one i32/],
    [[`${FIX}user_foreign.wasm`, '--export', 'f'], 1, /user_foreign\.wasm: imports function env\.now, which bench cannot provide/],
    [[`${FIX}user_unshared.wasm`, '--export', 'bump', '--threads', '2'], 1, /memory env\.memory is not shared, so it runs on one thread only\nhint: use --threads 1/],
    [[`${FIX}user_tls.wasm`], 2, /needs --export NAME/],
    [['--export', 'bump'], 2, /--export needs a MODULE/],
    [['--threads', '0'], 2, /--threads needs a decimal integer from 1 to 64, got '0'/],
    [['--samples', '1e3'], 2, /--samples needs a decimal integer/],
    [['--iterations', '99999999999'], 2, /--iterations needs a decimal integer from 1 to 1073741824/],
    [[`${dir}`, '--export', 'x'], 1, /cannot read module: is a directory/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runCli(['bench', 'tls', ...args]);
    t.equal(r.code, code, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const none = await runCli(['bench']);
  t.match(none.stderr, /bench needs a benchmark: tls/);
  const other = await runCli(['bench', 'mutex']);
  t.match(other.stderr, /unknown benchmark 'mutex' \(there is: tls\)/);
});

t.test('the user-module check passes the same module for one thread', async (t) => {
  const r = await runCli(['bench', 'tls', `${FIX}user_unshared.wasm`, '--export', 'bump', '--threads', '1', '--samples', '3', '--iterations', '1000']);
  t.equal(r.code, 0, r.stderr);
});
