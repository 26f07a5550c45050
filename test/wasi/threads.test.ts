// Threaded WASI fixtures run through the real CLI (`npm run build` first; `npm test` does it):
// two threads sharing one fd, eight threads printing 10 000 lines each into a slow pipe, a thread
// sleeping in poll_oneoff while another exits, a thread blocked reading stdin while another exits.
// Sources and the build commands: test/fixtures/wasi/*.wat, build.sh.

import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin', 'wasmthreads.js');
const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'wasi', `${name}.wasm`);
const built = existsSync(join(ROOT, 'dist', 'cli.js')) && existsSync(join(ROOT, 'dist', 'thread-worker.js'));
const TIMEOUT_MS = 60_000;

interface Ran { code: number | null; stdout: string; stderr: string; ms: number }

/** Runs the CLI; `slowReaderMs` delays reading stdout so the pipe fills up; stdin stays open. */
function runCli(args: string[], slowReaderMs = 0): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timed out: ${args.join(' ')}`)); }, TIMEOUT_MS);
    if (slowReaderMs > 0) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), slowReaderMs);
    }
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: Date.now() - start });
    });
  });
}

t.test('threaded WASI fixtures', { skip: built ? false : 'dist/ not built: run `npm run build` (npm test does)' }, async (t) => {
  t.test('two threads share one fd', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'wasi-shared-fd-'));
    writeFileSync(join(dir, 'data.txt'), '0123456789');
    const r = await runCli(['--dir', `${dir}::.`, fixture('shared-fd')]);
    t.equal(r.stdout, '0123456', 'main read 0123, the thread continued at the shared offset');
    t.equal(r.code, 8, 'after the thread closed it, the fd is EBADF (8) for main too');
  });

  t.test('eight threads × 10 000 lines into a slow pipe', async (t) => {
    const r = await runCli([fixture('print8')], 1000);
    t.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    t.equal(lines.pop(), '', 'ends with a newline');
    t.equal(lines.length, 80_000, 'no line lost');
    t.equal(lines.filter((l) => !/^t[0-7] \d{5}$/.test(l)).length, 0, 'every line intact');
    for (let k = 0; k < 8; k++) {
      const seq = lines.filter((l) => l.startsWith(`t${k} `)).map((l) => Number(l.slice(3)));
      t.ok(seq.length === 10_000 && seq.every((n, i) => n === i), `thread ${k}: all lines in order`);
    }
  });

  t.test('a thread sleeping in poll_oneoff does not hold up proc_exit', async (t) => {
    const r = await runCli([fixture('sleep-exit')]);
    t.equal(r.code, 3);
    t.ok(r.ms < 15_000, `ended in ${r.ms} ms while the other thread sleeps 30 s`);
  });

  t.test('a thread blocked reading stdin does not hold up proc_exit', async (t) => {
    const r = await runCli([fixture('stdin-exit')]);
    t.equal(r.code, 4);
    t.ok(r.ms < 15_000, `ended in ${r.ms} ms with stdin still open`);
  });
});
