// The package as users get it: `npm pack`, install the tarball into an empty directory (no
// registry needed: wasmthreads has no runtime dependencies), then
// - `npx wasmthreads run` the bundled example object (linked in memory, four threads),
// - `npx wasmthreads link` and `npx wasmthreads-ld` link it,
// - a strict TypeScript consumer that imports the library type-checks against the installed
//   declarations (dist/*.d.ts) and runs.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { assertDistFresh } from '../helpers/dist-fresh.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
assertDistFresh();

const CONSUMER = `
import { readFileSync } from 'node:fs';
import { inspect, link, run, type InspectReport, type LinkOptions, type RunOptions } from 'wasmthreads';
const example = 'node_modules/wasmthreads/examples/hello-threads.o';
const report: InspectReport = inspect(readFileSync(example), example);
const linkOptions: LinkOptions = { inputs: [example], sharedMemory: true, importMemory: true, maxMemory: 67108864, noEntry: true };
const linked = link(linkOptions);
const options: RunOptions = { module: example };
const result = await run(options);
console.log(\`exit \${result.exitCode}, \${report.kind}, \${linked.bytes.length > 0}\`);
`;

t.test('npm pack, install into an empty project, run the example and type-check a consumer', async (t) => {
  const dir = tempDir('wasmthreads-pack-', t);
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  t.ok(tarball, 'npm pack wrote a tarball');
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, tarball)], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

  const example = spawnSync('npx', ['--no-install', 'wasmthreads', 'run', 'node_modules/wasmthreads/examples/hello-threads.o'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  t.equal(example.status, 0, example.stderr);
  t.match(example.stdout, /thread 4: my greeting_count is 1004\n[^]*shared total: 10\n/);

  // The linker from the installed package, through both of its commands: the first link makes
  // its code cache (bin/code-cache.js) in this TMPDIR, the second loads it.
  const linkArgs = ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=67108864', 'node_modules/wasmthreads/examples/hello-threads.o'];
  const linkEnv = { ...process.env, TMPDIR: dir, NODE_DISABLE_COMPILE_CACHE: undefined };
  mkdirSync(join(app, 'a'));
  mkdirSync(join(app, 'b'));
  const linked = [
    spawnSync('npx', ['--no-install', 'wasmthreads', 'link', ...linkArgs, '-o', 'a/hello.wasm'], { cwd: app, encoding: 'utf8', timeout: 60_000, env: linkEnv }),
    spawnSync('npx', ['--no-install', 'wasmthreads-ld', ...linkArgs, '-o', 'b/hello.wasm'], { cwd: app, encoding: 'utf8', timeout: 60_000, env: linkEnv }),
  ];
  t.same(linked.map((r) => r.status), [0, 0], `wasmthreads link, then wasmthreads-ld: ${linked.map((r) => r.stderr).join('')}`);
  t.ok(readFileSync(join(app, 'a/hello.wasm')).equals(readFileSync(join(app, 'b/hello.wasm'))), 'the same module from both');
  const cacheDir = readdirSync(dir).find((f) => f.startsWith('wasmthreads-code-cache'));
  const cached = cacheDir ? readdirSync(join(dir, cacheDir)) : [];
  t.ok(cached.length === 1 && cached[0].startsWith('link-cli-') && cached[0].endsWith(`-${process.version}-${process.arch}.bin`), `the installed linker keeps its code cache (${cached.join(', ')})`);

  writeFileSync(join(app, 'main.ts'), CONSUMER);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false,
      types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
    files: ['main.ts'],
  }));
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  t.equal(tsc.status, 0, `the consumer type-checks against the installed declarations:\n${tsc.stdout}${tsc.stderr}`);
  // And runs (Node strips nothing here: compile it with the same tsc to plain JS first).
  const js = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit', 'false', '--outDir', 'out'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  t.equal(js.status, 0, js.stdout);
  const ran = spawnSync(process.execPath, ['out/main.js'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  t.equal(ran.status, 0, ran.stderr);
  t.match(ran.stdout, /exit 0, object, true\n$/);
});
