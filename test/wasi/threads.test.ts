// Threaded WASI fixtures run through the real CLI (`npm run build` first; `npm test` does it):
// two threads sharing one fd, eight threads printing 10 000 lines each into a slow pipe, a thread
// sleeping in poll_oneoff while another exits, a thread blocked reading stdin while another exits,
// and an fd closed by another thread than the one that opened it.
// Sources and the build commands: test/fixtures/wasi/*.wat, build.sh.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture as fixtureFile, notBuilt, runCli } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const fixture = (name: string): string => fixtureFile(`${name}.wasm`);

t.test('threaded WASI fixtures', { skip: notBuilt }, async (t) => {
  t.test('two threads share one fd', async (t) => {
    const dir = tempDir('wasi-shared-fd-');
    writeFileSync(join(dir, 'data.txt'), '0123456789');
    const r = await runCli(['--dir', `${dir}::.`, fixture('shared-fd')]);
    t.equal(r.stdout, '0123456', 'main read 0123, the thread continued at the shared offset');
    t.equal(r.code, 8, 'after the thread closed it, the fd is EBADF (8) for main too');
  });

  t.test('an fd closed by another thread is not closed again when its opener exits', async (t) => {
    // Node closes the raw fds a worker opened when that worker exits, unless told not to; with one
    // fd table for all threads that closed a reused number (a booting worker's event-loop fd) and
    // aborted the process. The race needs CPU contention: each run has a second program beside it.
    const RUNS = 10;
    const dir = tempDir('wasi-fd-reuse-');
    for (let i = 0; i < RUNS; i++) {
      writeFileSync(join(dir, 'data.txt'), '0123456789');
      const [r] = await Promise.all([runCli(['--dir', `${dir}::.`, fixture('fd-reuse')]), runCli([fixtureFile('../wat/runtime/noop.wasm')])]);
      if (r.code !== 0) {
        t.fail(`run ${i + 1}: exit ${r.code} (expected 0) ${r.stderr}`);
        return;
      }
    }
    t.pass(`${RUNS} runs exited 0`);
  });

  t.test('eight threads × 10 000 lines into a slow pipe', async (t) => {
    const r = await runCli([fixture('print8')], { slowReaderMs: 1000 });
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
