// Differential test: the same real wasi-libc program (test/fixtures/wasi/files.wasm, built by
// build.sh from files.c) runs under our WASI and under Node's own `node:wasi`, each on its own
// copy of the same directory. Output, exit code and the files left behind must be identical.
// Single-threaded, so it runs in this process: our side gets a host whose memory is the
// module's exported memory (wasi-libc command modules export it).

import t from 'tap';
import { closeSync, cpSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { wasiImports, wasiSupervisorPlugin } from '../../src/wasi/index.js';
import { FakeExit } from './fake-host.js';
import type { ThreadHost } from '../../src/shared/host-plugin.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURE = new URL('../fixtures/wasi/files.wasm', import.meta.url);
const ARGS = ['files.wasm', 'héllo', 'wörld ✓'];
const ENV: [string, string][] = [['GREETING', 'grüß dich']];

function template(): string {
  const root = tempDir('wasi-diff-');
  const dir = join(root, 'template');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'input.txt'), 'line one\nligne deux é\n');
  writeFileSync(join(dir, 'old-name.txt'), 'moving\n');
  writeFileSync(join(dir, 'delete-me.txt'), 'bye\n');
  writeFileSync(join(root, 'escape.txt'), 'outside\n');
  return dir;
}

/** Every file below `dir` with its content, for comparing trees. */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, { [`${prefix}${name}/`]: '' }, snapshot(p, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = readFileSync(p, 'utf8');
  }
  return out;
}

interface Outcome { code: number; stdout: string; stderr: string; files: Record<string, string> }

async function runOurs(module: WebAssembly.Module, dir: string, scratch: string): Promise<Outcome> {
  const outFd = openSync(join(scratch, 'ours.out'), 'w');
  const errFd = openSync(join(scratch, 'ours.err'), 'w');
  let instance: WebAssembly.Instance | undefined;
  const host: ThreadHost = {
    tid: 0,
    get memory() { return instance!.exports.memory as WebAssembly.Memory; },
    exit(code: number): never { throw new FakeExit(code); },
    exiting: () => false,
    sleep(ms: number) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); return true; },
    callSupervisor() { throw new Error('no stdin in this test'); },
  };
  const { shared } = wasiSupervisorPlugin({ args: ARGS, env: ENV, preopens: [{ host: dir, guest: '.' }], stdio: [0, outFd, errFd] }).setup(new WebAssembly.Memory({ initial: 1 }));
  instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasiImports(shared, host) });
  let code = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (err) {
    if (!(err instanceof FakeExit)) throw err;
    code = err.code;
  }
  closeSync(outFd);
  closeSync(errFd);
  return { code, stdout: readFileSync(join(scratch, 'ours.out'), 'utf8'), stderr: readFileSync(join(scratch, 'ours.err'), 'utf8'), files: snapshot(dir) };
}

async function runNode(module: WebAssembly.Module, dir: string, scratch: string): Promise<Outcome> {
  const outFd = openSync(join(scratch, 'node.out'), 'w');
  const errFd = openSync(join(scratch, 'node.err'), 'w');
  const wasi = new WASI({ version: 'preview1', args: ARGS, env: Object.fromEntries(ENV), preopens: { '.': dir }, stdout: outFd, stderr: errFd, returnOnExit: true });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  const code = wasi.start(instance);
  closeSync(outFd);
  closeSync(errFd);
  return { code, stdout: readFileSync(join(scratch, 'node.out'), 'utf8'), stderr: readFileSync(join(scratch, 'node.err'), 'utf8'), files: snapshot(dir) };
}

t.test('files.wasm behaves the same under our WASI and node:wasi', async (t) => {
  const module = await WebAssembly.compile(readFileSync(FIXTURE));
  const tpl = template();
  const scratch = tempDir('wasi-diff-out-');
  const oursDir = join(tpl, '..', 'ours');
  const nodeDir = join(tpl, '..', 'node');
  cpSync(tpl, oursDir, { recursive: true });
  cpSync(tpl, nodeDir, { recursive: true });
  const ours = await runOurs(module, oursDir, scratch);
  const node = await runNode(module, nodeDir, scratch);
  t.equal(ours.code, 7);
  t.equal(ours.code, node.code, 'same exit code');
  // Deliberate difference: node:wasi (uvwasi) may return from a 20 ms nanosleep early; we never do.
  const sleepLine = /^nanosleep 20ms: .*$/m;
  t.comment(`node:wasi: ${node.stdout.match(sleepLine)?.[0]}`);
  t.equal(ours.stdout.replace(sleepLine, ''), node.stdout.replace(sleepLine, ''), 'same stdout (but for the sleep check)');
  t.equal(ours.stderr, node.stderr, 'same stderr');
  t.same(ours.files, node.files, 'same files afterwards');
  t.match(ours.stdout, /argv\[2\]=wörld ✓ \(10 bytes\)/, 'argument lengths are UTF-8 bytes');
  t.match(ours.stdout, /GREETING=grüß dich/);
  t.match(ours.stdout, /nanosleep 20ms: ok/);
  t.match(ours.stdout, /getentropy: 0 nonzero/);
  t.match(ours.stdout, /^\.: input\.txt output\.txt sub$/m, 'readdir after rename and unlink');
  t.equal(ours.files['sub/new-name.txt'], 'moving\n', 'rename moved the file');
  t.equal(ours.files['delete-me.txt'], undefined, 'unlink removed the file');
});
