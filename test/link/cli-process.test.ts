// The `link` command tunes V8 for a short one-pass process (bin/start.js: no TurboFan, no
// Maglev, a young generation that does not grow, collected on one thread).
// Those flags are set while the process runs, which V8 supports for some flags and not others,
// and what it supports changes between versions: this runs the CLI in a process of its own, on
// the Node running the test (scripts/node-versions.mjs runs it on each supported one), over links
// big enough to collect garbage many times, and checks each exits cleanly with the same bytes as
// the in-process API, which sets no flags.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { link } from '../../src/link/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/wasmthreads.js');
const WASI = '/usr/lib/wasm32-wasi';
const EMSYSROOT = '/usr/share/emscripten/cache/sysroot/lib/wasm32-emscripten';
/** Generous for a loaded 2-core box: each link takes well under a second alone. */
const LINK_TIMEOUT_MS = 120_000;

const SPEC_INPUTS = join(ROOT, 'test/link/spec/inputs');

const cases = [
  {
    name: 'C++ objects whose function names are demangled (the one wasm module a link compiles)',
    needs: join(SPEC_INPUTS, 'names.o'),
    args: ['--no-entry', '--export-all', '--allow-undefined', join(SPEC_INPUTS, 'names.o'), join(SPEC_INPUTS, 'names-import.o')],
    api: { inputs: [join(SPEC_INPUTS, 'names.o'), join(SPEC_INPUTS, 'names-import.o')], noEntry: true, exportAll: true, allowUndefined: true },
  },
  {
    name: 'C hello world against wasi-libc (archive members read at offsets)',
    needs: `${WASI}/libc.a`,
    args: ['-L' + WASI, `${WASI}/crt1-command.o`, join(ROOT, 'test/fixtures/c/hello.o'), '-lc'],
    api: { inputs: [`${WASI}/crt1-command.o`, join(ROOT, 'test/fixtures/c/hello.o'), { library: 'c' }], libraryPaths: [WASI] },
  },
  {
    name: "every member of emscripten's libc-mt.a, --whole-archive --export-all (1,094 objects with debug info)",
    needs: `${EMSYSROOT}/libc-mt.a`,
    args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=16777216', '--export-all', '--allow-undefined', '--no-check-features', '--whole-archive', `${EMSYSROOT}/libc-mt.a`, '--no-whole-archive'],
    api: { inputs: [{ path: `${EMSYSROOT}/libc-mt.a`, wholeArchive: true }], noEntry: true, sharedMemory: true, importMemory: true, maxMemory: 16777216, exportAll: true, allowUndefined: true, checkFeatures: false },
  },
];

for (const c of cases) {
  t.test(c.name, { skip: existsSync(c.needs) ? false : `${c.needs} is not installed (npm run setup)` }, async (t) => {
    const dir = tempDir('wasmthreads-cli-link-', t);
    const out = join(dir, 'out.wasm');
    const r = spawnSync(process.execPath, [CLI, 'link', ...c.args, '-o', out], { encoding: 'utf8', timeout: LINK_TIMEOUT_MS });
    if (r.error) throw new Error(`the link did not finish within ${LINK_TIMEOUT_MS} ms (${r.error.message})`);
    t.equal(r.status, 0, `exit status (signal ${r.signal}); stderr: ${r.stderr.slice(-2000)}`);
    const expected = link({ ...c.api, output: out }).bytes;
    t.ok(Buffer.from(readFileSync(out)).equals(Buffer.from(expected)), 'the same bytes as the in-process link');
  });
}
