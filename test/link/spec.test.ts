// Linker tests that read as a specification, in the manner of lld's lit tests: each
// test/link/spec/NAME.case holds in one file what it pins down (`#` lines), the link line
// (`LINK:`, as `wasmthreads link` takes it), what of the output to show (`SHOW:` inspect groups;
// `FUNCS:` the functions whose code to show, when `code` is shown), and, after a line `----`, the
// expected text: the link's diagnostics (formatted as the CLI prints them), then `wasmthreads
// inspect`'s text for those groups. Inputs are small objects committed under spec/inputs (their
// sources and the build.sh that made them beside them), linked in-process: no compiler, no
// wasm-ld, no external tool runs.
//
// `REFERENCE: LINKER` names the wasm-ld whose output the case also matches (wasm-ld-22, or
// wasm-ld-14 for the layouts emcc 3.1.6's command lines assume); where that linker is installed,
// the same line is linked with it and its output must show the same text. So every expected text
// is checked once against the reference, and then stands on its own.
//
// `npm run bless` rewrites every expected text from the current linker: review the diff.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { formatDiagnostic, type Diagnostic } from '../../src/diagnostics.js';
import { formatReport, inspect, REPORT_GROUPS, type ReportGroup } from '../../src/inspect/index.js';
import { link, parseLinkArgs } from '../../src/link/index.js';
import { LinkError } from '../../src/link/driver.js';

const SPEC_DIR = fileURLToPath(new URL('./spec/', import.meta.url));
const SEPARATOR = '----';
const BLESS = process.env.WASMTHREADS_BLESS === '1';

interface SpecCase {
  file: string;
  /** Everything up to and including the separator line, kept as written. */
  head: string;
  linkArgs: string[];
  groups: ReportGroup[];
  funcs: string[] | undefined;
  reference: string | undefined;
  expected: string;
}

function parseCase(file: string): SpecCase {
  const text = readFileSync(join(SPEC_DIR, file), 'utf8');
  const lines = text.split('\n');
  const sep = lines.indexOf(SEPARATOR);
  if (sep < 0) throw new Error(`${file}: no '${SEPARATOR}' line before the expected text`);
  const c: SpecCase = { file, head: lines.slice(0, sep + 1).join('\n') + '\n', linkArgs: [], groups: [], funcs: undefined, reference: undefined, expected: lines.slice(sep + 1).join('\n') };
  for (const [i, line] of lines.slice(0, sep).entries()) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z]+):\s*(.*)$/.exec(line);
    const words = m?.[2].split(/\s+/).filter(Boolean) ?? [];
    if (m?.[1] === 'LINK') c.linkArgs = words;
    else if (m?.[1] === 'SHOW') {
      for (const g of words) {
        if (!(REPORT_GROUPS as readonly string[]).includes(g)) throw new Error(`${file}:${i + 1}: unknown inspect group '${g}'`);
        c.groups.push(g as ReportGroup);
      }
    } else if (m?.[1] === 'FUNCS') c.funcs = words;
    else if (m?.[1] === 'REFERENCE') c.reference = words[0];
    else throw new Error(`${file}:${i + 1}: expected '# …', 'LINK: …', 'SHOW: …', 'FUNCS: …' or 'REFERENCE: …', got '${line}'`);
  }
  if (!c.linkArgs.length) throw new Error(`${file}: no LINK line`);
  return c;
}

/** Keeps only the listed functions' blocks of the `code` group (each starts `func[N] <name>:`). */
function onlyFunctions(text: string, names: string[]): string {
  const out: string[] = [];
  let keep = true;
  for (const line of text.split('\n')) {
    const header = /^func\[\d+\] <([^>]*)>:$/.exec(line);
    if (header) keep = names.includes(header[1]);
    if (keep) out.push(line);
  }
  return out.join('\n');
}

/** The inspect text for a linked module, as the case shows it. */
function shownModule(c: SpecCase, bytes: Uint8Array, name: string): string {
  const report = formatReport(inspect(bytes, name, { disassemble: c.groups.includes('code') }), c.groups);
  return c.funcs ? onlyFunctions(report, c.funcs).replace(/\n*$/, '\n') : report;
}

/** What the case's link and inspection print. */
function actual(c: SpecCase): string {
  const parsed = parseLinkArgs(c.linkArgs);
  const options = { ...parsed.options, readFile: (p: string) => new Uint8Array(readFileSync(join(SPEC_DIR, p))) };
  const shown = (ds: Diagnostic[]): string => ds.map((d) => formatDiagnostic(d) + '\n').join('');
  let result;
  try {
    result = link(options);
  } catch (e) {
    if (!(e instanceof LinkError)) throw e;
    return shown(e.diagnostics);
  }
  let out = shown(result.warnings);
  if (c.groups.length) out += shownModule(c, result.bytes, options.output ?? 'a.out');
  return out;
}

function installed(linker: string): boolean {
  return spawnSync(linker, ['--version'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

/** The `error:`/`warning:` lines of a linker's output, without the tool's name. */
function diagnosticLines(text: string, tool: string): string[] {
  return text.split('\n').flatMap((l) => {
    const m = new RegExp(`^${tool}: ((error|warning): .*)$`).exec(l);
    return m ? [m[1]] : [];
  });
}

/**
 * The same link by the reference linker, shown the same way: the module's text, or for a case that
 * shows no module, its error and warning lines.
 */
function reference(c: SpecCase, linker: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wasmthreads-spec-'));
  try {
    const output = join(dir, 'out.wasm');
    const args = c.linkArgs.map((a, i) => (c.linkArgs[i - 1] === '-o' ? output : a));
    const r = spawnSync(linker, args, { cwd: SPEC_DIR, encoding: 'utf8', timeout: 60_000 });
    if (!c.groups.length) return diagnosticLines(r.stderr, linker).join('\n');
    if (r.status !== 0) return `${linker} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`;
    return shownModule(c, new Uint8Array(readFileSync(output)), c.linkArgs[c.linkArgs.indexOf('-o') + 1] ?? 'a.out');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.case')).sort();
t.ok(cases.length > 0, 'spec cases exist');
for (const file of cases) {
  t.test(file, async (t) => {
    const c = parseCase(file);
    const got = actual(c);
    if (BLESS) {
      if (got !== c.expected) writeFileSync(join(SPEC_DIR, file), c.head + got);
      t.pass(`blessed ${file}`);
      return;
    }
    t.equal(got, c.expected, `${file}: the linked output differs from the expected text (npm run bless rewrites it; review the diff)`);
  });
  const c = parseCase(file);
  if (c.reference === undefined) continue;
  const skip = installed(c.reference) ? false : `${c.reference} is not installed (npm run setup installs it)`;
  t.test(`${file} agrees with ${c.reference}`, { skip }, async (t) => {
    const ref = reference(c, c.reference!);
    const shown = actual(c);
    const ours = c.groups.length ? shown.replace(/^(wasmthreads: (warning|error): .*\n(>>> .*\n|hint: .*\n)*)*/, '') : diagnosticLines(shown, 'wasmthreads').join('\n');
    t.equal(ours, ref, `${file}: wasmthreads and ${c.reference} link the same line differently`);
  });
}
