// What both command-line entries do before the CLI runs (bin/wasmthreads.js, bin/wasmthreads-ld.js).
// The entries are CommonJS (bin/package.json): an ES-module entry starts Node's ESM loader, 8-14 ms
// of CPU before any of our code runs (an empty entry on Node 20 and 24, 15 alternating runs), which
// `link` and `run` then do not use; the rest of the CLI is still imported as ES modules.
const { accessSync, constants, mkdirSync, statSync } = require('node:fs');
const nodeModule = require('node:module');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/**
 * Node >= 22.1 can keep V8's compiled code for the bundle on disk and skip parsing and compiling
 * it on later runs, in this process and in the thread workers it starts (about 8 ms of a link's
 * and a run's start-up); Node documents it for command-line tools. The cache goes where Node puts
 * it by default, $TMPDIR/node-compile-cache, but only once that is seen to be a writable
 * directory: Node 22 and 24 hang in enableCompileCache when TMPDIR is under /proc. Not when the
 * user set NODE_COMPILE_CACHE (Node did it already) or NODE_DISABLE_COMPILE_CACHE.
 */
function enableCompileCache() {
  if (typeof nodeModule.enableCompileCache !== 'function') return;
  if (process.env.NODE_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE) return;
  const dir = join(tmpdir(), 'node-compile-cache');
  try {
    mkdirSync(dir);
  } catch (e) {
    if (e?.code !== 'EEXIST') return;
  }
  try {
    if (!statSync(dir).isDirectory()) return;
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return;
  }
  nodeModule.enableCompileCache(dir);
}

/**
 * V8's flags for a `link` process, set before the linker's bundle is compiled: V8's code cache
 * (code-cache.js) records the flags it was made under and is rejected under any others.
 *
 * A link is one short pass over the inputs in a process that ends with it. V8's optimising tier
 * (TurboFan, `--no-opt`) compiles hot functions on background threads for code that has mostly
 * run by the time it is ready: without it the same links cost 20-30% less CPU and no more wall
 * time (benchmarks/link, Node 20 and 22: libc-mt 1.36 → 0.94 s CPU, hello+libc 0.32 → 0.26 s).
 * Most of what a link allocates lives until it ends, so a young generation that grows only copies
 * it more before promoting it: kept at its starting size (growth factor 1), the paired
 * whole-process runs cost 5-11% less CPU and 2-22 MiB less peak memory on Node 20, 22 and 26
 * (libc-mt.a: 0.61 → 0.54 s, 93 → 71 MiB on Node 20). That young generation is 1 MiB, so
 * libc-mt.a takes about 40 scavenges; by default V8 splits each among threads that mostly wait on
 * each other, and one thread alone (`--no-parallel-scavenge`) cost less CPU: libc-mt.a −20 ms
 * (Node 20), −30 (22), −11 (24), none on 26; em++'s C++ line −11 ms (Node 20) and −15 (26); a
 * C hello world −3 (Node 20), for 2-4% more wall time (21-41 alternating pairs each). When the
 * young generation is nearly full V8 also schedules a scavenge for when the thread is idle, which
 * in a link process is once the link is done and the process about to exit: off
 * (`--no-minor-gc-task`), the C hello world takes one scavenge fewer (of 5, about 2 ms; 31
 * alternating pairs on Node 20: −2.2 ms median), and a full link's scavenges are all made by
 * allocation anyway (libc-mt.a had none from the task). Only flags
 * that V8 reads at each collection or as the heap grows may be set here: flags that switch the
 * major collector's modes (parallel or concurrent marking) abort the process when set after
 * start-up. test/link/cli-process.test.ts runs this on each
 * supported Node. The only wasm a link compiles is the C++ demangler (147 KB, called once per
 * name): its hot functions were recompiled by V8's optimising wasm tier in the background, 12% of
 * an em++ link's CPU on Node 20 and 6% on 22; Liftoff's code alone (`--liftoff-only`) is fast
 * enough for a few thousand names. On Node 24 and 26, V8's mid tier (Maglev, off by default on
 * Node 20 and 22) compiles a function once it has run 400 times, on background threads that also
 * hold their compile zones in memory; a link calls thousands of small functions that often, most
 * of them for little time after. It is off here (`--no-maglev`): compiling only functions called
 * 5000 times already cost 11-20% less CPU than the default, and none at all 5-8% less again, with
 * less memory, for 2-3% more wall time (Node 24 and 26, 15 alternating runs against the same
 * code: libc-mt.a 0.381 → 0.362 s of CPU on both, em++'s line 0.272 → 0.250 s on 24 and
 * 0.287 → 0.262 s on 26; libc-mt.a peaks at 72-73 MiB instead of 76, where wasm-ld-22 takes 80).
 * Only the CLI's own process: library callers keep their flags. The link command turns TurboFan
 * back on for --build-id=fast (src/cli/link.ts says why).
 */
const LINK_V8_FLAGS = '--no-opt --no-maglev --semi-space-growth-factor=1 --no-parallel-scavenge --no-minor-gc-task --liftoff-only';

/** wasm-ld's flags that print its version or usage (`link` accepts the same). */
const LINK_PROBES = new Set(['--version', '-v', '-V', '--help', '-help', '-h']);

/**
 * Runs the CLI with `argv`. `link` and `run` load their command's own CommonJS bundle instead of
 * the CLI's ES modules (src/cli/link-main.ts says why); `link`'s with its own code cache
 * (code-cache.js), the others with Node's compile cache enabled before they load.
 */
async function start(argv) {
  const io = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    endProcess: (code) => process.exit(code),
  };
  if (argv[0] === 'link') {
    require('node:v8').setFlagsFromString(LINK_V8_FLAGS);
    // `link --version` or `--help` alone (what build systems run to identify a linker) compiles
    // almost nothing: V8 reading the whole linker's cached code costs 8-14 ms more than that, so
    // these load the bundle as `run` does, with Node's compile cache (Node >= 22.1).
    if (argv.length === 2 && LINK_PROBES.has(argv[1])) {
      enableCompileCache();
      process.exitCode = await require('../dist/link-cli.cjs').linkMain(argv.slice(1), io);
      return;
    }
    const bundle = require('./code-cache.js').loadBundle(join(__dirname, '../dist/link-cli.cjs'));
    const { linkMain, linkProcess } = bundle.exports;
    process.exitCode = await linkMain(argv.slice(1), io);
    // After a link that wrote its output, which compiled the linker's whole pipeline: code cached
    // after --version or a link that stopped at an error would leave most of it out.
    if (process.exitCode === 0 && linkProcess.linked && !linkProcess.changedV8Flags) bundle.save();
    return;
  }
  enableCompileCache();
  if (argv[0] === 'run') {
    process.exitCode = await require('../dist/run-cli.cjs').runMain(argv.slice(1), io);
    return;
  }
  const { main } = await import('../dist/cli.js');
  process.exitCode = await main(argv, io);
}

module.exports = { start, LINK_V8_FLAGS };
