// The loop of link-fuzz.test.ts, run in a worker thread so that the test can kill it and name the
// case if a link ever hangs. Each case mutates one real object with a PRNG seeded from (base seed,
// case number) and links it through the `link` command, in one of a few configurations, so any
// case can be replayed alone from the seed it prints.
//
// Most mutations change a few bytes inside one section the linker interprets beyond decoding it
// (the symbol table and segment info of `linking`, relocations, imports, exports, code, data,
// elements, globals): those objects still decode, and reach symbol resolution, relocation and
// layout. The rest flip bits anywhere or cut the file short.
//
// Every other case lowers the thresholds under which the linker keeps to JavaScript rather than its
// loops in wasm (src/link/kernels), so that mutated DWARF reaches both.
//
// A case passes when the command exits 0 or 1 and everything it wrote to stderr is diagnostic
// lines (`wasmthreads: error|warning: …`, `>>> …` notes, `hint: …`): no internal error, no stack
// trace, nothing thrown out of the command.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { main } from '../../src/cli/main.js';
import { kernelThresholds } from '../../src/link/kernels/index.js';
import { fuzzCases, type FuzzCaseJob } from '../helpers/fuzz-cases.js';

export interface LinkFuzzInput {
  file: string;
  bytes: Uint8Array;
  /** [start, end) of each section's payload worth mutating in place. */
  regions: [number, number][];
}

export interface LinkFuzzJob extends FuzzCaseJob<LinkFuzzInput> {
  /** Unmutated objects linked beside the mutant. */
  partners: string[];
  /** crt1-command.o and the directory of libc.a, for executable links, when wasi-libc is installed. */
  wasiLibc?: { crt1: string; libDir: string };
  dir: string;
}

export interface LinkFuzzFailure {
  caseIndex: number;
  caseSeed: number;
  input: string;
  mutation: string;
  args: string;
  problem: string;
}

export interface LinkFuzzResult {
  ran: number;
  linked: number;
  refused: number;
  byConfig: Record<string, number>;
  failures: LinkFuzzFailure[];
  elapsedMs: number;
}

const INTERESTING = [0x00, 0x01, 0x02, 0x10, 0x7f, 0x80, 0xff, 0x40, 0x3f, 0x0b];

function mutate(input: LinkFuzzInput, rand: () => number): { bytes: Uint8Array; mutation: string } {
  const pick = (n: number): number => Math.floor(rand() * n);
  const out = input.bytes.slice();
  const r = rand();
  if (r < 0.8 && input.regions.length > 0) {
    const [start, end] = input.regions[pick(input.regions.length)];
    const n = 1 + pick(3);
    const at: string[] = [];
    for (let k = 0; k < n; k++) {
      const i = start + pick(end - start);
      out[i] = rand() < 0.5 ? out[i] ^ (1 << pick(8)) : INTERESTING[pick(INTERESTING.length)];
      at.push(`0x${i.toString(16)}=0x${out[i].toString(16)}`);
    }
    return { bytes: out, mutation: `in section at 0x${start.toString(16)}: ${at.join(' ')}` };
  }
  if (r < 0.93) {
    const n = 1 + pick(4);
    for (let k = 0; k < n; k++) out[pick(out.length)] ^= 1 << pick(8);
    return { bytes: out, mutation: `bit flips x${n}` };
  }
  const at = pick(out.length);
  return { bytes: out.subarray(0, at), mutation: `truncate at 0x${at.toString(16)}` };
}

/** The link configurations: the mutant alone or beside a partner, under the options that take different paths. */
function configs(job: LinkFuzzJob, mutant: string, partner: string, out: string): [string, string[]][] {
  const list: [string, string[]][] = [
    ['export-all', ['--no-entry', '--export-all', '--allow-undefined', mutant, partner, '-o', out]],
    ['shared-memory', ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '--allow-undefined', '--export-dynamic', mutant, '-o', out]],
    ['table-stack', ['--no-entry', '--import-table', '--growable-table', '--stack-first', '-z', 'stack-size=4096', '--export-all', '--warn-unresolved-symbols', '--no-check-features', mutant, partner, '-o', out]],
  ];
  if (job.wasiLibc) list.push(['executable', [`-L${job.wasiLibc.libDir}`, job.wasiLibc.crt1, mutant, '-lc', '-o', out]]);
  return list;
}

const DIAGNOSTIC_LINE = /^(wasmthreads: (error|warning): |>>> |hint: |\s*$)/;

export async function runLinkFuzz(job: LinkFuzzJob): Promise<LinkFuzzResult> {
  const result: LinkFuzzResult = { ran: 0, linked: 0, refused: 0, byConfig: {}, failures: [], elapsedMs: 0 };
  const mutant = join(job.dir, 'mutant.o');
  const out = join(job.dir, 'out.wasm');
  const start = performance.now();
  const thresholds = { ...kernelThresholds };
  for (const { index: i, seed, rand, input } of fuzzCases(job)) {
    // Every other case with the linker's wasm loops on however few relocations and strings (the
    // objects here are small, so by default they take the JavaScript paths).
    const wasmLoops = i % 2 === 1;
    kernelThresholds.relocBytes = wasmLoops ? 0 : thresholds.relocBytes;
    kernelThresholds.mergeBytes = wasmLoops ? 0 : thresholds.mergeBytes;
    const { bytes, mutation } = mutate(input, rand);
    writeFileSync(mutant, bytes);
    const choices = configs(job, mutant, job.partners[Math.floor(rand() * job.partners.length)], out);
    const [config, args] = choices[Math.floor(rand() * choices.length)];
    result.byConfig[config] = (result.byConfig[config] ?? 0) + 1;
    result.ran++;
    let stderr = '';
    let problem: string | undefined;
    try {
      const code = await main(['link', ...args], { stdout: () => {}, stderr: (s) => (stderr += s) });
      if (code === 0) result.linked++;
      else if (code === 1) result.refused++;
      else problem = `exit code ${code}`;
      if (/internal error|\n\s+at /.test(stderr)) problem = 'an internal error';
      else if (!problem) {
        const odd = stderr.split('\n').find((l) => !DIAGNOSTIC_LINE.test(l));
        if (odd !== undefined) problem = `a line that is not a diagnostic: ${JSON.stringify(odd)}`;
      }
    } catch (e) {
      problem = `thrown: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    }
    if (problem) {
      result.failures.push({ caseIndex: i, caseSeed: seed, input: input.file, mutation, args: `${config}${wasmLoops ? ' (wasm loops)' : ''}: ${args.join(' ')}`, problem: `${problem}\n${stderr.split('\n').slice(0, 8).join('\n')}` });
    }
  }
  result.elapsedMs = performance.now() - start;
  return result;
}

if (parentPort !== null && workerData !== undefined) {
  const port = parentPort;
  void runLinkFuzz(workerData as LinkFuzzJob).then((r) => port.postMessage(r));
}
