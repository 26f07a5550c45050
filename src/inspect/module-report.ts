// The module-level parts of an inspect report: sections with offsets and sizes, imports, exports,
// functions, tables, memories (limits, shared), globals with their initial values, data segments.

import { DataMode, LimitsFlag } from '../binary/format.js';
import { constExprReader } from '../binary/instructions.js';
import { instructionText, valTypeName } from '../binary/disassemble.js';
import { evalConstExpr } from '../binary/const-expr.js';
import { ExternalKind, SectionId, ValTypeCode, findSection, type ConstExpr, type Limits, type Section, type WasmModule } from '../binary/types.js';
import type { ModuleIndex } from './module-index.js';
import type {
  DataSegmentReport,
  ExportReport,
  FunctionReport,
  GlobalReport,
  ImportReport,
  MemoryReport,
  SectionReport,
  TableReport,
} from './report.js';

const KIND_NAMES = ['func', 'table', 'memory', 'global', 'tag'] as const;

/** Entry count of a vector section, for the section table. */
function entryCount(s: Section): number | undefined {
  switch (s.id) {
    case SectionId.Type: return s.types.length;
    case SectionId.Import: return s.imports.length;
    case SectionId.Function: return s.functions.length;
    case SectionId.Table: return s.tables.length;
    case SectionId.Memory: return s.memories.length;
    case SectionId.Global: return s.globals.length;
    case SectionId.Export: return s.exports.length;
    case SectionId.Element: return s.elements.length;
    case SectionId.Code: return s.bodies.length;
    case SectionId.Data: return s.segments.length;
    case SectionId.DataCount: return s.count;
    case SectionId.Tag: return s.tags.length;
    default: return undefined;
  }
} // prettier-ignore

export function sectionReports(mod: WasmModule, index: ModuleIndex, fileSize: number): SectionReport[] {
  return mod.sections.map((s, i) => {
    const next = mod.sections[i + 1];
    const end = next === undefined ? fileSize : next.offset;
    const r: SectionReport = { index: i, id: s.id, name: index.sectionName(i), offset: s.offset, contentOffset: s.contentOffset, size: end - s.contentOffset };
    const count = entryCount(s);
    if (count !== undefined) r.count = count;
    return r;
  });
}

export function limitsText(l: Limits): string {
  const parts = [`min=${l.min}`];
  if (l.max !== undefined) parts.push(`max=${l.max}`);
  if (l.flags & LimitsFlag.SHARED) parts.push('shared');
  if (l.flags & LimitsFlag.IS_64) parts.push('i64');
  return parts.join(' ');
}

export function importReports(index: ModuleIndex): ImportReport[] {
  const lists = [index.funcImports, index.tableImports, index.memoryImports, index.globalImports, index.tagImports];
  return index.imports.map((imp) => {
    const entry = lists[imp.desc.kind].find((e) => e.import === imp)!;
    let type: string;
    switch (imp.desc.kind) {
      case ExternalKind.Func: type = index.signature(imp.desc.typeIndex); break;
      case ExternalKind.Table: type = `${valTypeName(imp.desc.table.elemType)} ${limitsText(imp.desc.table.limits)}`; break;
      case ExternalKind.Memory: type = limitsText(imp.desc.memory.limits); break;
      case ExternalKind.Global: type = `${imp.desc.global.mutable ? 'mut ' : ''}${valTypeName(imp.desc.global.valType)}`; break;
      default: type = index.signature(imp.desc.tag.typeIndex);
    } // prettier-ignore
    return { module: imp.module, name: imp.name, kind: KIND_NAMES[imp.desc.kind], index: entry.index, type };
  });
}

export function exportReports(mod: WasmModule): ExportReport[] {
  return (findSection(mod, 7)?.exports ?? []).map((e) => ({ name: e.name, kind: KIND_NAMES[e.kind], index: e.index }));
}

export function functionReports(mod: WasmModule, index: ModuleIndex): FunctionReport[] {
  const out: FunctionReport[] = index.funcImports.map(({ import: imp, index: i }) => ({
    index: i,
    ...optional('name', index.funcName(i)),
    type: imp.desc.kind === 0 ? index.signature(imp.desc.typeIndex) : '?',
    import: `${imp.module}.${imp.name}`,
  }));
  const declared = findSection(mod, 3)?.functions ?? [];
  const bodies = findSection(mod, 10)?.bodies ?? [];
  declared.forEach((typeIndex, j) => {
    const i = index.funcImports.length + j;
    const body = bodies[j];
    out.push({
      index: i,
      ...optional('name', index.funcName(i)),
      type: index.signature(typeIndex),
      ...(body ? { bodyOffset: body.bytesOffset, bodySize: body.bytes.length } : {}),
    });
  });
  return out;
}

function memoryReport(l: Limits, i: number, imp?: string): MemoryReport {
  const r: MemoryReport = { index: i, ...optional('import', imp), min: Number(l.min), shared: (l.flags & LimitsFlag.SHARED) !== 0, memory64: (l.flags & LimitsFlag.IS_64) !== 0 };
  if (l.flags & LimitsFlag.HAS_MAX && l.max !== undefined) r.max = Number(l.max);
  if (l.pageSizeLog2 !== undefined) r.pageSizeLog2 = l.pageSizeLog2;
  return r;
}

export function memoryReports(mod: WasmModule, index: ModuleIndex): MemoryReport[] {
  const out = index.memoryImports.map(({ import: imp, index: i }) =>
    memoryReport(imp.desc.kind === 2 ? imp.desc.memory.limits : { flags: 0, min: 0n }, i, `${imp.module}.${imp.name}`),
  );
  for (const m of findSection(mod, 5)?.memories ?? []) out.push(memoryReport(m.limits, out.length));
  return out;
}

export function tableReports(mod: WasmModule, index: ModuleIndex): TableReport[] {
  const out: TableReport[] = [];
  const add = (elemType: string, l: Limits, imp?: string) => {
    const r: TableReport = { index: out.length, ...optional('import', imp), elemType, min: Number(l.min) };
    if (l.max !== undefined) r.max = Number(l.max);
    out.push(r);
  };
  for (const { import: imp } of index.tableImports) {
    if (imp.desc.kind === 1) add(valTypeName(imp.desc.table.elemType), imp.desc.table.limits, `${imp.module}.${imp.name}`);
  }
  for (const t of findSection(mod, 4)?.tables ?? []) add(valTypeName(t.type.elemType), t.type.limits);
  return out;
}

/** A constant expression as text: its instructions without the final `end`, joined by `; `. */
export function constExprText(expr: ConstExpr, file?: string): string {
  try {
    const r = constExprReader(expr, 0, file);
    const parts: string[] = [];
    while (r.next()) if (!r.done) parts.push(instructionText(r));
    return parts.join('; ');
  } catch {
    return '<malformed>';
  }
}

/** The value of a plain constant initialiser: number, or decimal string for i64. */
export function constExprValue(expr: ConstExpr): number | string | undefined {
  const v = evalConstExpr(expr);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

export function globalReports(mod: WasmModule, index: ModuleIndex): GlobalReport[] {
  const out: GlobalReport[] = index.globalImports.map(({ import: imp, index: i }) => {
    const g = imp.desc.kind === ExternalKind.Global ? imp.desc.global : { valType: ValTypeCode.i32, mutable: false };
    return { index: i, ...optional('name', index.globalName(i)), import: `${imp.module}.${imp.name}`, type: valTypeName(g.valType), mutable: g.mutable };
  });
  for (const g of findSection(mod, 6)?.globals ?? []) {
    const i = out.length;
    const r: GlobalReport = { index: i, ...optional('name', index.globalName(i)), type: valTypeName(g.type.valType), mutable: g.type.mutable, init: constExprText(g.init) };
    const value = constExprValue(g.init);
    if (value !== undefined) r.value = value;
    out.push(r);
  }
  return out;
}

export function dataSegmentReports(mod: WasmModule, index: ModuleIndex): DataSegmentReport[] {
  return (findSection(mod, 11)?.segments ?? []).map((seg, i) => {
    const passive = seg.flags === DataMode.PASSIVE;
    const r: DataSegmentReport = { index: i, ...optional('name', index.dataName(i)), mode: passive ? 'passive' : 'active', size: seg.init.length, fileOffset: seg.initOffset };
    if (!passive) {
      r.memory = seg.memoryIndex ?? 0;
      if (seg.offset) {
        r.offsetExpr = constExprText(seg.offset);
        const v = evalConstExpr(seg.offset);
        if (typeof v === 'number') r.address = v >>> 0;
        else if (typeof v === 'bigint') r.address = Number(v);
      }
    }
    return r;
  });
}

/** `{ key: value }` when value is defined, else `{}` — keeps undefined keys out of the JSON. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
