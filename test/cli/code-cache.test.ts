// `wasmthreads link` loads the linker's bundle with V8's code cache kept on disk
// (bin/code-cache.js): made after a link that wrote its output, used by the next process, and
// replaced when V8 rejects it or the bundle changed. A cache that V8 accepts is never rewritten, so
// a cache file left as it was after a successful link is one that was used. Run on each supported
// Node by scripts/node-versions.mjs: what V8 accepts is its own.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/wasmthreads.js');
const INPUTS = join(ROOT, 'test/link/spec/inputs');
const LINK_ARGS = ['--no-entry', '--export-all', '--allow-undefined', join(INPUTS, 'names.o'), join(INPUTS, 'names-import.o')];
/** Generous for a loaded 2-core box: each link takes well under a second alone. */
const LINK_TIMEOUT_MS = 120_000;
const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
const CACHE_DIR_NAME = uid === undefined ? 'wasmthreads-code-cache' : `wasmthreads-code-cache-${uid}`;
const { cacheFileName } = createRequire(import.meta.url)('../../bin/code-cache.js') as { cacheFileName(file: string): string };
const CACHE_FILE_NAME = cacheFileName(join(ROOT, 'dist/link-cli.cjs'));

/**
 * Where a link writes its output: out.wasm in a directory of its own, since the output's file
 * name is in its name section (as wasm-ld writes it).
 */
function outPath(tmp: string, tag: string): string {
  mkdirSync(join(tmp, tag), { recursive: true });
  return join(tmp, tag, 'out.wasm');
}

function env(tmp: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, ...extra };
  if (!('NODE_DISABLE_COMPILE_CACHE' in extra)) delete e.NODE_DISABLE_COMPILE_CACHE;
  return e;
}

/** Runs `wasmthreads link ARGS -o OUT` with TMPDIR=tmp; returns the exit status and the output's bytes. */
function link(t: { fail(message: string): void }, tmp: string, out: string, args: string[] = LINK_ARGS, extra: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string; bytes?: Buffer } {
  const r = spawnSync(process.execPath, [CLI, 'link', ...args, '-o', out], { encoding: 'utf8', timeout: LINK_TIMEOUT_MS, env: env(tmp, extra) });
  if (r.error) t.fail(`the link did not finish within ${LINK_TIMEOUT_MS} ms (${r.error.message})`);
  return { status: r.status, stderr: r.stderr, bytes: existsSync(out) ? readFileSync(out) : undefined };
}

/** The cache file's bytes and change time, or undefined when there is none. */
function cacheState(tmp: string): { bytes: Buffer; ctime: bigint } | undefined {
  const file = join(tmp, CACHE_DIR_NAME, CACHE_FILE_NAME);
  if (!existsSync(file)) return undefined;
  return { bytes: readFileSync(file), ctime: statSync(file, { bigint: true }).ctimeNs };
}

t.test('a link makes the cache; the next link uses it and gives the same bytes', async (t) => {
  const tmp = tempDir('code-cache-', t);
  t.equal(spawnSync(process.execPath, [CLI, 'link', '--version'], { env: env(tmp), timeout: LINK_TIMEOUT_MS }).status, 0, 'link --version');
  t.equal(cacheState(tmp), undefined, '--version, which compiles almost nothing, caches nothing');

  const first = link(t, tmp, outPath(tmp, 'first'));
  t.equal(first.status, 0, `first link: ${first.stderr}`);
  const made = cacheState(tmp);
  t.ok(made, 'the first link made the cache');
  if (!made) return;
  t.equal(made.bytes.subarray(0, made.bytes.indexOf(10)).toString('latin1').split(' ')[0], process.version, "the key line names this Node");
  const dir = statSync(join(tmp, CACHE_DIR_NAME));
  t.equal(dir.mode & 0o777, 0o700, 'the directory is private');
  t.equal(statSync(join(tmp, CACHE_DIR_NAME, CACHE_FILE_NAME)).mode & 0o777, 0o600, 'the file is private');

  const second = link(t, tmp, outPath(tmp, 'second'));
  t.equal(second.status, 0, `second link: ${second.stderr}`);
  t.ok(second.bytes?.equals(first.bytes!), 'the same output with the cached code');
  const after = cacheState(tmp);
  t.same(after?.ctime, made.ctime, 'V8 accepted the cache: it was not rewritten');
  t.ok(after?.bytes.equals(made.bytes), 'its bytes are as made');
});

t.test('a stale or rejected cache is compiled from source and replaced', async (t) => {
  const tmp = tempDir('code-cache-', t);
  const reference = link(t, tmp, outPath(tmp, 'reference'));
  t.equal(reference.status, 0, reference.stderr);
  const good = cacheState(tmp)!.bytes;
  const newline = good.indexOf(10);
  const file = join(tmp, CACHE_DIR_NAME, CACHE_FILE_NAME);
  const damaged: Array<[string, Buffer]> = [
    // The key of another build of the bundle (another change time): never handed to V8.
    ['another key', Buffer.concat([Buffer.from(`${good.toString('latin1', 0, newline)}1\n`, 'latin1'), good.subarray(newline + 1)])],
    // V8 checks its data's length and header: these are rejected by V8 itself.
    ['V8 data cut short', good.subarray(0, newline + 1 + Math.floor((good.length - newline) / 2))],
    ['no V8 data', good.subarray(0, newline + 1)],
    ['a header from another V8', Buffer.concat([good.subarray(0, newline + 1), Buffer.alloc(64, 0x5a), good.subarray(newline + 65)])],
    ['no key line', Buffer.from('not a cache')],
  ];
  for (const [what, bytes] of damaged) {
    writeFileSync(file, bytes);
    const r = link(t, tmp, outPath(tmp, 'out'));
    t.equal(r.status, 0, `${what}: ${r.stderr}`);
    t.ok(r.bytes?.equals(reference.bytes!), `${what}: the same output`);
    const replaced = cacheState(tmp)?.bytes;
    t.ok(replaced && !replaced.equals(bytes), `${what}: the file was replaced`);
    t.ok(replaced?.subarray(0, newline + 1).equals(good.subarray(0, newline + 1)), `${what}: under the right key`);
    t.ok(replaced && replaced.length > newline + 1 + (good.length - newline) / 2, `${what}: with the compiled code (${replaced?.length} bytes; the first cache ${good.length})`);
    const again = cacheState(tmp)!;
    t.equal(link(t, tmp, outPath(tmp, 'out')).status, 0, `${what}: the link after`);
    t.same(cacheState(tmp)?.ctime, again.ctime, `${what}: the replacement is accepted`);
  }
});

t.test('no cache is made when it could not be used', async (t) => {
  const cases: Array<[string, string[], NodeJS.ProcessEnv, number]> = [
    ['NODE_DISABLE_COMPILE_CACHE is set', LINK_ARGS, { NODE_DISABLE_COMPILE_CACHE: '1' }, 0],
    // TurboFan is turned back on for the XXH3 loop: code cached under other flags is rejected.
    ['--build-id=fast changed the V8 flags', [...LINK_ARGS, '--build-id=fast'], {}, 0],
    ['the link failed', ['--entry=no_such_function', join(INPUTS, 'names.o')], {}, 1],
  ];
  for (const [what, args, extra, status] of cases) {
    const tmp = tempDir('code-cache-', t);
    const r = link(t, tmp, outPath(tmp, 'out'), args, extra);
    t.equal(r.status, status, `${what}: exit status; ${r.stderr}`);
    t.equal(cacheState(tmp), undefined, `${what}: no cache`);
  }
});

t.test('a TMPDIR where no cache can be made: the link runs without one', async (t) => {
  const out = outPath(tempDir('code-cache-', t), 'out');
  const reference = link(t, tempDir('code-cache-', t), out);
  for (const tmp of ['/proc', '/dev/null', '/nonexistent/directory']) {
    const r = link(t, tmp, out);
    t.equal(r.status, 0, `TMPDIR=${tmp}: ${r.stderr}`);
    t.equal(r.stderr, '', `TMPDIR=${tmp}: nothing said`);
    t.ok(r.bytes?.equals(reference.bytes!), `TMPDIR=${tmp}: the same output`);
  }
});

t.test('a cache directory others could write is not used', async (t) => {
  const tmp = tempDir('code-cache-', t);
  const dir = join(tmp, CACHE_DIR_NAME);
  t.equal(link(t, tmp, outPath(tmp, 'a')).status, 0);
  const made = cacheState(tmp)!;
  chmodSync(dir, 0o777);
  // A cache planted where anyone could have written it: its key is right, but it must not be read.
  writeFileSync(join(dir, CACHE_FILE_NAME), Buffer.concat([made.bytes.subarray(0, made.bytes.indexOf(10) + 1), Buffer.from('planted')]));
  const before = cacheState(tmp)!;
  const r = link(t, tmp, outPath(tmp, 'b'));
  t.equal(r.status, 0, r.stderr);
  t.same(cacheState(tmp)?.ctime, before.ctime, 'a world-writable directory: neither read nor replaced');
  if (uid === 0) {
    chmodSync(dir, 0o700);
    chownSync(dir, 12345, 12345);
    const r = link(t, tmp, outPath(tmp, 'c'));
    t.equal(r.status, 0, r.stderr);
    t.same(cacheState(tmp)?.ctime, before.ctime, "another user's directory: neither read nor replaced");
  }
  t.same(readdirSync(dir).sort(), [CACHE_FILE_NAME], 'no file left behind');
});

t.test('links racing to make the cache all succeed and leave one whole cache', async (t) => {
  const tmp = tempDir('code-cache-', t);
  const outs = [0, 1, 2, 3].map((i) => outPath(tmp, `race${i}`));
  const codes = await Promise.all(
    outs.map(
      (out) =>
        new Promise<number | null>((resolve) => {
          const p = spawn(process.execPath, [CLI, 'link', ...LINK_ARGS, '-o', out], { env: env(tmp), stdio: 'ignore' });
          const timer = setTimeout(() => p.kill(), LINK_TIMEOUT_MS);
          p.on('exit', (code) => {
            clearTimeout(timer);
            resolve(code);
          });
        }),
    ),
  );
  t.same(codes, [0, 0, 0, 0], `every link exited 0 (null: killed after ${LINK_TIMEOUT_MS} ms)`);
  const bytes = outs.map((o) => readFileSync(o));
  t.ok(bytes.every((b) => b.equals(bytes[0])), 'the same output from each');
  t.same(readdirSync(join(tmp, CACHE_DIR_NAME)), [CACHE_FILE_NAME], 'one cache file, no temporary left');
  const made = cacheState(tmp)!;
  t.equal(link(t, tmp, outPath(tmp, 'after')).status, 0);
  t.same(cacheState(tmp)?.ctime, made.ctime, 'and the next link accepts it');
});

t.test('two installs keep a cache each, and do not replace each other\'s', async (t) => {
  const tmp = tempDir('code-cache-', t);
  // A second copy of what `link` loads, as another project's node_modules/wasmthreads would hold it.
  const other = join(tmp, 'other-install');
  for (const f of ['bin/wasmthreads.js', 'bin/start.js', 'bin/code-cache.js', 'bin/package.json', 'dist/link-cli.cjs', 'dist/itanium-demangle.wasm']) {
    cpSync(join(ROOT, f), join(other, f));
  }
  const linkWith = (cli: string, out: string) =>
    spawnSync(process.execPath, [cli, 'link', ...LINK_ARGS, '-o', out], { encoding: 'utf8', timeout: LINK_TIMEOUT_MS, env: env(tmp) });
  const first = [linkWith(CLI, outPath(tmp, 'a')), linkWith(join(other, 'bin/wasmthreads.js'), outPath(tmp, 'b'))];
  t.same(first.map((r) => r.status), [0, 0], first.map((r) => r.stderr).join(''));
  const dir = join(tmp, CACHE_DIR_NAME);
  const files = readdirSync(dir).sort();
  t.same(files, [CACHE_FILE_NAME, cacheFileName(join(other, 'dist/link-cli.cjs'))].sort(), 'a cache file for each');
  const ctimes = files.map((f) => statSync(join(dir, f), { bigint: true }).ctimeNs);
  const again = [linkWith(CLI, outPath(tmp, 'a')), linkWith(join(other, 'bin/wasmthreads.js'), outPath(tmp, 'b'))];
  t.same(again.map((r) => r.status), [0, 0], again.map((r) => r.stderr).join(''));
  t.same(files.map((f) => statSync(join(dir, f), { bigint: true }).ctimeNs), ctimes, 'each accepted by its own install on the next link');
});
