// Bundles the CLI, the public API and the worker entry with esbuild. Type checking is separate
// (`npm run typecheck`): esbuild only strips types.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const entryPoints = {
  cli: 'src/cli/main.ts',
  index: 'src/index.ts',
};

// A fresh dist/: chunk names carry content hashes, so an old build's chunks would stay behind.
rmSync('dist', { recursive: true, force: true });

// Split: each CLI command is its own chunk, loaded when it runs (`link` loads no runtime, WASI or
// inspect code); the library entry shares the chunks. Chunks stay in dist/ itself: code that
// finds the worker bundles by `new URL('./thread-worker.cjs', import.meta.url)` may land in one.
await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});

// CommonJS bundles, each one file:
// - `wasmthreads link`, `wasmthreads-ld` and `wasmthreads run` load their command this way (see
//   src/cli/link-main.ts for why);
// - the worker entries, which workers load by path: a trivial threaded program started in 342
//   instead of 420 ms (median of 10, alternating, same run) with a CJS worker.
// `import.meta.url` (the lookups of the demangler, node:crypto and the worker bundle) becomes the
// file's own URL, in dist/ like the chunks. These bundles lose their whitespace and comments
// (names are kept, for stack traces; the source maps map back). Each process reads its whole
// bundle as it starts, and Node's compile cache checks its cached code against a hash of that
// text; the comments also held the only non-ASCII characters, which made the text a two-byte
// string. 285 → 221 KB for the linker's bundle, and `link --version` costs 5 ms less CPU on Node
// 22, 24 and 26 (31 alternating runs each; the hello-world link 2-9 ms less); Node 20, which has
// no compile cache, is unchanged. The library's ES modules above stay as written.
await build({
  entryPoints: {
    'link-cli': 'src/cli/link-main.ts',
    'run-cli': 'src/cli/run-main.ts',
    'thread-worker': 'src/host/thread-entry.ts',
    'bench-worker': 'src/bench/bench-worker.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  define: { 'import.meta.url': '__wasmthreadsModuleUrl' },
  minifyWhitespace: true,
  banner: { js: "const __wasmthreadsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// The linker's demangler (src/link/demangle/) is read beside the chunk that loads it.
copyFileSync('src/link/demangle/itanium-demangle.wasm', 'dist/itanium-demangle.wasm');

// Type declarations for library users (package.json "types": dist/index.d.ts): tsc writes one
// .d.ts per source file under dist/, mirroring src/.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
