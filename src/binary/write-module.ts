// writeModule: encodes the model of types.ts back into a WebAssembly binary (core spec §5.5;
// custom sections per tool-conventions).
//
// Every section is re-encoded from its decoded fields; only unknown custom sections (and unknown
// subsections) are written from raw bytes. Offsets in the model are ignored. Each LEB is minimal
// unless the model recorded a wider encoding from the input (`sizeWidth`), so a module read by
// readModule comes back byte for byte, and a module built from scratch comes out minimal.

import { ByteWriter } from './byte-writer.js';
import { writeCustomPayload } from './write-custom.js';
import {
  DataMode,
  ELEMKIND_FUNCREF,
  ElemFlag,
  FUNCREF,
  FUNC_TYPE_FORM,
  LimitsFlag,
  REF_NULL_PREFIX,
  REF_PREFIX,
  TABLE_WITH_INIT,
  WASM_HEADER_SIZE,
  WASM_MAGIC,
  WASM_VERSION,
} from './format.js';
import { PADDED_LEB32_WIDTH, sizeU32 } from './leb.js';
import {
  ExternalKind,
  SectionId,
  type ConstExpr,
  type DataSegment,
  type ElementSegment,
  type FuncType,
  type GlobalType,
  type Import,
  type Limits,
  type Section,
  type Table,
  type TableType,
  type TagType,
  type ValType,
  type WasmModule,
} from './types.js';

/**
 * Encodes the module. Each section's content is written into a buffer sized from what it holds
 * (bodies, segments, payloads), then the output is allocated once at its exact size and each
 * section copied in: no buffer is regrown and nothing is copied a third time.
 */
export function writeModule(mod: WasmModule): Uint8Array {
  const plans = mod.sections.map(planSection);
  let total = WASM_HEADER_SIZE;
  mod.sections.forEach((section, i) => (total += 1 + (section.sizeWidth ?? sizeU32(plans[i].size)) + plans[i].size));
  // The writer reserves a padded LEB's width before each LEB, so a few bytes of slack keep the
  // last small section from regrowing the buffer; the result is a view of exactly `total` bytes.
  const out = new ByteWriter(total + PADDED_LEB32_WIDTH);
  out.bytes(WASM_MAGIC);
  const v = mod.version ?? WASM_VERSION;
  out.bytes(Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff));
  mod.sections.forEach((section, i) => writePlanned(out, section, plans[i]));
  return out.view();
}

/** A section's content size, and how to write that content. */
interface SectionPlan {
  size: number;
  write(out: ByteWriter): void;
}

function planSection(section: Section): SectionPlan {
  const placed = section.content;
  if (placed) return { size: placed.size, write: (out) => out.place(placed.size, placed.write) };
  // A raw custom section (the .debug_* ones, often most of the bytes) is its name and payload:
  // its size is known without building it, and the payload goes straight into the output.
  if (section.id === SectionId.Custom && section.custom === 'raw') {
    const nameBytes = Buffer.byteLength(section.name, 'utf8'); // as ByteWriter.name encodes it
    return {
      size: sizeU32(nameBytes) + nameBytes + section.payload.length,
      write: (out) => {
        out.name(section.name);
        out.bytes(section.payload);
      },
    };
  }
  const content = sectionContent(section);
  return { size: content.length, write: (out) => out.bytes(content.view()) };
}

export function writeSection(out: ByteWriter, section: Section): void {
  writePlanned(out, section, planSection(section));
}

/** The section's id, its content's size and its content. */
function writePlanned(out: ByteWriter, section: Section, plan: SectionPlan): void {
  out.u8(section.id);
  out.u32(plan.size, section.sizeWidth);
  plan.write(out);
}

/** A section's content, in a buffer sized from the bytes it is known to hold. */
function sectionContent(section: Section): ByteWriter {
  const content = new ByteWriter(contentSizeHint(section));
  writeSectionContent(content, section);
  return content;
}

/** Slack per item for its LEB sizes and headers. */
const ITEM_SLACK = 16;

function contentSizeHint(s: Section): number {
  switch (s.id) {
    case SectionId.Code:
      return s.bodies.reduce((n, b) => n + b.bytes.length + ITEM_SLACK, ITEM_SLACK);
    case SectionId.Data:
      return s.segments.reduce((n, g) => n + g.init.length + ITEM_SLACK + (g.offset?.bytes.length ?? 0), ITEM_SLACK);
    case SectionId.Custom:
      return s.name.length + ITEM_SLACK + (s.custom === 'raw' ? s.payload.length : 0);
    default:
      return 256;
  }
}

function writeSectionContent(w: ByteWriter, s: Section): void {
  switch (s.id) {
    case SectionId.Custom:
      w.name(s.name);
      writeCustomPayload(w, s);
      return;
    case SectionId.Type:
      vec(w, s.types, writeFuncType);
      return;
    case SectionId.Import:
      vec(w, s.imports, writeImport);
      return;
    case SectionId.Function:
      vec(w, s.functions, (w, t) => w.u32(t));
      return;
    case SectionId.Table:
      vec(w, s.tables, writeTable);
      return;
    case SectionId.Memory:
      vec(w, s.memories, (w, m) => writeLimits(w, m.limits));
      return;
    case SectionId.Global:
      vec(w, s.globals, (w, g) => {
        writeGlobalType(w, g.type);
        w.bytes(g.init.bytes);
      });
      return;
    case SectionId.Export:
      vec(w, s.exports, (w, e) => {
        w.name(e.name);
        w.u8(e.kind);
        w.u32(e.index);
      });
      return;
    case SectionId.Start:
      w.u32(s.start);
      return;
    case SectionId.Element:
      vec(w, s.elements, writeElement);
      return;
    case SectionId.DataCount:
      w.u32(s.count);
      return;
    case SectionId.Code:
      vec(w, s.bodies, (w, b) => {
        w.u32(b.bytes.length, b.sizeWidth);
        w.bytes(b.bytes);
      });
      return;
    case SectionId.Data:
      vec(w, s.segments, writeDataSegment);
      return;
    case SectionId.Tag:
      vec(w, s.tags, writeTagType);
      return;
  }
}

function vec<T>(w: ByteWriter, items: readonly T[], each: (w: ByteWriter, item: T) => void): void {
  w.vec(items, each);
}

/** Active segments need an offset; a model built without one is a programming error, not bad input. */
function requireExpr(expr: ConstExpr | undefined, what: string): ConstExpr {
  if (expr === undefined) throw new TypeError(`writeModule: ${what} has no offset expression`);
  return expr;
}

export function writeValType(w: ByteWriter, t: ValType): void {
  if (typeof t === 'number') {
    w.u8(t);
    return;
  }
  w.u8(t.nullable ? REF_NULL_PREFIX : REF_PREFIX);
  if (t.heapIsIndex) w.s64(BigInt(t.heap));
  else w.u8(t.heap);
}

function writeFuncType(w: ByteWriter, t: FuncType): void {
  w.u8(FUNC_TYPE_FORM);
  vec(w, t.params, writeValType);
  vec(w, t.results, writeValType);
}

function writeLimits(w: ByteWriter, l: Limits): void {
  w.u8(l.flags);
  const is64 = (l.flags & LimitsFlag.IS_64) !== 0;
  const put = (v: bigint) => (is64 ? w.u64(v) : w.u32(Number(v)));
  put(l.min);
  if (l.flags & LimitsFlag.HAS_MAX) put(l.max ?? 0n);
  if (l.flags & LimitsFlag.CUSTOM_PAGE_SIZE) w.u32(l.pageSizeLog2 ?? 0);
}

function writeTableType(w: ByteWriter, t: TableType): void {
  writeValType(w, t.elemType);
  writeLimits(w, t.limits);
}

function writeTable(w: ByteWriter, t: Table): void {
  if (t.init === undefined) {
    writeTableType(w, t.type);
    return;
  }
  w.u8(TABLE_WITH_INIT);
  w.u8(0);
  writeTableType(w, t.type);
  w.bytes(t.init.bytes);
}

function writeGlobalType(w: ByteWriter, t: GlobalType): void {
  writeValType(w, t.valType);
  w.u8(t.mutable ? 1 : 0);
}

function writeTagType(w: ByteWriter, t: TagType): void {
  w.u8(t.attribute);
  w.u32(t.typeIndex);
}

function writeImport(w: ByteWriter, imp: Import): void {
  w.name(imp.module);
  w.name(imp.name);
  const d = imp.desc;
  w.u8(d.kind);
  switch (d.kind) {
    case ExternalKind.Func:
      w.u32(d.typeIndex);
      return;
    case ExternalKind.Table:
      writeTableType(w, d.table);
      return;
    case ExternalKind.Memory:
      writeLimits(w, d.memory.limits);
      return;
    case ExternalKind.Global:
      writeGlobalType(w, d.global);
      return;
    case ExternalKind.Tag:
      writeTagType(w, d.tag);
      return;
  }
}

function writeElement(w: ByteWriter, e: ElementSegment): void {
  w.u32(e.flags);
  const active = (e.flags & ElemFlag.PASSIVE_OR_DECLARATIVE) === 0;
  if (active && e.flags & ElemFlag.EXPLICIT_TABLE) w.u32(e.tableIndex ?? 0);
  if (active) w.bytes(requireExpr(e.offset, 'active element segment').bytes);
  const usesExprs = (e.flags & ElemFlag.EXPRESSIONS) !== 0;
  if (e.flags !== 0 && e.flags !== ElemFlag.EXPRESSIONS) {
    if (usesExprs) writeValType(w, e.refType ?? FUNCREF);
    else w.u8(e.elemKind ?? ELEMKIND_FUNCREF);
  }
  if (usesExprs) vec(w, e.exprs ?? [], (w, x) => w.bytes(x.bytes));
  else vec(w, e.funcIndices ?? [], (w, f) => w.u32(f));
}

function writeDataSegment(w: ByteWriter, d: DataSegment): void {
  w.u32(d.flags);
  if (d.flags === DataMode.ACTIVE_EXPLICIT) w.u32(d.memoryIndex ?? 0);
  if (d.flags !== DataMode.PASSIVE) w.bytes(requireExpr(d.offset, 'active data segment').bytes);
  w.u32(d.init.length);
  w.bytes(d.init);
}
