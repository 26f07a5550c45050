// The TLS layout of a module or object, which no other tool shows in one place:
// the TLS segments (segment flag 0x2, or lld's legacy `.tdata`/`.tbss` name rule), the values of
// `__tls_size` / `__tls_align`, the `__tls_base` global and `__wasm_init_tls`, the TLS symbols,
// and which functions use TLS — found by decoding code for `global.get`/`global.set` of
// `__tls_base`, and in objects also by `RelocType.R_WASM_GLOBAL_INDEX_LEB` relocations against
// `__tls_base` and `R_WASM_MEMORY_ADDR_TLS_SLEB(64)` relocations.

import { isTlsReloc, RelocType, RELOC_TYPES } from '../binary/reloc-types.js';
import { findSection, SegmentFlag, SymbolFlag, SymbolKind, type WasmModule } from '../binary/types.js';
import { functionAtOffset, type CodeScan } from './code-scan.js';
import type { ModuleIndex } from './module-index.js';
import { constExprText, constExprValue, optional } from './module-report.js';
import type { SegmentInfoReport, TlsReport, TlsSegmentReport, TlsUserReport } from './report.js';

const TLS_SEGMENT_PREFIXES = ['.tdata', '.tbss'];

export function isTlsSegmentName(name: string | undefined): boolean {
  return name !== undefined && TLS_SEGMENT_PREFIXES.some((p) => name.startsWith(p));
}

function tlsSegments(mod: WasmModule, index: ModuleIndex, segmentInfo: SegmentInfoReport[]): TlsSegmentReport[] {
  if (segmentInfo.length > 0) {
    return segmentInfo
      .filter((s) => s.flags & SegmentFlag.TLS || isTlsSegmentName(s.name))
      .map((s) => ({ index: s.index, name: s.name, size: s.size ?? 0, alignment: s.alignment, reason: s.flags & SegmentFlag.TLS ? 'flag' : 'name' }));
  }
  const out: TlsSegmentReport[] = [];
  (findSection(mod, 11)?.segments ?? []).forEach((seg, i) => {
    const name = index.dataName(i);
    if (isTlsSegmentName(name)) out.push({ index: i, name, size: seg.init.length, reason: 'name' });
  });
  return out;
}

/** The constant value of the defined global named `name`. */
function globalValue(mod: WasmModule, index: ModuleIndex, name: string): number | undefined {
  const g = index.globalByName(name);
  if (g === undefined || g < index.globalImports.length) return undefined;
  const def = findSection(mod, 6)?.globals[g - index.globalImports.length];
  const v = def ? constExprValue(def.init) : undefined;
  return typeof v === 'number' ? v : undefined;
}

function tlsBase(mod: WasmModule, index: ModuleIndex): TlsReport['tlsBase'] {
  const g = index.globalByName('__tls_base');
  if (g === undefined) return undefined;
  const imported = index.globalImports[g];
  if (imported) {
    const desc = imported.import.desc;
    return { global: g, import: `${imported.import.module}.${imported.import.name}`, mutable: desc.kind === 3 && desc.global.mutable };
  }
  const def = findSection(mod, 6)?.globals[g - index.globalImports.length];
  if (!def) return undefined;
  return { global: g, mutable: def.type.mutable, init: constExprText(def.init) };
}

/** TLS symbols: flagged TLS, or defined in a TLS segment. */
function tlsSymbols(index: ModuleIndex, segments: TlsSegmentReport[]): string[] {
  const tlsSegs = new Set(segments.map((s) => s.index));
  const out: string[] = [];
  index.symbols.forEach((s, i) => {
    const inTlsSegment = s.kind === SymbolKind.Data && s.segment !== undefined && tlsSegs.has(s.segment);
    if (s.flags & SymbolFlag.TLS || inTlsSegment) out.push(index.symbolName(i) ?? `#${i}`);
  });
  return out;
}

function addUse(users: Map<number, Set<string>>, func: number, via: string): void {
  const set = users.get(func) ?? new Set<string>();
  set.add(via);
  users.set(func, set);
}

/** Relocations in the code section that make a function a TLS user (objects). */
function relocationUsers(mod: WasmModule, index: ModuleIndex, users: Map<number, Set<string>>): void {
  const codeIndex = mod.sections.findIndex((s) => s.id === 10);
  const code = mod.sections[codeIndex];
  if (!code) return;
  for (const s of mod.sections) {
    if (s.id !== 0 || s.custom !== 'reloc' || s.targetSection !== codeIndex) continue;
    for (const r of s.relocations.toArray()) {
      const sym = index.symbols[r.index];
      const againstTlsBase = r.type === RelocType.R_WASM_GLOBAL_INDEX_LEB && sym?.kind === SymbolKind.Global && index.symbolName(r.index) === '__tls_base';
      if (!againstTlsBase && !isTlsReloc(r.type)) continue;
      const func = functionAtOffset(mod, index.funcImports.length, code.contentOffset + r.offset);
      if (func !== undefined) addUse(users, func, RELOC_TYPES[r.type].name);
    }
  }
}

export function tlsReport(mod: WasmModule, index: ModuleIndex, segmentInfo: SegmentInfoReport[], scan: CodeScan): TlsReport {
  const segments = tlsSegments(mod, index, segmentInfo);
  const users = new Map<number, Set<string>>();
  for (const [f, uses] of scan.globalUsers) for (const u of uses) addUse(users, f, `${u} __tls_base`);
  relocationUsers(mod, index, users);
  const userReports: TlsUserReport[] = [...users.keys()]
    .sort((a, b) => a - b)
    .map((f) => ({ function: f, ...optional('name', index.funcName(f)), via: [...users.get(f)!].sort() }));
  const report: TlsReport = { segments, symbols: tlsSymbols(index, segments), users: userReports };
  const size = globalValue(mod, index, '__tls_size');
  const align = globalValue(mod, index, '__tls_align');
  if (size !== undefined) report.tlsSize = size;
  if (align !== undefined) report.tlsAlign = align;
  const base = tlsBase(mod, index);
  if (base) report.tlsBase = base;
  const initTls = index.funcByName('__wasm_init_tls');
  if (initTls !== undefined) {
    const exported = (findSection(mod, 7)?.exports ?? []).some((e) => e.kind === 0 && e.name === '__wasm_init_tls');
    report.initTls = { function: initTls, exported };
  }
  return report;
}
