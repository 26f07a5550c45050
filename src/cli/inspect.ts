// `wasmthreads inspect [--json] [--disassemble] [--section NAME] FILE…`: prints the inspect report
// of each module, object or archive (per member). Text groups are chosen with --section; --json
// prints one JSON document (an array when several files are given), documented in the README.

import { readFile } from 'node:fs/promises';
import { WasmthreadsError, formatDiagnostic, type Diagnostic } from '../diagnostics.js';
import { readErrorText } from '../shared/read-error.js';
import { formatReport, inspect, REPORT_GROUPS, type InspectReport, type ReportGroup } from '../inspect/index.js';
import { flagBool, flagList, formatFlags, parseArgs, type FlagSpec } from './args.js';
import type { CliIO, Command } from './io.js';

const FLAGS: FlagSpec[] = [
  { name: 'json', type: 'boolean', help: 'print the report as JSON (fields documented in the README)' },
  { name: 'disassemble', short: 'd', type: 'boolean', help: 'decode and print every function body' },
  { name: 'section', short: 's', type: 'list', value: 'NAME', help: `print only these groups (repeatable): ${REPORT_GROUPS.join(', ')}` },
  { name: 'member', short: 'm', type: 'list', value: 'NAME', help: 'archives: only this member (repeatable)' },
];

function usage(): string {
  return [
    'usage: wasmthreads inspect [--json] [--disassemble] [--section NAME] FILE…',
    '',
    'Show what a wasm module, relocatable object or archive (per member) contains: sections,',
    'imports/exports, memories, globals, symbols, segments, relocations, init functions, comdats,',
    'target features, producers, the TLS layout, and the thread ABI it expects, with why.',
    '',
    'options:',
    formatFlags(FLAGS),
  ].join('\n');
}

function usageError(message: string): WasmthreadsError {
  return new WasmthreadsError({ severity: 'error', code: 'usage', message, hint: "see 'wasmthreads inspect --help'" });
}

function selectedGroups(names: string[], disassemble: boolean): ReportGroup[] {
  for (const n of names) {
    if (!(REPORT_GROUPS as readonly string[]).includes(n)) throw usageError(`unknown --section '${n}' (one of: ${REPORT_GROUPS.join(', ')})`);
  }
  if (names.length > 0) return REPORT_GROUPS.filter((g) => names.includes(g) || (g === 'code' && disassemble));
  return REPORT_GROUPS.filter((g) => g !== 'code' || disassemble);
}

/** Archive members that could not be decoded (not-wasm members are skipped silently). */
function memberErrors(report: InspectReport): Diagnostic[] {
  if (report.kind !== 'archive') return [];
  return report.members.flatMap((m) => m.diagnostics ?? []);
}

/** Reads one input; a directory or a missing file is one error naming it. */
async function readInput(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    throw new WasmthreadsError({ severity: 'error', code: 'read', file, message: readErrorText(err, 'a module, object or archive') });
  }
}

async function run(argv: string[], io: CliIO): Promise<number> {
  // `inspect FILE --help` as well as `inspect --help` (which the CLI answers before this runs).
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(usage() + '\n');
    return 0;
  }
  const args = parseArgs(argv, FLAGS);
  if (args.positionals.length === 0) throw usageError('no input files');
  const disassemble = flagBool(args, 'disassemble');
  const groups = selectedGroups(flagList(args, 'section'), disassemble);
  const members = flagList(args, 'member');
  const reports: InspectReport[] = [];
  let failed = false;
  for (const file of args.positionals) {
    const bytes = await readInput(file);
    const report = inspect(bytes, file, { disassemble: disassemble || undefined, members: members.length ? members : undefined });
    for (const d of memberErrors(report)) {
      io.stderr(formatDiagnostic(d) + '\n');
      failed = true;
    }
    if (args.flags.has('json')) reports.push(report);
    else io.stdout(formatReport(report, groups) + (args.positionals.length > 1 ? '\n' : ''));
  }
  if (args.flags.has('json')) io.stdout(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n');
  return failed ? 1 : 0;
}

export const inspectCommand: Command = {
  name: 'inspect',
  usage,
  run,
};
