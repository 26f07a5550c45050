// Differential tests: the same C fixtures linked by wasm-ld-22 and by wasmthreads must give modules
// that validate and agree on imports, exports, memory and table limits, globals and their init
// values (incl. __tls_size/__tls_align), data segment layout, table slots and start function.
//
// Intended differences (not compared): function/type/global index numbering and order of synthetic
// functions (compared by name instead); the producers section contents.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { link, parseLinkArgs } from '../../src/link/index.js';
import { summarize } from './summarize.js';

const FIXTURES = new URL('../fixtures/c/', import.meta.url).pathname;
const WASM_LD = 'wasm-ld-22';
const hasTool = (tool: string, arg = '--version'): boolean => spawnSync(tool, [arg], { timeout: 10_000 }).status === 0;
const haveWasmLd = hasTool(WASM_LD);
const haveValidate = hasTool('wasm-validate');
const tmp = mkdtempSync(join(tmpdir(), 'wasmthreads-link-'));

export function linkOurs(args: string[]): Uint8Array {
  return link(parseLinkArgs(args).options).bytes;
}

export function linkRef(args: string[], out: string): Uint8Array {
  execFileSync(WASM_LD, [...args, '-o', out], { cwd: FIXTURES, timeout: 60_000 });
  return readFileSync(out);
}

function validate(bytes: Uint8Array, name: string): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  const r = spawnSync('wasm-validate', ['--enable-threads', p], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? 'valid' : r.stderr;
}

const f = (n: string): string => join(FIXTURES, n);

const CASES: { name: string; args: string[] }[] = [
  { name: 'threads: shared + imported memory', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', f('tls.o'), f('ctors.o'), f('fnptr.o')] },
  { name: 'threads: TLS helpers exported', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '--export=__wasm_init_tls', '--export=__tls_size', '--export=__tls_align', '--export=__tls_base', f('tls.o')] },
  { name: 'shared memory, exported memory, no max', args: ['--no-entry', '--shared-memory', f('tls.o'), f('fnptr.o')] },
  { name: 'non-shared TLS (fixed semantics, wasm-ld >= 20)', args: ['--no-entry', f('tls.o'), f('ctors.o')] },
  { name: 'non-shared, imported memory (bss by memory.fill)', args: ['--no-entry', '--import-memory', f('tls.o')] },
  { name: '--no-stack-first with --global-base', args: ['--no-entry', '--no-stack-first', '--global-base=2048', '-z', 'stack-size=32768', f('tls.o'), f('fnptr.o')] },
  { name: 'constructors + command-export wrappers', args: ['--no-entry', '--export=ctor_order', f('ctors.o')] },
  { name: 'constructors called by exported __wasm_call_ctors', args: ['--no-entry', '--export=__wasm_call_ctors', f('ctors.o')] },
  { name: 'weak symbols and weak-undefined stubs', args: ['--no-entry', f('weak.o'), f('strong.o')] },
  { name: 'weak definition kept when alone', args: ['--no-entry', f('weak.o')] },
  { name: 'C++ inline functions (COMDAT)', args: ['--no-entry', f('cpp_a.o'), f('cpp_b.o')] },
  { name: 'archive: lazy extraction, chained members', args: ['--no-entry', f('main_lib.o'), f('libfix.a')] },
  { name: 'archive without index', args: ['--no-entry', f('main_lib.o'), f('libfix_noindex.a')] },
  { name: 'archive with --whole-archive', args: ['--no-entry', f('main_lib.o'), '--whole-archive', f('libfix.a'), '--no-whole-archive'] },
  { name: 'exported data symbols and linker symbols', args: ['--no-entry', '--export=normal_global', '--export=tls_big', '--export=__heap_base', '--export=__data_end', '--export=__stack_pointer', f('tls.o')] },
  { name: 'initial memory and export-all', args: ['--no-entry', '--initial-memory=262144', '--export-all', f('tls.o'), f('fnptr.o')] },
  { name: 'legacy LLVM-13-style TLS object with shared memory', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', f('tls_legacy.o')] },
  { name: 'wasi-libc program', args: ['-L/usr/lib/wasm32-wasi', '/usr/lib/wasm32-wasi/crt1-command.o', f('hello.o'), '-lc'] },
];

t.test('wasmthreads and wasm-ld-22 agree', { skip: !haveWasmLd ? `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)` : false }, async (t) => {
  for (const c of CASES) {
    t.test(c.name, async (t) => {
      const ref = linkRef(c.args, join(tmp, 'ref.wasm'));
      const ours = linkOurs(c.args);
      if (haveValidate) {
        t.equal(validate(ref, 'ref.wasm'), 'valid', 'wasm-ld output validates');
        t.equal(validate(ours, 'ours.wasm'), 'valid', 'our output validates');
      }
      const a = summarize(ref);
      const b = summarize(ours);
      for (const k of Object.keys(a) as (keyof typeof a)[]) t.same(b[k], a[k], k);
    });
  }
});

t.test('linking twice gives identical bytes', async (t) => {
  const args = CASES[0].args;
  t.same(Buffer.from(linkOurs(args)), Buffer.from(linkOurs(args)));
});
