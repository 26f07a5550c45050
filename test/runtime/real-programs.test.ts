// Real programs nobody here wrote, built from their own sources against a threaded wasi-libc,
// linked by wasm-ld-22 and by `wasmthreads link` (the two files must be the same bytes), and run:
// - zlib's own test programs (example, infcover: inflate's every error path);
// - pigz, Mark Adler's parallel gzip: pthreads (a pool of compression threads, its own locks and
//   condition variables in yarn.c), setjmp/longjmp for its errors (wasm exception handling,
//   wasi-libc's libsetjmp) and zlib. It compresses with 4 threads what the system's gzip must
//   decompress to the same bytes, and decompresses its own output;
// - zstd's command line built with ZSTD_MULTITHREAD (its own thread pool of pthreads): -T4
//   compression that the system's zstd must decompress, and its own decompression of both.
//
// Nothing of them is committed. Point WASI_SYSROOT at a wasm32-wasip1-threads sysroot (as for
// wasi-libc-pthreads.test.ts), ZLIB_SRC at a zlib source tree (github.com/madler/zlib),
// PIGZ_SRC at a pigz source tree (github.com/madler/pigz) and ZSTD_SRC at a zstd one
// (github.com/facebook/zstd); without them the tests skip and say so.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ROOT, runCli } from './run-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const SYSROOT = process.env.WASI_SYSROOT;
const ZLIB = process.env.ZLIB_SRC;
const PIGZ = process.env.PIGZ_SRC;
const ZSTD = process.env.ZSTD_SRC;
const CC = process.env.CC ?? 'clang-22';
const LIB = SYSROOT ? join(SYSROOT, 'lib', 'wasm32-wasip1-threads') : '';
const BUILTINS = '/usr/lib/llvm-22/lib/clang/22/lib/wasi/libclang_rt.builtins-wasm32.a';
const BUILD_MS = 600_000;

const missing = [
  !SYSROOT || !existsSync(join(LIB, 'libc.a')) ? 'WASI_SYSROOT (a wasm32-wasip1-threads sysroot)' : '',
  !ZLIB || !existsSync(join(ZLIB ?? '', 'zlib.h')) ? 'ZLIB_SRC (a zlib source tree)' : '',
  !existsSync(BUILTINS) ? BUILTINS : '',
].filter(Boolean);

function sh(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: BUILD_MS });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.signal ?? r.status}): ${(r.stderr ?? '').slice(-2000)}`);
}

/** Compiles `sources` (paths) into `dir`, returning the objects. */
function compile(dir: string, sources: string[], flags: string[]): string[] {
  return sources.map((src) => {
    const obj = join(dir, src.split('/').pop()!.replace(/\.c$/, '.o'));
    sh(CC, ['--target=wasm32-wasip1-threads', `--sysroot=${SYSROOT}`, '-pthread', '-O2', ...flags, '-c', src, '-o', obj], dir);
    return obj;
  });
}

/** Links with both linkers; returns our output's path once both agree byte for byte. */
function linkBoth(t: Test, dir: string, name: string, args: string[]): string {
  const ref = join(dir, 'ref', `${name}.wasm`);
  const ours = join(dir, 'ours', `${name}.wasm`);
  mkdirSync(join(dir, 'ref'), { recursive: true });
  mkdirSync(join(dir, 'ours'), { recursive: true });
  sh('wasm-ld-22', [...args, '-o', ref], dir);
  sh(process.execPath, [join(ROOT, 'bin/wasmthreads.js'), 'link', ...args, '-o', ours], dir);
  t.ok(readFileSync(ours).equals(readFileSync(ref)), `${name}: the same bytes as wasm-ld-22`);
  return ours;
}

const LINK = ['-z', 'stack-size=1048576', '--shared-memory', '--import-memory', '--export-memory', '--max-memory=1073741824'];

/** Text that compresses like source code, from a fixed seed: `lines` lines. */
function sampleText(lines: number): string {
  let seed = 12345;
  const words = ['thread', 'memory', 'atomic', 'wait', 'notify', 'spawn', 'join', 'worker', 'futex', 'table', 'export', 'import'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out.push(`${i}: ${words[seed % words.length]} ${words[(seed >>> 8) % words.length]} ${(seed >>> 4).toString(16)}`);
  }
  return out.join('\n') + '\n';
}

if (missing.length > 0) {
  t.comment(`skipped: set ${missing.join(', ')} to build and run zlib (and PIGZ_SRC, ZSTD_SRC for pigz and zstd)`);
  t.pass('real programs skipped');
} else {
  const dir = tempDir('wasmthreads-real-', t);
  const zlibSources = ['adler32', 'compress', 'crc32', 'deflate', 'gzclose', 'gzlib', 'gzread', 'gzwrite', 'infback', 'inffast', 'inflate', 'inftrees', 'trees', 'uncompr', 'zutil'].map((f) => join(ZLIB!, `${f}.c`));
  const zflags = ['-D_LARGEFILE64_SOURCE=1', '-DHAVE_UNISTD_H', `-I${ZLIB}`];
  const libz = join(dir, 'libz.a');
  sh('llvm-ar-22', ['rcs', libz, ...compile(dir, zlibSources, zflags)], dir);
  const crt = join(LIB, 'crt1-command.o');

  t.test('zlib: example and infcover, linked by both linkers, pass', async (t) => {
    for (const prog of ['example', 'infcover']) {
      const [obj] = compile(dir, [join(ZLIB!, 'test', `${prog}.c`)], zflags);
      const wasm = linkBoth(t, dir, prog, [...LINK, crt, obj, libz, `-L${LIB}`, '-lc', BUILTINS]);
      const r = await runCli(['run', '--dir', `${dir}::.`, wasm]);
      t.equal(r.code, 0, `${prog} exits 0${r.stderr ? `: ${r.stderr.slice(0, 1000)}` : ''}`);
      if (prog === 'example') t.match(r.stdout.toString(), /large_inflate\(\): OK\n[^]*inflate with dictionary: hello, hello!\n$/);
    }
  });

  t.test('pigz: 4 threads compress what gzip decompresses, and back', { skip: !PIGZ || !existsSync(join(PIGZ, 'pigz.c')) ? 'set PIGZ_SRC to a pigz source tree' : false }, async (t) => {
    const zopfli = join(PIGZ!, 'zopfli/src/zopfli');
    const sources = [join(PIGZ!, 'pigz.c'), join(PIGZ!, 'yarn.c'), join(PIGZ!, 'try.c'),
      ...readdirSync(zopfli).filter((f) => f.endsWith('.c') && !f.startsWith('zopfli_')).map((f) => join(zopfli, f))];
    // try.c's setjmp/longjmp need wasm exception handling; WASI has no chown or signals.
    const objs = compile(dir, sources, [`-I${ZLIB}`, '-mllvm', '-wasm-enable-sjlj', '-mexception-handling', '-D_WASI_EMULATED_SIGNAL',
      '-D_WASI_EMULATED_PROCESS_CLOCKS', '-Dchown(a,b,c)=0']);
    const wasm = linkBoth(t, dir, 'pigz', [...LINK, crt, ...objs, libz, `-L${LIB}`, '-lc', '-lsetjmp', '-lwasi-emulated-signal', '-lwasi-emulated-process-clocks', BUILTINS]);
    const text = sampleText(200_000);
    writeFileSync(join(dir, 'input.txt'), text);
    const c = await runCli(['run', '--dir', `${dir}::.`, wasm, '-p', '4', '-b', '64', '-k', 'input.txt'], 180_000);
    t.equal(c.code, 0, `pigz -p 4 exits 0${c.stderr ? `: ${c.stderr.slice(0, 1000)}` : ''}`);
    const gunzip = spawnSync('gzip', ['-dc', join(dir, 'input.txt.gz')], { maxBuffer: 1 << 26 });
    t.equal(gunzip.status, 0, 'gzip reads it');
    t.ok(gunzip.stdout.equals(Buffer.from(text)), `gzip -d gives back the ${text.length} bytes`);
    const d = await runCli(['run', '--dir', `${dir}::.`, wasm, '-d', '-c', 'input.txt.gz'], 180_000);
    t.equal(d.code, 0, 'pigz -d exits 0');
    t.ok(d.stdout.equals(Buffer.from(text)), 'pigz -d gives back the same bytes');
    const bad = await runCli(['run', '--dir', `${dir}::.`, wasm, '-d', '-c', 'missing.gz']);
    t.equal(bad.code, 1, 'a missing file: pigz reports it (through its longjmp error path) and exits 1');
    t.match(bad.stderr, /missing\.gz does not exist/);
  });

  t.test('zstd: -T4 compresses what the system\'s zstd decompresses, and back', { skip: !ZSTD || !existsSync(join(ZSTD, 'lib/zstd.h')) ? 'set ZSTD_SRC to a zstd source tree' : false }, async (t) => {
    const files = (sub: string): string[] => readdirSync(join(ZSTD!, sub)).filter((f) => f.endsWith('.c')).map((f) => join(ZSTD!, sub, f));
    const programs = ['zstdcli', 'fileio', 'fileio_asyncio', 'util', 'timefn', 'datagen', 'lorem', 'benchfn', 'zstdcli_trace'].map((f) => join(ZSTD!, 'programs', `${f}.c`));
    // The command line without its benchmark, dictionary builder and tracing; WASI has no chown.
    const objs = compile(dir, [...files('lib/common'), ...files('lib/compress'), ...files('lib/decompress'), ...programs], ['-DZSTD_MULTITHREAD', '-DZSTD_DISABLE_ASM',
      '-DZSTD_NOBENCH', '-DZSTD_NODICT', '-DZSTD_NOTRACE', '-DBACKTRACE_ENABLE=0', '-D_WASI_EMULATED_SIGNAL', '-D_WASI_EMULATED_PROCESS_CLOCKS', '-D_WASI_EMULATED_GETPID',
      `-I${ZSTD}/lib`, `-I${ZSTD}/lib/common`, '-include', 'stdio.h', '-Dchown(a,b,c)=0']);
    const wasm = linkBoth(t, dir, 'zstd', [...LINK, crt, ...objs, `-L${LIB}`, '-lc', '-lwasi-emulated-signal', '-lwasi-emulated-process-clocks', '-lwasi-emulated-getpid', BUILTINS]);
    const text = sampleText(200_000);
    writeFileSync(join(dir, 'plain.txt'), text);
    const c = await runCli(['run', '--dir', `${dir}::.`, wasm, '-T4', '-q', '-f', 'plain.txt', '-o', 'plain.zst'], 180_000);
    t.equal(c.code, 0, `zstd -T4 exits 0${c.stderr ? `: ${c.stderr.slice(0, 1000)}` : ''}`);
    const sys = spawnSync('zstd', ['-dc', join(dir, 'plain.zst')], { maxBuffer: 1 << 26 });
    if (sys.error) t.comment('no zstd on this machine: its check skipped');
    else t.ok(sys.status === 0 && sys.stdout.equals(Buffer.from(text)), 'the system\'s zstd gives back the same bytes');
    const d = await runCli(['run', '--dir', `${dir}::.`, wasm, '-d', '-c', 'plain.zst'], 180_000);
    t.equal(d.code, 0, 'zstd -d exits 0');
    t.ok(d.stdout.equals(Buffer.from(text)), 'zstd -d gives back the same bytes');
  });
}
