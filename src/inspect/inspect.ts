// `inspect(bytes, file)`: the report for a module, a relocatable object, or an archive (one
// report per member, each member read only when it is reached). Pure: no printing, no I/O; bad
// input throws DecodeError naming the file and offset (archive members: `lib.a(member.o)`).

import { isArchive, readArchive, type ArchiveMember } from '../binary/archive.js';
import { disassembleFunction, valTypeName } from '../binary/disassemble.js';
import { isWasm } from '../binary/format.js';
import { readModule } from '../binary/read-module.js';
import { findCustom, findSection, type WasmModule } from '../binary/types.js';
import { DecodeError, WasmthreadsError } from '../diagnostics.js';
import { scanCode } from './code-scan.js';
import { comdatReports, initFuncReports, relocationReports, segmentInfoReports, symbolReports } from './linking-report.js';
import { ModuleIndex } from './module-index.js';
import {
  dataSegmentReports,
  exportReports,
  functionReports,
  globalReports,
  importReports,
  memoryReports,
  optional,
  sectionReports,
  tableReports,
} from './module-report.js';
import type { ArchiveMemberReport, ArchiveReport, DisassemblyReport, InspectOptions, InspectReport, ModuleReport } from './report.js';
import { detectThreadAbi } from './thread-abi.js';
import { tlsReport } from './tls-layout.js';

export function inspect(bytes: Uint8Array, file: string, options: InspectOptions = {}): InspectReport {
  if (isArchive(bytes)) return inspectArchive(bytes, file, options);
  if (!isWasm(bytes)) throw new DecodeError('not a WebAssembly module, object or archive (bad magic number)', file, 0);
  return inspectModule(readModule(bytes, file), bytes.length, file, options);
}

export function inspectModule(mod: WasmModule, size: number, file: string, options: InspectOptions = {}): ModuleReport {
  const index = new ModuleIndex(mod);
  const segmentInfo = segmentInfoReports(mod);
  const scan = scanCode(mod, index.funcImports.length, index.globalByName('__tls_base'), file);
  const linking = findCustom(mod, 'linking');
  const start = findSection(mod, 8)?.start;
  const report: ModuleReport = {
    file,
    kind: index.isObject ? 'object' : 'module',
    size,
    version: mod.version,
    sections: sectionReports(mod, index, size),
    types: index.types.length,
    imports: importReports(index),
    exports: exportReports(mod),
    functions: functionReports(mod, index),
    tables: tableReports(mod, index),
    memories: memoryReports(mod, index),
    globals: globalReports(mod, index),
    tags: index.tagImports.length + (findSection(mod, 13)?.tags.length ?? 0),
    ...optional('start', start === undefined ? undefined : Number(start)),
    elementSegments: findSection(mod, 9)?.elements.length ?? 0,
    dataSegments: dataSegmentReports(mod, index),
    ...optional('linkingVersion', linking?.version),
    symbols: symbolReports(index),
    segmentInfo,
    initFuncs: initFuncReports(mod, index),
    comdats: comdatReports(mod, index),
    relocations: relocationReports(mod, index),
    targetFeatures: (findCustom(mod, 'target_features')?.features ?? []).map((f) => `${f.prefix}${f.name}`),
    producers: producers(mod),
    tls: tlsReport(mod, index, segmentInfo, scan),
    threadAbi: detectThreadAbi(mod),
  };
  if (options.disassemble) report.disassembly = disassembly(mod, index, file);
  return report;
}

function producers(mod: WasmModule): ModuleReport['producers'] {
  const out: ModuleReport['producers'] = {};
  for (const f of findCustom(mod, 'producers')?.fields ?? []) out[f.name] = f.values.map((v) => ({ name: v.name, version: v.version }));
  return out;
}

function disassembly(mod: WasmModule, index: ModuleIndex, file: string): DisassemblyReport[] {
  const names = { func: (i: number) => index.funcName(i), global: (i: number) => index.globalName(i) };
  return (findSection(mod, 10)?.bodies ?? []).map((body, j) => {
    const func = index.funcImports.length + j;
    const fn = disassembleFunction(body, file, names);
    return {
      function: func,
      ...optional('name', index.funcName(func)),
      locals: fn.locals.map((d) => `${d.count} x ${valTypeName(d.type)}`),
      instructions: fn.instructions.map((i) => ({ offset: i.offset, depth: i.depth, bytes: hexPairs(i.bytes), text: i.text })),
    };
  });
}

function hexPairs(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function inspectArchive(bytes: Uint8Array, file: string, options: InspectOptions): ArchiveReport {
  const archive = readArchive(bytes, file);
  const wanted = options.members ? new Set(options.members) : undefined;
  const members = archive.members.filter((m) => !wanted || wanted.has(m.name)).map((m) => inspectMember(m, options));
  return { file, kind: 'archive', size: bytes.length, indexSymbols: archive.index?.names.length ?? 0, members };
}

function inspectMember(m: ArchiveMember, options: InspectOptions): ArchiveMemberReport {
  const base = { name: m.name, offset: m.offset, size: m.size };
  const bytes = m.bytes();
  if (!isWasm(bytes)) return { ...base, error: 'not a WebAssembly file' };
  try {
    return { ...base, report: inspectModule(readModule(bytes, m.file), bytes.length, m.file, options) };
  } catch (e) {
    if (e instanceof WasmthreadsError) return { ...base, error: e.message, diagnostics: e.diagnostics };
    throw e;
  }
}
