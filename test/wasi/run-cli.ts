// Runs `node bin/wasmthreads.js run …` as a child process for the end-to-end WASI tests: stdin
// stays an open pipe the test can write to (or end), every run has a timeout, and the result
// carries the wall time so tests can check that exit did not wait.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertDistFresh } from '../helpers/dist-fresh.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
assertDistFresh();
export const CLI = join(ROOT, 'bin', 'wasmthreads.js');
export const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'wasi', name);
/** Why the CLI tests cannot run, or false. */
export const notBuilt: string | false = existsSync(join(ROOT, 'dist', 'cli.js'))
  ? false : 'dist/ not built: run `npm run build` (npm test does)';
const TIMEOUT_MS = 60_000;

export interface Ran { code: number | null; stdout: string; stderr: string; ms: number }

export interface RunCliOptions {
  /** Delay reading stdout by this many ms so the pipe fills up. */
  slowReaderMs?: number;
  /** Called once the child runs, with its stdin (left open unless the callback ends it). */
  stdin?: (stdin: NodeJS.WritableStream) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function runCli(args: string[], options: RunCliOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`killed after ${TIMEOUT_MS / 1000} s: the run's deadline fired (wasmthreads ${args.join(' ')})`)); }, TIMEOUT_MS);
    if (options.slowReaderMs) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), options.slowReaderMs);
    }
    child.stdin.on('error', () => undefined); // the guest may exit before reading what we wrote
    options.stdin?.(child.stdin);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: Date.now() - start });
    });
  });
}
