// What one thread's fresh instance costs V8, by how its host functions are given: a module with 20
// function imports (imports20.wat) instantiated again and again with (a) the 20 JavaScript
// functions themselves, (b) wasm functions that call them (wrap20.wat, instantiated once), which is
// how wasmthreads' workers give them (src/runtime/host-wrappers.ts). CPU per instance is the
// process's (user + system, so the GC's helper threads count), rounds alternating.
// Usage: node instantiate.mjs [ROUNDS] [INSTANCES per round]
import { readFileSync } from 'node:fs';
import { HERE, ensureBuilt, header, quantile } from './bench-lib.mjs';

ensureBuilt();
const rounds = Number(process.argv[2] ?? 5);
const count = Number(process.argv[3] ?? 20000);
const guest = new WebAssembly.Module(readFileSync(`${HERE}imports20.wasm`));
const wrapperModule = new WebAssembly.Module(readFileSync(`${HERE}wrap20.wasm`));
const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const js = {};
for (let i = 0; i < 20; i++) js[`f${i}`] = (a, b) => a + b + i;
const wrapped = new WebAssembly.Instance(wrapperModule, { host: js }).exports;
const rows = [
  ['JavaScript functions as imports', { host: js, env: { memory } }],
  ['wasm wrappers as imports (wasmthreads)', { host: wrapped, env: { memory } }],
];

header(`instantiating a module with 20 function imports: CPU µs per instance, ${rounds} rounds of ${count}`);
const samples = rows.map(() => []);
let last;
for (let r = 0; r <= rounds; r++) {
  rows.forEach(([, imports], k) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < count; i++) last = new WebAssembly.Instance(guest, imports);
    const c = process.cpuUsage(c0);
    if (r > 0) samples[k].push((c.user + c.system) / count); // round 0 warms up
  });
}
if (last.exports.run() !== 3) throw new Error('the guest did not call its import');
rows.forEach(([label], k) => {
  const s = [...samples[k]].sort((a, b) => a - b);
  console.log(`${label.padEnd(42)} median ${quantile(s, 0.5).toFixed(1)} µs  min ${s[0].toFixed(1)} µs`);
});
