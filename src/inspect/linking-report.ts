// The relocatable-object parts of an inspect report: the `linking` section (symbol table with
// decoded flags, segment info, init functions, comdats) and every `reloc.*` section with type
// names, offsets, symbol names and addends (tool-conventions Linking.md).

import { RELOC_TYPES } from '../binary/reloc-types.js';
import { findCustom, findSection, SegmentFlag, SymbolFlag, SymbolKind, type WasmModule } from '../binary/types.js';
import type { ModuleIndex } from './module-index.js';
import { optional } from './module-report.js';
import type { ComdatReport, InitFuncReport, RelocationSectionReport, SegmentInfoReport, SymbolReport } from './report.js';

const SYMBOL_KIND_NAMES = ['function', 'data', 'global', 'section', 'tag', 'table'] as const;

/** Flag bits in the order wasm-objdump and the spec list them, with our display names. */
const SYMBOL_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [SymbolFlag.UNDEFINED, 'undefined'],
  [SymbolFlag.BINDING_WEAK, 'weak'],
  [SymbolFlag.BINDING_LOCAL, 'local'],
  [SymbolFlag.VISIBILITY_HIDDEN, 'hidden'],
  [SymbolFlag.EXPORTED, 'exported'],
  [SymbolFlag.EXPLICIT_NAME, 'explicit-name'],
  [SymbolFlag.NO_STRIP, 'no-strip'],
  [SymbolFlag.TLS, 'tls'],
  [SymbolFlag.ABSOLUTE, 'absolute'],
];

const SEGMENT_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [SegmentFlag.STRINGS, 'strings'],
  [SegmentFlag.TLS, 'tls'],
  [SegmentFlag.RETAIN, 'retain'],
];

/** Comdat entry kinds (Linking.md WASM_COMDAT_*). */
const COMDAT_KIND_NAMES = ['data', 'function', 'global', 'tag', 'table', 'section'];

function flagNames(flags: number, table: readonly (readonly [number, string])[]): string[] {
  const names = table.filter(([bit]) => flags & bit).map(([, n]) => n);
  const known = table.reduce((m, [bit]) => m | bit, 0);
  if (flags & ~known) names.push(`0x${(flags & ~known).toString(16)}`);
  return names;
}

export function symbolReports(index: ModuleIndex): SymbolReport[] {
  return index.symbols.map((s, i) => {
    const r: SymbolReport = { index: i, kind: SYMBOL_KIND_NAMES[s.kind], name: index.symbolName(i) ?? '', flags: s.flags, flagNames: flagNames(s.flags, SYMBOL_FLAG_NAMES) };
    if (s.kind === SymbolKind.Data) {
      if (s.segment !== undefined) r.segment = s.segment;
      if (s.offset !== undefined) r.offset = Number(s.offset);
      if (s.size !== undefined) r.size = Number(s.size);
    } else if (s.kind === SymbolKind.Section) r.section = s.section;
    else r.elementIndex = s.index;
    return r;
  });
}

export function segmentInfoReports(mod: WasmModule): SegmentInfoReport[] {
  const data = findSection(mod, 11)?.segments ?? [];
  const out: SegmentInfoReport[] = [];
  for (const sub of findCustom(mod, 'linking')?.subsections ?? []) {
    if (!('segments' in sub)) continue;
    sub.segments.forEach((seg, i) => {
      out.push({ index: i, name: seg.name, alignment: 2 ** seg.alignment, p2align: seg.alignment, flags: seg.flags, flagNames: flagNames(seg.flags, SEGMENT_FLAG_NAMES), ...optional('size', data[i]?.init.length) });
    });
  }
  return out;
}

export function initFuncReports(mod: WasmModule, index: ModuleIndex): InitFuncReport[] {
  const out: InitFuncReport[] = [];
  for (const sub of findCustom(mod, 'linking')?.subsections ?? []) {
    if ('initFuncs' in sub) for (const f of sub.initFuncs) out.push({ priority: f.priority, symbol: f.symbol, ...optional('name', index.symbolName(f.symbol)) });
  }
  return out;
}

export function comdatReports(mod: WasmModule, index: ModuleIndex): ComdatReport[] {
  const out: ComdatReport[] = [];
  for (const sub of findCustom(mod, 'linking')?.subsections ?? []) {
    if (!('comdats' in sub)) continue;
    for (const c of sub.comdats) {
      const entries = c.entries.map((e) => {
        const kind = COMDAT_KIND_NAMES[e.kind] ?? `kind ${e.kind}`;
        const name = kind === 'function' ? index.funcName(e.index) : kind === 'data' ? index.dataName(e.index) : kind === 'section' ? index.sectionName(e.index) : undefined;
        return { kind, index: e.index, ...optional('name', name) };
      });
      out.push({ name: c.name, flags: c.flags, entries });
    }
  }
  return out;
}

export function relocationReports(mod: WasmModule, index: ModuleIndex): RelocationSectionReport[] {
  const out: RelocationSectionReport[] = [];
  for (const s of mod.sections) {
    if (s.id !== 0 || s.custom !== 'reloc') continue;
    const target = mod.sections[s.targetSection];
    const base = target?.contentOffset ?? 0;
    const entries = s.relocations.toArray().map((r) => {
      const info = RELOC_TYPES[r.type];
      const isTypeIndex = info?.symbolKinds.length === 0;
      return {
        type: info?.name ?? `unknown(${r.type})`,
        offset: r.offset,
        fileOffset: base + r.offset,
        index: r.index,
        ...optional('symbol', isTypeIndex ? undefined : index.symbolName(r.index)),
        ...optional('addend', r.addend),
      };
    });
    out.push({ name: s.name, targetSection: s.targetSection, targetName: index.sectionName(s.targetSection), entries });
  }
  return out;
}
