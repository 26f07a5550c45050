// Helpers for the runtime tests: run the built CLI as a subprocess with a deadline, stdin an open
// pipe that never delivers data (so guests reading stdin really block), and collect its output.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertDistFresh } from '../helpers/dist-fresh.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WAT = `${ROOT}test/fixtures/wat/runtime/`;
const CLI = `${ROOT}bin/wasmthreads.js`;
assertDistFresh();

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
  /** When the exit was seen, in ms on the clock of CLOCK_REALTIME (sub-millisecond). */
  endedAt: number;
}

/**
 * The CLI's environment: ours minus NODE_OPTIONS, which under tap preloads its process-info hook
 * into the CLI (work in every start-up and an exit handler: exit took ~390 instead of ~100 ms).
 * The tests measure wasmthreads as a user runs it.
 */
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Deadline of one CLI run. Generous on purpose: it must hold on a loaded 2-core box (load ~10),
 * where a run that takes 1 s quiet can take 10; it only has to catch hangs.
 */
export const RUN_DEADLINE_MS = 60_000;

/**
 * Runs `wasmthreads ARGS`; kills it after `timeoutMs`, and then says so on its stderr ("killed
 * after N s"), so a failed assertion shows that the deadline fired rather than a bare null code.
 */
export function runCli(args: string[], timeoutMs = RUN_DEADLINE_MS, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runNode([CLI, ...args], timeoutMs, env);
}

/**
 * Runs `node ARGS` as runCli does (same environment, pipes and deadline). `env` is laid over the
 * environment; a variable set to undefined there is left out.
 */
export function runNode(args: string[], timeoutMs = RUN_DEADLINE_MS, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...cliEnv(), ...env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      const endedAt = performance.timeOrigin + performance.now();
      clearTimeout(timer);
      child.stdin.destroy();
      const ms = performance.now() - start;
      const note = killed ? `\n[test] killed after ${(timeoutMs / 1000).toFixed(0)} s: the run's deadline fired (node ${args.join(' ')})` : '';
      child.on('close', () => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() + note, ms, endedAt }));
    });
  });
}

/**
 * How many times each thread scenario runs. Once by default (CI); races show up only sometimes,
 * so hunt them locally with e.g. WASMTHREADS_TEST_REPEAT=20.
 */
export const REPEAT = Number(process.env.WASMTHREADS_TEST_REPEAT ?? 1);

/**
 * Subprocess runs at once. Each CLI run is mostly one core's worth of worker start-up and guest
 * sleeps, so two at a time roughly halve a file's wall time on the shared 2-core box without
 * starving the runs' own deadlines. Timing measurements never go through the limiter concurrently
 * with anything (they run after every scheduled case settled).
 */
export const CONCURRENT_RUNS = 2;

/** Schedules an async job; `alone` jobs wait for every running job and run with nothing beside them. */
export type Limiter = <T>(job: () => Promise<T>, alone?: boolean) => Promise<T>;

/**
 * Runs async jobs at most `limit` at a time, strictly in the order they were scheduled. A job
 * scheduled `alone` takes all `limit` places: CPU-bound cases (64 workers booting) slow down
 * several-fold next to another run and would miss their deadlines.
 */
export function createLimiter(limit: number): Limiter {
  let free = limit;
  const queue: { weight: number; start: () => void }[] = [];
  const pump = () => {
    while (queue.length > 0 && queue[0].weight <= free) {
      const next = queue.shift()!;
      free -= next.weight;
      next.start();
    }
  };
  return <T>(job: () => Promise<T>, alone = false) =>
    new Promise<T>((resolve, reject) => {
      const weight = alone ? limit : 1;
      const start = () => {
        job().then(resolve, reject).finally(() => {
          free += weight;
          pump();
        });
      };
      queue.push({ weight, start });
      pump();
    });
}

/**
 * Starts `count` runs of `wasmthreads ARGS` now, through `limit`, so they overlap with the runs of
 * other test cases; a tap subtest then awaits its results in order.
 */
export function scheduleCli(limit: Limiter, count: number, args: string[], opts: { timeoutMs?: number; alone?: boolean } = {}): Promise<CliRun[]> {
  return Promise.all(Array.from({ length: count }, () => limit(() => runCli(args, opts.timeoutMs), opts.alone)));
}
