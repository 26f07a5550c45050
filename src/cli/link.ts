// `wasmthreads link`: wasm-ld's command line in, a linked module out (see src/link/).

import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { formatDiagnostic } from '../diagnostics.js';
import { formatLinkFlags, link, LinkError, parseLinkArgs } from '../link/index.js';
import { strerror } from '../link/strerror.js';
import type { LinkResult } from '../link/index.js';
import type { Command } from './io.js';
import { VERSION } from './version.js';

/** What this process's `link` command did, for bin/start.js's code cache (bin/code-cache.js). */
export const linkProcess = {
  /** A link was run (not --version or --help). */
  linked: false,
  /** V8's flags were changed; code cached now would be rejected under the start-up flags. */
  changedV8Flags: false,
};

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

/**
 * `--trace`, `--trace-symbol` and `--print-gc-sections` lines on stdout with the `--why-extract`
 * table among them where wasm-ld writes it (after resolution, before garbage collection), then
 * `--verbose` lines on stderr.
 */
function printReports(r: Pick<LinkResult, 'messages' | 'log' | 'whyExtract' | 'whyExtractAfter'>, whyPath: string | undefined, io: { stdout(s: string): void; stderr(s: string): void }): boolean {
  const at = r.whyExtract === undefined ? r.messages.length : r.whyExtractAfter;
  for (const line of r.messages.slice(0, at)) io.stdout(`${line}\n`);
  const written = r.whyExtract === undefined || writeWhyExtract(whyPath!, r.whyExtract, io);
  for (const line of r.messages.slice(at)) io.stdout(`${line}\n`);
  for (const line of r.log) io.stderr(`${line}\n`);
  return written;
}

export const linkCommand: Command = {
  name: 'link',
  usage: () => USAGE + formatLinkFlags() + '\n',
  async run(argv, io) {
    const parsed = parseLinkArgs(argv);
    // bin/start.js tunes V8 for a link process (no TurboFan among other things) before it loads
    // this code. --build-id=fast hashes every output byte with XXH3, a loop that runs 4-5x slower
    // without an optimising tier (Node 20 and 22: 37 vs 8 ms per MiB).
    if (parsed.options.buildId?.style === 'fast') {
      setFlagsFromString('--opt');
      linkProcess.changedV8Flags = true;
    }
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
    linkProcess.linked = true;
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
