// `wasmthreads bench tls [options] [MODULE --export NAME]`: the cost of thread-local access in wasm
// (src/bench/), as a table, JSON or an SVG chart.

import { readFile, writeFile } from 'node:fs/promises';
import { benchTls, DEFAULT_ITERATIONS, DEFAULT_SAMPLES, MAX_ITERATIONS, MAX_SAMPLES } from '../bench/tls.js';
import { renderSvg, renderTable } from '../bench/render.js';
import { MAX_THREADS } from '../bench/tls-module.js';
import { WasmthreadsError } from '../diagnostics.js';
import { readErrorText } from '../shared/read-error.js';
import { flagBool, flagString, formatFlags, parseArgs, usageError, type FlagSpec } from './args.js';
import type { CliIO, Command } from './io.js';

const FLAGS: FlagSpec[] = [
  { name: 'threads', type: 'string', value: 'N[,N…]', help: `thread counts to measure, each a run of its own (default: 1 and the number of cores; at most ${MAX_THREADS})` },
  { name: 'samples', type: 'string', value: 'N', help: `samples per variant and thread (default ${DEFAULT_SAMPLES})` },
  { name: 'iterations', type: 'string', value: 'N', help: `operations per sample (default ${DEFAULT_ITERATIONS})` },
  { name: 'export', type: 'string', value: 'NAME', help: 'with MODULE: measure its exported function NAME — (i32 n) does n operations, () does one — beside the plain global' },
  { name: 'json', type: 'boolean', help: 'print the results as JSON instead of a table' },
  { name: 'svg', type: 'string', value: 'FILE', help: 'also write the results as an SVG bar chart' },
];

function usage(): string {
  return [
    'usage: wasmthreads bench tls [--threads N[,N…]] [--samples N] [--iterations N] [--json] [--svg FILE]',
    '       wasmthreads bench tls [options] MODULE --export NAME',
    '',
    'Measures what a thread-local variable costs in wasm on this Node: a plain global, _Thread_local',
    'through __tls_base inlined and through a call, a pthread_getspecific-style key, and TLS emulated',
    'through a host import — one read+write per operation, on one thread and on N threads at once.',
    'Many short samples in rotated order; prints the median, p10-p90 and the ratio to the plain global.',
    'The benchmark modules are built in (no compiler needed).',
    '',
    'options:',
    formatFlags(FLAGS),
  ].join('\n');
}

function count(value: string | undefined, flag: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) throw usageError(`--${flag} needs a decimal integer from 1 to ${max}, got '${value}'`);
  return n;
}

export const benchCommand: Command = {
  name: 'bench',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    // `bench tls --help` as well as `bench --help` (which the CLI answers before this runs).
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(usage() + '\n');
      return 0;
    }
    const p = parseArgs(argv, FLAGS);
    const [what, module, ...extra] = p.positionals;
    if (what !== 'tls') throw usageError(what === undefined ? 'bench needs a benchmark: tls' : `unknown benchmark '${what}' (there is: tls)`);
    if (extra.length > 0) throw usageError(`unexpected argument '${extra[0]}'`);
    const exportName = flagString(p, 'export');
    if ((module === undefined) !== (exportName === undefined)) throw usageError(module === undefined ? '--export needs a MODULE' : `MODULE '${module}' needs --export NAME (the function to measure)`);
    const threadsText = flagString(p, 'threads');
    const threads = threadsText?.split(',').map((t) => count(t, 'threads', MAX_THREADS)!);
    let user: { file: string; bytes: Uint8Array; exportName: string } | undefined;
    if (module !== undefined) {
      try {
        user = { file: module, bytes: new Uint8Array(await readFile(module)), exportName: exportName! };
      } catch (err) {
        throw new WasmthreadsError({ severity: 'error', code: 'read', file: module, message: `cannot read module: ${readErrorText(err, 'a module')}` });
      }
    }
    const result = await benchTls({
      threads: threads ? [...new Set(threads)] : undefined,
      samples: count(flagString(p, 'samples'), 'samples', MAX_SAMPLES),
      iterations: count(flagString(p, 'iterations'), 'iterations', MAX_ITERATIONS),
      user,
      workerUrl: new URL('./bench-worker.cjs', import.meta.url),
    });
    io.stdout(flagBool(p, 'json') ? JSON.stringify(result, null, 2) + '\n' : renderTable(result));
    const svg = flagString(p, 'svg');
    if (svg !== undefined) {
      try {
        await writeFile(svg, renderSvg(result));
      } catch (err) {
        throw new WasmthreadsError({ severity: 'error', code: 'write', file: svg, message: `cannot write the chart: ${readErrorText(err, 'a file')}` });
      }
    }
    return 0;
  },
};
