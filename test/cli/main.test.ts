import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/temp-dir.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err };
}

t.test('unknown command is a usage error', async (t) => {
  const c = capture();
  t.equal(await main(['frobnicate'], c.io), 2);
  t.match(c.err.join(''), /unknown command 'frobnicate'/);
});

t.test('--help lists the commands', async (t) => {
  const c = capture();
  t.equal(await main(['--help'], c.io), 0);
  t.match(c.out.join(''), /run/);
  t.match(c.out.join(''), /link/);
  t.match(c.out.join(''), /inspect/);
});

t.test('--help after a subcommand word or a file still shows the usage', async (t) => {
  for (const [argv, first] of [[['bench', 'tls', '--help'], /^usage: wasmthreads bench tls/], [['bench', 'tls', '-h'], /^usage: wasmthreads bench tls/], [['inspect', 'x.wasm', '--help'], /^usage: wasmthreads inspect/]] as const) {
    const c = capture();
    t.equal(await main([...argv], c.io), 0, argv.join(' '));
    t.match(c.out.join(''), first);
  }
});

t.test('--version reports package.json\'s version', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const c = capture();
  t.equal(await main(['--version'], c.io), 0);
  t.equal(c.out.join(''), `wasmthreads ${pkg.version}\n`);
  const l = capture();
  t.equal(await main(['link', '--version'], l.io), 0);
  // Meson and CMake tell linkers apart by "LLD" on the first line of `--version`.
  t.match(l.out.join(''), new RegExp(`^wasmthreads link ${pkg.version.replace(/\./g, '\\.')} \\(compatible with LLD 22 wasm-ld\\)\\n$`));
});

t.test('link -v prints the version and still links, as wasm-ld does; --version only prints it', async (t) => {
  const dir = tempDir('wasmthreads-cli-v-', t);
  const tls = new URL('../fixtures/c/tls.o', import.meta.url).pathname;
  for (const [flag, links] of [['-v', true], ['-V', true], ['--version', false]] as const) {
    const out = join(dir, `out${flag}.wasm`);
    const c = capture();
    t.equal(await main(['link', flag, '--no-entry', tls, '-o', out], c.io), 0, `${flag}: exit code`);
    t.match(c.out.join(''), /^wasmthreads link .*LLD/, `${flag}: version printed`);
    t.equal(existsSync(out), links, `${flag}: ${links ? 'output written' : 'nothing linked'}`);
  }
});

t.test('run: absurd or malformed numbers are one clear usage error each, before anything runs', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--max-threads', '1000000'], /--max-threads needs a decimal integer from 1 to 4096, got '1000000'/],
    [['--max-threads', '0'], /--max-threads needs a decimal integer from 1 to 4096/],
    [['--max-threads', '1e3'], /got '1e3'/],
    [['--max-threads', '0x10'], /got '0x10'/],
    [['--pool-size', '-1'], /--pool-size needs a decimal integer from 0 to 4096/],
    [['--stack-size', '12'], /--stack-size needs a decimal integer from 1024 to 1073741824/],
    [['--stack-size', '99999999999'], /--stack-size needs a decimal integer/],
    [['--max-host-memory', '5'], /--max-host-memory needs a size of at least 1MiB/],
    [['--max-host-memory', '2TB'], /--max-host-memory needs a size/],
  ];
  for (const [flags, message] of cases) {
    const c = capture();
    t.equal(await main(['run', ...flags, 'never-read.wasm'], c.io), 2, flags.join(' '));
    t.match(c.err.join(''), message);
    t.equal(c.err.join('').trim().split('\n').length, 1, 'one line');
  }
});

t.test('the library refuses the same limits with a clear error', async (t) => {
  const { run } = await import('../../src/host/run.js');
  await t.rejects(run({ module: new URL('../fixtures/wat/runtime/spawn.wasm', import.meta.url).pathname, maxThreads: 1_000_000 }), { message: /--max-threads must be an integer from 1 to 4096/ });
});

t.test('run and inspect: bad input is one clear line naming the file, never a stack trace', async (t) => {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = tempDir('wasmthreads-cli-');
  // A module importing a shared memory whose minimum (5 pages) is above its maximum (2).
  const minAboveMax = join(dir, 'min-above-max.wasm');
  writeFileSync(minAboveMax, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, 16, 1, 3, 0x65, 0x6e, 0x76, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2, 3, 5, 2]));
  const emscripten = new URL('../../benchmarks/runtime/emscripten/throughput.wasm', import.meta.url).pathname;
  const cases: [string[], number, RegExp][] = [
    [['run', dir], 1, /^wasmthreads: error: .*: cannot read module: is a directory, not a module\n$/],
    [['inspect', dir], 1, /^wasmthreads: error: .*: is a directory, not a module, object or archive\n$/],
    [['run', minAboveMax], 1, /^wasmthreads: error: .*min-above-max\.wasm: memory import env\.memory: its minimum \(5 pages\) is above its maximum \(2 pages\)\n$/],
    [['run', '--dir', '::/x', 'x.wasm'], 2, /--dir '::\/x' names no host directory/],
    [['run', '--dir', `${dir}::/a`, '--dir', `${dir}::/a/`, 'x.wasm'], 2, /--dir: the guest path '\/a\/' is given twice/],
    // A C object alone: its _start is in the libc's crt1-command.o, which run does not add.
    [['run', new URL('../fixtures/c/hello.o', import.meta.url).pathname], 1, /^wasmthreads: error: entry symbol not defined \(pass --no-entry to suppress\): _start\nhint: run links only the files given: add the startup object and the libc/],
  ];
  for (const [argv, code, message] of cases) {
    const c = capture();
    t.equal(await main(argv, c.io), code, argv.join(' '));
    t.match(c.err.join(''), message);
    t.notMatch(c.err.join(''), /internal error|\n\s+at /, 'no stack trace');
  }
  const { existsSync } = await import('node:fs');
  if (existsSync(emscripten)) {
    const c = capture();
    t.equal(await main(['run', emscripten], c.io), 1);
    t.match(c.err.join(''), /this is an emscripten module \(exports _emscripten_thread_init\): it runs only under the JavaScript emcc wrote beside it\nhint: run that file with node/);
  }
});

t.test('inspect -d of a body nested 200,000 blocks deep', async (t) => {
  const N = 200_000;
  const body = [0x00];
  for (let i = 0; i < N; i++) body.push(0x02, 0x40);
  for (let i = 0; i <= N; i++) body.push(0x0b);
  const leb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
  const section = (id: number, c: number[]): number[] => [id, ...leb(c.length), ...c];
  const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, [1, 0x60, 0, 0]), ...section(3, [1, 0]), ...section(10, [1, ...leb(body.length), ...body])];
  const { writeFileSync } = await import('node:fs');
  const file = `${tempDir('wasmthreads-deep-')}/deep.wasm`;
  writeFileSync(file, Buffer.from(bytes));
  const c = capture();
  t.equal(await main(['inspect', '-d', '--section', 'code', file], c.io), 0, c.err.join(''));
  const text = c.out.join('');
  t.match(text, /\[depth 199999\] block\n/, 'deep blocks say their depth');
  t.ok(text.length < 100_000_000, `bounded output (${text.length} bytes)`);
});

t.test('`wasmthreads app.wasm args` runs it, as `wasmtime app.wasm` does', async (t) => {
  const { runOptionsFromArgv } = await import('../../src/cli/run.js');
  t.same(runOptionsFromArgv(['app.wasm', 'a', 'b']).args, ['a', 'b']);
  const { spawnSync } = await import('node:child_process');
  const cli = new URL('../../bin/wasmthreads.js', import.meta.url).pathname;
  const spawnWasm = new URL('../fixtures/wat/runtime/spawn.wasm', import.meta.url).pathname;
  t.equal(spawnSync(process.execPath, [cli, spawnWasm], { timeout: 60_000 }).status, 22, 'wasmthreads MODULE');
  t.equal(spawnSync(process.execPath, [cli, '--max-threads', '4', spawnWasm], { timeout: 60_000 }).status, 22, 'wasmthreads --flag MODULE');
});
