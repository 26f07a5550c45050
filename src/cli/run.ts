// `wasmthreads run [options] MODULE [--] [ARGS…]`: runs a linked threaded module (wasi-threads or
// host-managed ABI) on worker_threads with WASI preview1, and exits with the program's code.

import { formatDiagnostic } from '../diagnostics.js';
import { isLinkInput, MAX_STACK_SIZE, MAX_THREADS_LIMIT, MIN_STACK_SIZE, run, type RunOptions } from '../host/run.js';
import { flagBool, flagList, flagString, formatFlags, parseArgs, type FlagSpec, usageError } from './args.js';
import type { CliIO, Command } from './io.js';

const FLAGS: FlagSpec[] = [
  { name: 'dir', type: 'list', value: 'HOST[::GUEST]', help: 'preopen host directory HOST, seen by the guest as GUEST (default: HOST)' },
  { name: 'env', type: 'list', value: 'NAME=VALUE', help: 'set a guest environment variable (repeatable)' },
  { name: 'inherit-env', type: 'boolean', help: 'pass the whole host environment to the guest (off by default)' },
  { name: 'max-threads', type: 'string', value: 'N', help: 'most spawned threads alive at once, 1-4096; past it thread-spawn fails with -6 (EAGAIN) and one warning is printed (default 128; each thread is a worker of ~8 MiB)' },
  { name: 'max-host-memory', type: 'string', value: 'SIZE', help: 'refuse spawns (-6, one warning) that would take the process past SIZE resident bytes (e.g. 2GiB, 512MiB, 1073741824; default: no limit)' },
  { name: 'pool-size', type: 'string', value: 'N', help: 'pre-instantiated workers kept ready for spawns, idle or about to be (default 4)' },
  { name: 'stack-size', type: 'string', value: 'BYTES', help: 'host-managed ABI: stack per spawned thread (default 1048576)' },
  { name: 'trace-exit', type: 'boolean', help: 'print timestamps of the exit path (request, supervisor, workers, process exit) to stderr; also WASMTHREADS_TRACE_EXIT=1' },
  { name: 'trace', type: 'string', value: 'FILE', help: 'write a Chrome trace-event JSON file (open it in Perfetto): a track per thread with spawns, host calls, futex waits and wakes' },
  { name: 'no-deadlock-check', type: 'boolean', help: 'do not end the program (exit 142, with a report) when every thread is blocked in a wait no other thread can end' },
  { name: 'no-isolation-check', type: 'boolean', help: 'do not check that live threads\' stacks and TLS blocks are disjoint (checked by default at each spawn)' },
];

function usage(): string {
  return [
    'usage: wasmthreads run [options] MODULE [--] [ARGS…]',
    '       wasmthreads run [options] OBJECT.o|ARCHIVE.a… [--] [ARGS…]',
    '',
    'Runs MODULE (wasi-threads or host-managed thread ABI) with one worker per wasm thread.',
    'Objects and archives are first linked in memory with shared imported memory and the',
    'exports the thread ABIs need (--export-table, __stack_pointer, the TLS symbols).',
    'Exit code: proc_exit\'s value; 0 when the main thread returns; 134 on a trap in any thread or',
    'a memory-isolation violation (two live threads, or a thread and the main thread, sharing TLS',
    'or stack bytes; checked by default where the module\'s wasi_thread_start shows its layout);',
    '142 on a deadlock: every thread in an untimed futex wait (or joining such a thread) with no',
    'wake-up on its way — the report names what each thread waits on and its last host call.',
    '',
    'options:',
    formatFlags(FLAGS),
  ].join('\n');
}


/** A decimal integer in [min, max]; `1e3`, `0x10`, `+5` and `1.0` are refused, not reinterpreted. */
function positiveInt(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw usageError(`--${flag} needs a decimal integer from ${min} to ${max}, got '${value}'`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1 << 20, mib: 1 << 20, g: 1 << 30, gib: 1 << 30 };

/** A byte size: decimal digits with an optional binary unit (K/KiB, M/MiB, G/GiB). */
function byteSize(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^([0-9]{1,13})([a-zA-Z]*)$/.exec(value);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!(n >= 1048576 && n <= Number.MAX_SAFE_INTEGER)) throw usageError(`--${flag} needs a size of at least 1MiB (digits, optionally K/KiB, M/MiB or G/GiB), got '${value}'`);
  return n;
}

export function parseDir(spec: string): { host: string; guest: string } {
  const i = spec.indexOf('::');
  const dir = i < 0 ? { host: spec, guest: spec } : { host: spec.slice(0, i), guest: spec.slice(i + 2) };
  if (dir.host === '') throw usageError(`--dir '${spec}' names no host directory (HOST[::GUEST])`);
  if (dir.guest === '') throw usageError(`--dir '${spec}' names no guest path (HOST[::GUEST])`);
  return dir;
}

/** Each guest name once: a second preopen of the same name would shadow the first in libc. */
export function checkDirs(dirs: { host: string; guest: string }[]): { host: string; guest: string }[] {
  const seen = new Map<string, string>();
  for (const d of dirs) {
    const guest = d.guest.replace(/\/+$/, '') || '/';
    const before = seen.get(guest);
    if (before !== undefined) throw usageError(`--dir: the guest path '${d.guest}' is given twice (for '${before}' and '${d.host}')`);
    seen.set(guest, d.host);
  }
  return dirs;
}

function parseEnv(specs: string[], inherit: boolean): [string, string][] {
  const env = new Map<string, string>();
  if (inherit) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env.set(k, v);
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw usageError(`--env needs NAME=VALUE, got '${s}'`);
    env.set(s.slice(0, eq), s.slice(eq + 1));
  }
  return [...env];
}

/** Maps the command line to run options. */
export function runOptionsFromArgv(argv: string[]): RunOptions {
  const p = parseArgs(argv, FLAGS, { stopAtPositional: true });
  const words = [...p.positionals, ...p.rest];
  const module = words.shift();
  if (module === undefined) throw usageError('run needs a MODULE');
  // `run a.o b.o lib.a -- ARGS`: objects and archives right after an object MODULE are linked too.
  const linkWith: string[] = [];
  while (isLinkInput(module) && words.length > 0 && isLinkInput(words[0])) linkWith.push(words.shift()!);
  if (p.positionals.length > 0 && words[0] === '--') words.shift();
  return {
    module,
    linkWith,
    args: words,
    env: parseEnv(flagList(p, 'env'), flagBool(p, 'inherit-env')),
    preopens: checkDirs(flagList(p, 'dir').map(parseDir)),
    maxThreads: positiveInt(flagString(p, 'max-threads'), 'max-threads', 1, MAX_THREADS_LIMIT),
    maxHostMemory: byteSize(flagString(p, 'max-host-memory'), 'max-host-memory'),
    poolSize: positiveInt(flagString(p, 'pool-size'), 'pool-size', 0, MAX_THREADS_LIMIT),
    stackSize: positiveInt(flagString(p, 'stack-size'), 'stack-size', MIN_STACK_SIZE, MAX_STACK_SIZE),
    checkIsolation: !flagBool(p, 'no-isolation-check'),
    traceExit: flagBool(p, 'trace-exit') || undefined,
    deadlockCheck: !flagBool(p, 'no-deadlock-check'),
    trace: flagString(p, 'trace'),
  };
}

export const runCommand: Command = {
  name: 'run',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const options = runOptionsFromArgv(argv);
    const result = await run({ ...options, exitingProcess: true });
    if (result.diagnostic) io.stderr(formatDiagnostic(result.diagnostic) + '\n');
    for (const w of result.warnings) io.stderr(formatDiagnostic({ severity: 'warning', code: 'run', message: w, file: options.module as string }) + '\n');
    if (result.finishTrace) io.stderr(result.finishTrace('command returned (the CLI calls process.exit next)'));
    return result.exitCode;
  },
  // A guest may have left stdin being read or other handles open; nothing of the run may keep
  // Node alive, and every worker was already told to terminate.
  endsProcess: true,
};
