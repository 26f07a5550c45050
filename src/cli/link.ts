// `wasmthreads link`: wasm-ld's command line in, a linked module out (see src/link/).

import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { formatDiagnostic } from '../diagnostics.js';
import { formatLinkFlags, link, LinkError, parseLinkArgs } from '../link/index.js';
import { strerror } from '../link/strerror.js';
import type { LinkResult } from '../link/index.js';
import type { Command } from './io.js';
import { VERSION } from './version.js';

const USAGE = `usage: wasmthreads link -o OUT.wasm [wasm-ld flags] INPUTS...

Links relocatable wasm objects (.o) and archives (.a) into an executable module, as wasm-ld 22
does. Inputs may be given through @response files. Flags:
`;

/** `--why-extract=FILE`; `-` means stdout. A file that cannot be written is an error, as in wasm-ld. */
function writeWhyExtract(path: string, text: string, io: { stdout(s: string): void; stderr(s: string): void }): boolean {
  if (path === '-') {
    io.stdout(text);
    return true;
  }
  try {
    writeFileSync(path, text);
    return true;
  } catch (e) {
    io.stderr(`wasmthreads: error: cannot open --why-extract= file ${path}: ${strerror(e)}\n`);
    return false;
  }
}

/** `-M` prints the map on stdout, `-Map=FILE` writes it (both may be given). */
function writeMap(o: { printMap?: boolean; mapFile?: string }, map: string, io: { stdout(s: string): void; stderr(s: string): void }): boolean {
  if (o.printMap) io.stdout(map);
  if (o.mapFile === undefined) return true;
  try {
    writeFileSync(o.mapFile, map);
    return true;
  } catch (e) {
    io.stderr(`wasmthreads: error: cannot open map file ${o.mapFile}: ${strerror(e)}\n`);
    return false;
  }
}

/** `--trace` lines on stdout, `--verbose` lines on stderr, then the `--why-extract` table. */
function printReports(r: Pick<LinkResult, 'messages' | 'log' | 'whyExtract'>, whyPath: string | undefined, io: { stdout(s: string): void; stderr(s: string): void }): boolean {
  for (const line of r.messages) io.stdout(`${line}\n`);
  for (const line of r.log) io.stderr(`${line}\n`);
  return r.whyExtract === undefined || writeWhyExtract(whyPath!, r.whyExtract, io);
}

export const linkCommand: Command = {
  name: 'link',
  usage: () => USAGE + formatLinkFlags() + '\n',
  async run(argv, io) {
    // A link is one short pass over the inputs in a process that ends with it. V8's optimising
    // tier (TurboFan) compiles hot functions on background threads for code that has mostly run
    // by the time it is ready: without it the same links cost 20-30% less CPU and no more wall
    // time (benchmarks/link, Node 20 and 22: libc-mt 1.36 → 0.94 s CPU, hello+libc 0.32 → 0.26 s).
    // Most of what a link allocates lives until it ends, so a young generation that grows only
    // copies it more before promoting it: kept at its starting size (growth factor 1), the
    // paired whole-process runs cost 5-11% less CPU and 2-22 MiB less peak memory on Node 20, 22
    // and 26 (libc-mt.a: 0.61 → 0.54 s, 93 → 71 MiB on Node 20). Only sizing flags may change
    // here: V8 reads them as the heap grows; flags that switch collector modes (parallel or
    // concurrent marking) abort the process when set after start-up. test/link/cli-process.test.ts
    // runs this on each supported Node. The only wasm a link compiles is the C++ demangler (147 KB,
    // called once per name), before which this runs: its hot functions were recompiled by V8's
    // optimising wasm tier in the background, 12% of an em++ link's CPU on Node 20 and 6% on 22;
    // Liftoff's code alone is fast enough for a few thousand names. On Node 24 and 26, V8's
    // mid tier (Maglev, off by default on Node 20 and 22) compiles a function once it has run 400
    // times, on background threads that also hold their compile zones in memory; a link calls
    // thousands of small functions that often, most of them for little time after. Only
    // functions called 5000 times are compiled here: per workload (hello, em++, libc-mt.a; 9
    // alternating whole-process pairs each) 11-20% less CPU, 3-7% less wall time and 2-15 MiB less
    // peak memory on Node 24 and 26 (libc-mt.a: 94 → 80 MiB, where wasm-ld-22 takes 80). Only
    // the CLI's own process: library callers keep their flags. Except with --build-id=fast (a
    // bare --build-id): its XXH3 loop over every output byte runs 4-5x slower without the
    // optimising tier where Maglev is off (Node 20 and 22: 37 vs 8 ms per MiB).
    const parsed = parseLinkArgs(argv);
    setFlagsFromString(`${parsed.options.buildId?.style === 'fast' ? '' : '--no-opt '}--semi-space-growth-factor=1 --liftoff-only --invocation-count-for-maglev=5000`);
    if (parsed.help) {
      io.stdout(linkCommand.usage());
      return 0;
    }
    // "LLD" on the first line: build systems (Meson, CMake) tell linkers apart by it.
    if (parsed.version || parsed.printVersion) io.stdout(`wasmthreads link ${VERSION} (compatible with LLD 22 wasm-ld)\n`);
    if (parsed.version) return 0;
    for (const w of parsed.warnings) io.stderr(`wasmthreads: warning: ${w}\n`);
    // wasm-ld's order and words: no inputs first, then no output.
    if (parsed.options.inputs.length === 0) {
      io.stderr('wasmthreads: error: no input files\n');
      return 1;
    }
    const output = parsed.options.output;
    if (!output) {
      io.stderr('wasmthreads: error: no output file specified\nhint: name it with -o FILE\n');
      return 1;
    }
    let result: LinkResult;
    try {
      result = link(parsed.options);
    } catch (e) {
      // What was traced before the failure comes out first, as wasm-ld prints it.
      if (e instanceof LinkError) printReports(e, parsed.options.whyExtract, io);
      throw e;
    }
    if (!printReports(result, parsed.options.whyExtract, io)) return 1;
    if (result.map !== undefined && !writeMap(parsed.options, result.map, io)) return 1;
    for (const w of result.warnings) io.stderr(`${formatDiagnostic(w)}\n`);
    try {
      writeFileSync(output, result.bytes);
    } catch (e) {
      io.stderr(`wasmthreads: error: cannot open output file ${output}: ${strerror(e)}\n`);
      return 1;
    }
    return 0;
  },
};
