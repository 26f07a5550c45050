// A multi-threaded guest attacks the sandbox by racing itself: one thread swaps a directory for a
// symlink to `..` and back while another opens a file through it (test/fixtures/wat/wasi/
// sandbox_race.wat). Path resolution holds directory handles, so no open may ever reach the file
// outside the preopen; before it did, this escaped within ~2,000 tries. Each run is bounded (4000
// opens, a 60 s deadline that says so when it fires).

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ROOT, runCli } from '../runtime/run-helpers.js';

const GUEST = `${ROOT}test/fixtures/wat/wasi/sandbox_race.wasm`;
const RUNS = 3;

const EXIT_MEANING: Record<number, string> = { 1: 'an open read the file outside the preopen', 2: 'a WASI call failed', 3: 'no swap happened' };

t.test('a guest swapping a directory for a symlink out while another thread opens through it never escapes', async (t) => {
  for (let run = 1; run <= RUNS; run++) {
    const root = mkdtempSync(join(tmpdir(), 'wasi-race-'));
    mkdirSync(join(root, 'box', 'd', 'outside'), { recursive: true });
    mkdirSync(join(root, 'outside'));
    writeFileSync(join(root, 'box', 'd', 'outside', 'secret.txt'), 'inside');
    writeFileSync(join(root, 'outside', 'secret.txt'), 'secret');
    const r = await runCli(['run', '--dir', join(root, 'box'), GUEST]);
    t.equal(r.code, 0, `run ${run}: exit ${r.code}${EXIT_MEANING[r.code ?? 0] ? ` (${EXIT_MEANING[r.code!]})` : ''} ${r.stderr}`);
    t.same(readdirSync(join(root, 'outside')), ['secret.txt'], 'nothing created outside');
    rmSync(root, { recursive: true, force: true });
  }
});
