// The CLI's WASI options end to end: `node bin/wasmthreads.js run` with `--env NAME=VALUE`,
// `--inherit-env`, `--dir HOST::GUEST` and non-ASCII arguments, seen by a real wasi-libc program
// (test/fixtures/wasi/files.wasm: prints argv with byte lengths and $GREETING, reads input.txt
// from its preopen, leaves output.txt behind, exits 7).

import t from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, notBuilt, runCli } from './run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const FILES = fixture('files.wasm');

/** A directory with what files.c expects to find. */
function workdir(): string {
  const dir = join(tempDir('wasi-cli-'), 'work');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'input.txt'), 'ünïcode input\n');
  writeFileSync(join(dir, 'old-name.txt'), 'moving\n');
  writeFileSync(join(dir, 'delete-me.txt'), 'bye\n');
  return dir;
}

const hostEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...extra };
  delete env.GREETING;
  return { ...env, ...extra };
};

t.test('CLI flags reach the guest', { skip: notBuilt }, async (t) => {
  t.test('--env and --dir HOST::. with non-ASCII arguments', async (t) => {
    const dir = workdir();
    const r = await runCli(['--env', 'GREETING=grüß dich ✓', '--dir', `${dir}::.`, FILES, 'héllo', '日本語'], { env: hostEnv({}) });
    t.equal(r.code, 7, 'files.c returns 7');
    t.equal(r.stderr, 'to stderr\n');
    t.match(r.stdout, /^argv\[1\]=héllo \(6 bytes\)$/m, 'UTF-8 byte length, not string length');
    t.match(r.stdout, /^argv\[2\]=日本語 \(9 bytes\)$/m);
    t.match(r.stdout, /^GREETING=grüß dich ✓$/m);
    t.match(r.stdout, /^read 16 bytes: ünïcode input$/m, 'the file came through the preopen');
    t.equal(readFileSync(join(dir, 'output.txt'), 'utf8'), 'written by the guest: ünïcode input\ntail\n', 'written into HOST');
  });

  t.test('the host environment stays out unless --inherit-env', async (t) => {
    const dir = workdir();
    const without = await runCli(['--dir', `${dir}::.`, FILES], { env: hostEnv({ GREETING: 'from the host' }) });
    t.match(without.stdout, /^GREETING=\(unset\)$/m);
    const inherited = await runCli(['--inherit-env', '--dir', `${workdir()}::.`, FILES], { env: hostEnv({ GREETING: 'from the höst' }) });
    t.match(inherited.stdout, /^GREETING=from the höst$/m);
    const overridden = await runCli(['--inherit-env', '--env', 'GREETING=flag wins', '--dir', `${workdir()}::.`, FILES], { env: hostEnv({ GREETING: 'from the host' }) });
    t.match(overridden.stdout, /^GREETING=flag wins$/m, '--env overrides an inherited variable');
  });

  t.test('a bad --dir is one clear error', async (t) => {
    const r = await runCli(['--dir', '/no/such/dir::.', FILES]);
    t.not(r.code, 0);
    t.match(r.stderr, /\/no\/such\/dir.*cannot preopen directory: no such directory/);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
