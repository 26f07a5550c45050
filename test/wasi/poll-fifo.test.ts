// poll_oneoff on fds the supervisor serves, and FIFOs opened by path_open, end to end through the
// CLI with a real wasi-libc program (test/fixtures/wasi/poll-read.c: poll(2) with a timeout, then
// read until end of file) and a threaded WAT fixture (poll-exit.wat: exit while threads wait in
// poll_oneoff and fd_read on stdin and a FIFO).

import t from 'tap';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture, notBuilt, runCli } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const POLL_READ = fixture('poll-read.wasm');
/** How long a test's FIFO writer looks for the guest's reader before giving up. */
const WRITER_DEADLINE_MS = 20_000;
const EXIT_BOUND_MS = 30_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function fifoDir(): string {
  const dir = tempDir('wasi-fifo-');
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  return dir;
}

/** Opens the FIFO for writing once the guest has opened it for reading (never blocks Node). */
async function openWriter(path: string): Promise<number> {
  const end = Date.now() + WRITER_DEADLINE_MS;
  for (;;) {
    try {
      return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENXIO' || Date.now() > end) throw err;
      await sleep(10);
    }
  }
}

/** Writes `chunks` into the FIFO `delayMs` apart, then closes it (end of file for the reader). */
async function feedFifo(path: string, chunks: string[], delayMs: number): Promise<void> {
  const fd = await openWriter(path);
  for (const c of chunks) {
    await sleep(delayMs);
    writeSync(fd, c);
  }
  closeSync(fd);
}

t.test('poll_oneoff and FIFOs', { skip: notBuilt }, async (t) => {
  t.test('stdin: a pipe that gets data after a delay', async (t) => {
    const r = await runCli([POLL_READ, '5000'], {
      stdin: (s) => { setTimeout(() => s.write('hello\n'), 300); setTimeout(() => s.end('world\n'), 600); },
    });
    t.equal(r.code, 0, r.stderr);
    // The program may start after one of the writes (start-up is slow on a loaded machine), so
    // the two lines can arrive in one read: compare what was read, then the end of file.
    const reads = [...r.stdout.matchAll(/read (\d+): ([^]*?)\n(?=read|eof)/g)];
    t.equal(reads.map((m) => m[2]).join(''), 'hello\nworld\n', r.stdout);
    t.ok(reads.every((m) => Number(m[1]) === Buffer.byteLength(m[2]!)), 'byte counts match');
    t.match(r.stdout, /\neof\n$/);
  });

  t.test('stdin: the timeout expires first', async (t) => {
    // stdin stays an open pipe that never gets data: only the timeout can end the poll.
    const r = await runCli([POLL_READ, '300']);
    t.equal(r.code, 2, r.stderr);
    t.equal(r.stdout, 'timeout after >= 300 ms: yes\n', 'never before the timeout');
  });

  t.test('a FIFO opened by path_open, written after a delay', async (t) => {
    const dir = fifoDir();
    const [r] = await Promise.all([
      runCli(['--dir', `${dir}::/data`, POLL_READ, '5000', '/data/fifo']),
      feedFifo(join(dir, 'fifo'), ['one\n', 'two\n'], 200),
    ]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, 'read 4: one\n\nread 4: two\n\neof\n', 'data as it came, then end of file when the writer closed');
  });

  t.test('a FIFO nobody writes: the timeout expires', async (t) => {
    const dir = fifoDir();
    const r = await runCli(['--dir', `${dir}::/data`, POLL_READ, '300', '/data/fifo']);
    t.equal(r.code, 2, r.stderr);
    t.equal(r.stdout, 'timeout after >= 300 ms: yes\n', 'no writer yet is not end of file');
  });

  t.test('exit while threads wait in poll_oneoff and fd_read on stdin and a FIFO', async (t) => {
    const dir = fifoDir();
    const r = await runCli(['--dir', `${dir}::.`, fixture('poll-exit.wasm')]);
    t.equal(r.code, 6, `proc_exit(6) from main; ${r.stderr}`);
    // Without the fix the run never ends (stdin stays open, the FIFO is never written); the bound
    // is loose because start-up alone takes seconds on a loaded 2-core machine.
    t.ok(r.ms < EXIT_BOUND_MS, `ended in ${r.ms} ms with stdin open and the FIFO never written`);
  });
});
