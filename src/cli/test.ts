// `wasmthreads test [options] BINARY [libtest args…]`: runs a Rust libtest binary (or any test
// binary that speaks libtest's `--list --format terse` and `--exact`) one test per fresh run, in
// the spirit of cargo-nextest. wasm targets abort on panic (panic=abort), so under one `run` the
// first panicking test ends the whole binary and every other result is lost; here each test is its
// own program: a panic fails that test only, its output and panic message are kept, and the rest
// run on. Usable as cargo's runner:
//   CARGO_TARGET_WASM32_WASIP1_THREADS_RUNNER="wasmthreads test" cargo test --target wasm32-wasip1-threads
//
// What it does:
// 1. lists the tests: `BINARY --list --format terse [filters…]`, and the ignored ones with `--ignored`;
// 2. keeps this job's share with `--partition slice:M/N` (test i of the sorted list goes to slice
//    i mod N + 1, as cargo-nextest counts);
// 3. runs each as `BINARY NAME --exact --nocapture --test-threads=1` (plus `--ignored` for an ignored
//    test that `--ignored`/`--include-ignored` selected), `--jobs` at a time, capturing its output;
// 4. reports in libtest's format (`--format pretty|terse|json`, `--junit FILE` too) and exits 101
//    when a test failed, 0 otherwise.

import { availableParallelism } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { WasmthreadsError } from '../diagnostics.js';
import { readErrorText } from '../shared/read-error.js';
import { run, type RunOptions } from '../host/run.js';
import { flagBool, flagList, flagString, formatFlags, parseArgs, type FlagSpec, usageError } from './args.js';
import type { CliIO, Command } from './io.js';
import { checkDirs, parseDir } from './run.js';

const FLAGS: FlagSpec[] = [
  { name: 'jobs', type: 'string', value: 'N', help: 'tests run at once (default: the number of cores; libtest\'s --test-threads N means the same)' },
  { name: 'partition', type: 'string', value: 'slice:M/N', help: 'run only slice M of N of the tests (deterministic, for splitting across CI jobs)' },
  { name: 'format', type: 'string', value: 'FORMAT', help: 'pretty (default), terse or json (libtest\'s JSON events, one per line)' },
  { name: 'junit', type: 'string', value: 'FILE', help: 'also write a JUnit XML report to FILE' },
  { name: 'dir', type: 'list', value: 'HOST[::GUEST]', help: 'preopen a directory (default: the current directory as ".", where cargo runs tests)' },
  { name: 'env', type: 'list', value: 'NAME=VALUE', help: 'set a guest environment variable (repeatable)' },
  { name: 'inherit-env', type: 'boolean', help: 'pass the whole host environment (by default: RUST_BACKTRACE, RUST_TEST_*, RUST_LOG, CARGO_* only)' },
  { name: 'max-threads', type: 'string', value: 'N', help: 'as for run' },
  { name: 'timeout', type: 'string', value: 'SECONDS', help: 'fail a test that runs longer (default: none)' },
];

function usage(): string {
  return [
    'usage: wasmthreads test [options] BINARY [libtest args: FILTER… --exact --skip PAT --ignored --include-ignored --nocapture --list]',
    '',
    'Runs each test of a libtest binary in its own fresh run, so that a panic (wasm aborts on panic)',
    'fails only that test. Reports as libtest does; exits 101 if a test failed.',
    'As cargo\'s runner: CARGO_TARGET_WASM32_WASIP1_THREADS_RUNNER="wasmthreads test"',
    '',
    'options:',
    formatFlags(FLAGS),
  ].join('\n');
}


/** libtest arguments we understand; the rest are filters. */
interface Selection {
  filters: string[];
  exact: boolean;
  skip: string[];
  ignored: boolean;
  includeIgnored: boolean;
  nocapture: boolean;
  list: boolean;
  testThreads?: number;
  format?: string;
}

function parseLibtestArgs(args: string[]): Selection {
  const s: Selection = { filters: [], exact: false, skip: [], ignored: false, includeIgnored: false, nocapture: false, list: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      if (i + 1 >= args.length) throw usageError(`${a} needs a value`);
      return args[++i];
    };
    const name = a.split('=')[0];
    if (a === '--exact') s.exact = true;
    else if (name === '--skip') s.skip.push(value());
    else if (a === '--ignored') s.ignored = true;
    else if (a === '--include-ignored') s.includeIgnored = true;
    else if (a === '--nocapture' || a === '--no-capture') s.nocapture = true;
    else if (a === '--list') s.list = true;
    else if (name === '--test-threads') s.testThreads = Number(value());
    else if (name === '--format') s.format = value();
    else if (a === '-q' || a === '--quiet') s.format = 'terse';
    else if (a === '--show-output' || a === '--color' || a.startsWith('--color=') || a === '-Z' || a === 'unstable-options') continue;
    else if (a === '--') continue;
    else if (a.startsWith('-')) throw usageError(`libtest argument ${a} is not supported by wasmthreads test (run the binary with wasmthreads run for it)`);
    else s.filters.push(a);
  }
  return s;
}

function matches(name: string, s: Selection): boolean {
  if (s.filters.length > 0 && !s.filters.some((f) => (s.exact ? name === f : name.includes(f)))) return false;
  return !s.skip.some((p) => (s.exact ? name === p : name.includes(p)));
}

interface Outcome {
  name: string;
  status: 'ok' | 'failed' | 'ignored';
  output: string;
  seconds: number;
  why?: string;
}

const DEFAULT_ENV = /^(RUST_BACKTRACE|RUST_LIB_BACKTRACE|RUST_LOG|RUST_TEST_[A-Z_]+|RUST_MIN_STACK|CARGO(_[A-Z0-9_]+)?)$/;

/** A whole-program run of the binary with captured output. */
async function runBinary(base: RunOptions, args: string[], timeoutMs?: number): Promise<{ code: number; out: string; why?: string }> {
  const chunks: Buffer[] = [];
  const collect = (d: Uint8Array): void => void chunks.push(Buffer.from(d));
  const r = await run({ ...base, args, stdout: collect, stderr: collect, stdin: '', timeout: timeoutMs });
  // A deadlock's report whole (a line and a stack per thread); a trap's first line only — for a
  // panic, the message above it in the output says more than the wasm frames of the abort.
  const d = r.diagnostic;
  const why = d ? [d.message, ...(d.code === 'deadlock' ? (d.notes ?? []).map((n) => `  ${n}`) : [])].join('\n') : undefined;
  return { code: r.exitCode, out: Buffer.concat(chunks).toString(), why };
}

/** `--list --format terse` output: "NAME: test" lines. */
function listed(out: string): string[] {
  return out.split('\n').filter((l) => l.endsWith(': test')).map((l) => l.slice(0, -': test'.length));
}

function parsePartition(spec: string | undefined): { m: number; n: number } | undefined {
  if (spec === undefined) return undefined;
  const m = /^slice:(\d+)\/(\d+)$/.exec(spec);
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw usageError(`--partition needs slice:M/N with 1 <= M <= N, got '${spec}'`);
  return { m: Number(m[1]), n: Number(m[2]) };
}

async function runTests(argv: string[], io: CliIO): Promise<number> {
  const p = parseArgs(argv, FLAGS, { stopAtPositional: true });
  const words = [...p.positionals, ...p.rest];
  const binary = words.shift();
  if (binary === undefined) throw usageError('test needs a BINARY');
  const sel = parseLibtestArgs(words);
  const format = flagString(p, 'format') ?? (sel.format === 'json' || sel.format === 'terse' ? sel.format : 'pretty');
  if (!['pretty', 'terse', 'json'].includes(format)) throw usageError(`--format must be pretty, terse or json, got '${format}'`);
  const jobsText = flagString(p, 'jobs');
  const jobs = jobsText !== undefined ? Number(jobsText) : (sel.testThreads ?? availableParallelism());
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw usageError(`--jobs needs an integer from 1 to 256, got '${jobsText ?? sel.testThreads}'`);
  const timeoutText = flagString(p, 'timeout');
  const timeoutMs = timeoutText === undefined ? undefined : Number(timeoutText) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw usageError(`--timeout needs a positive number of seconds, got '${timeoutText}'`);
  const partition = parsePartition(flagString(p, 'partition'));
  const maxThreadsText = flagString(p, 'max-threads');

  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && (flagBool(p, 'inherit-env') || DEFAULT_ENV.test(k))) env.set(k, v);
  for (const s of flagList(p, 'env')) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw usageError(`--env needs NAME=VALUE, got '${s}'`);
    env.set(s.slice(0, eq), s.slice(eq + 1));
  }
  const dirs = flagList(p, 'dir');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(binary));
  } catch (err) {
    throw new WasmthreadsError({ severity: 'error', code: 'read', file: binary, message: `cannot read test binary: ${readErrorText(err, 'a test binary')}` });
  }
  const base: RunOptions = {
    module: bytes, name: binary, env: [...env],
    preopens: checkDirs((dirs.length > 0 ? dirs : ['.']).map(parseDir)),
    poolSize: 1,
    maxThreads: maxThreadsText === undefined ? undefined : Number(maxThreadsText),
  };

  if (sel.list) {
    // As libtest: list what the filters select; nothing is run.
    const r = await runBinary(base, ['--list', '--format', 'terse', ...words.filter((w) => w !== '--list')], timeoutMs);
    io.stdout(r.out);
    return r.code;
  }

  const started = performance.now();
  const all = await runBinary(base, ['--list', '--format', 'terse'], timeoutMs);
  if (all.code !== 0) {
    io.stderr(all.out);
    throw new WasmthreadsError({ severity: 'error', code: 'test-list', file: binary, message: `listing the tests failed (exit ${all.code})${all.why ? `: ${all.why.split('\n')[0]}` : ''}`, hint: 'is this a libtest binary (cargo test --no-run)?' });
  }
  const ignoredRun = await runBinary(base, ['--list', '--format', 'terse', '--ignored'], timeoutMs);
  const ignoredSet = new Set(listed(ignoredRun.out));
  let names = listed(all.out).sort();
  const total = names.length;
  names = names.filter((n) => matches(n, sel));
  if (partition) names = names.filter((_, i) => i % partition.n === partition.m - 1);
  const filteredOut = total - names.length;

  const report = new Reporter(io, format, names.length);
  const outcomes: Outcome[] = [];
  const queue = [...names];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const ignored = ignoredSet.has(name);
      const runIt = ignored ? sel.ignored || sel.includeIgnored : !sel.ignored;
      if (!runIt) {
        if (!sel.ignored) outcomes.push(report.done({ name, status: 'ignored', output: '', seconds: 0 }));
        continue;
      }
      report.started(name);
      const t0 = performance.now();
      const args = [name, '--exact', '--nocapture', '--test-threads=1', ...(ignored ? ['--ignored'] : [])];
      const r = await runBinary(base, args, timeoutMs);
      const seconds = (performance.now() - t0) / 1000;
      const passed = r.code === 0 && /test result: ok\. 1 passed/.test(r.out);
      const why = passed ? undefined : r.code === 0 ? 'the test did not run (0 passed)' : r.code === 124 ? `timed out after ${timeoutText} s` : r.code === 101 ? 'exit 101' : `exit ${r.code}${r.why ? `: ${r.why}` : ''}`;
      outcomes.push(report.done({ name, status: passed ? 'ok' : 'failed', output: r.out, seconds, why }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, names.length)) }, worker));
  const seconds = (performance.now() - started) / 1000;
  report.finish(outcomes, filteredOut, seconds);
  const junit = flagString(p, 'junit');
  if (junit) await writeFile(junit, junitXml(binary, outcomes, seconds));
  return outcomes.some((o) => o.status === 'failed') ? 101 : 0;
}

/** Prints results as libtest does, in its pretty, terse or JSON format. */
class Reporter {
  private terseColumn = 0;

  constructor(private readonly io: CliIO, private readonly format: string, count: number) {
    if (format === 'json') io.stdout(JSON.stringify({ type: 'suite', event: 'started', test_count: count }) + '\n');
    else io.stdout(`\nrunning ${count} test${count === 1 ? '' : 's'}\n`);
  }

  started(name: string): void {
    if (this.format === 'json') this.io.stdout(JSON.stringify({ type: 'test', event: 'started', name }) + '\n');
  }

  done(o: Outcome): Outcome {
    if (this.format === 'json') {
      const e: Record<string, unknown> = { type: 'test', name: o.name, event: o.status, exec_time: o.seconds };
      if (o.status === 'failed') e.stdout = o.output;
      this.io.stdout(JSON.stringify(e) + '\n');
    } else if (this.format === 'terse') {
      this.io.stdout(o.status === 'ok' ? '.' : o.status === 'failed' ? 'F' : 'i');
      if (++this.terseColumn % 88 === 0) this.io.stdout('\n');
    } else {
      this.io.stdout(`test ${o.name} ... ${o.status === 'ok' ? 'ok' : o.status === 'failed' ? 'FAILED' : 'ignored'}\n`);
    }
    return o;
  }

  finish(outcomes: Outcome[], filteredOut: number, seconds: number): void {
    const n = (s: Outcome['status']): number => outcomes.filter((o) => o.status === s).length;
    const failed = outcomes.filter((o) => o.status === 'failed').sort((a, b) => (a.name < b.name ? -1 : 1));
    if (this.format === 'json') {
      this.io.stdout(JSON.stringify({ type: 'suite', event: failed.length ? 'failed' : 'ok', passed: n('ok'), failed: n('failed'), ignored: n('ignored'), measured: 0, filtered_out: filteredOut, exec_time: seconds }) + '\n');
      return;
    }
    if (this.format === 'terse') this.io.stdout('\n');
    if (failed.length > 0) {
      this.io.stdout('\nfailures:\n\n');
      for (const f of failed) this.io.stdout(`---- ${f.name} stdout ----\n${f.output}${f.output.endsWith('\n') || f.output === '' ? '' : '\n'}(${f.why})\n\n`);
      this.io.stdout(`\nfailures:\n${failed.map((f) => `    ${f.name}\n`).join('')}\n`);
    }
    this.io.stdout(`test result: ${failed.length ? 'FAILED' : 'ok'}. ${n('ok')} passed; ${n('failed')} failed; ${n('ignored')} ignored; 0 measured; ${filteredOut} filtered out; finished in ${seconds.toFixed(2)}s\n\n`);
  }
}

const xml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

function junitXml(binary: string, outcomes: Outcome[], seconds: number): string {
  const failures = outcomes.filter((o) => o.status === 'failed').length;
  const skipped = outcomes.filter((o) => o.status === 'ignored').length;
  const cases = [...outcomes].sort((a, b) => (a.name < b.name ? -1 : 1)).map((o) => {
    const i = o.name.lastIndexOf('::');
    const [cls, test] = i < 0 ? ['', o.name] : [o.name.slice(0, i), o.name.slice(i + 2)];
    const body = o.status === 'failed' ? `<failure message="${xml(o.why ?? 'failed')}">${xml(o.output)}</failure><system-out>${xml(o.output)}</system-out>`
      : o.status === 'ignored' ? '<skipped/>' : '';
    return `    <testcase classname="${xml(cls)}" name="${xml(test)}" time="${o.seconds.toFixed(3)}">${body}</testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="${xml(binary)}" tests="${outcomes.length}" failures="${failures}" skipped="${skipped}" errors="0" time="${seconds.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

export const testCommand: Command = {
  name: 'test',
  usage,
  run: runTests,
};
