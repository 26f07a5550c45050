// readModule: decodes a WebAssembly binary (module or relocatable object) into the model of
// types.ts (core spec §5.5 "Modules"; custom sections per tool-conventions).
//
// How it works: after the magic and version, each section is `id, size, content`. The size is
// checked against the file before anything inside is read, and the content is decoded with the
// reader's end narrowed to the section, so an inner error can never read into the next section
// and a section must be consumed exactly. Known sections must appear at most once and in the
// spec's order (Tag sits between Memory and Global, DataCount between Element and Code); custom
// sections may appear anywhere. Non-minimal LEBs that toolchains emit on purpose (LLVM pads
// section and subsection sizes to 5 bytes) are recorded as `sizeWidth` so writeModule can
// reproduce the input byte for byte. Function bodies, data and constant expressions are kept as
// views of the input, not copies.

import { ByteReader } from './byte-reader.js';
import { BytesInterner } from './intern.js';
import {
  DataMode,
  ELEMKIND_FUNCREF,
  ElemFlag,
  MAX_ELEM_FLAGS,
  TABLE_WITH_INIT,
  WASM_HEADER_SIZE,
  WASM_VERSION,
  isWasm,
} from './format.js';
import { readConstExpr } from './const-expr.js';
import { readDylink, readNameSection, readProducers, readTargetFeatures } from './read-custom.js';
import { readLinking, readReloc, widthIfPadded, type IndexSpaces } from './read-linking.js';
import { readFuncType, readGlobalType, readLimits, readRefType, readTableType, readTagType } from './read-types.js';
import { DecodeError } from '../diagnostics.js';
import {
  ExternalKind,
  SectionId,
  type CustomSection,
  type DataSegment,
  type ElementSegment,
  type Export,
  type FuncIndex,
  type FunctionBody,
  type Global,
  type Import,
  type FuncType,
  type ProducersField,
  type TargetFeature,
  type SymbolInfo,
  type ImportDesc,
  type MemoryIndex,
  type Section,
  type Table,
  type TableIndex,
  type TypeIndex,
  type WasmModule,
} from './types.js';


/** Position of each known section in the spec's order; custom sections (0) are unordered. */
const SECTION_ORDER: Record<number, number> = {
  [SectionId.Type]: 1,
  [SectionId.Import]: 2,
  [SectionId.Function]: 3,
  [SectionId.Table]: 4,
  [SectionId.Memory]: 5,
  [SectionId.Tag]: 6,
  [SectionId.Global]: 7,
  [SectionId.Export]: 8,
  [SectionId.Start]: 9,
  [SectionId.Element]: 10,
  [SectionId.DataCount]: 11,
  [SectionId.Code]: 12,
  [SectionId.Data]: 13,
};

export const SECTION_NAMES: Record<number, string> = {
  [SectionId.Custom]: 'Custom',
  [SectionId.Type]: 'Type',
  [SectionId.Import]: 'Import',
  [SectionId.Function]: 'Function',
  [SectionId.Table]: 'Table',
  [SectionId.Memory]: 'Memory',
  [SectionId.Global]: 'Global',
  [SectionId.Export]: 'Export',
  [SectionId.Start]: 'Start',
  [SectionId.Element]: 'Element',
  [SectionId.Code]: 'Code',
  [SectionId.Data]: 'Data',
  [SectionId.DataCount]: 'DataCount',
  [SectionId.Tag]: 'Tag',
};

/** What a reader's errors inside each known section are prefixed with. */
const SECTION_CONTEXTS: Record<number, string> = Object.fromEntries(Object.entries(SECTION_NAMES).map(([id, name]) => [id, `${name} section`]));
SECTION_CONTEXTS[SectionId.Custom] = 'custom section';

export { isWasm };

export interface ReadModuleOptions {
  /**
   * Decode the `name` section (default true). A reader that regenerates names — the linker —
   * keeps it raw: decoding every function name of every object is wasted work there.
   */
  names?: boolean;
  /**
   * `reloc.*` sections that target a custom section come back raw (`custom: 'raw'`, the payload
   * starting at the target index), unread and unchecked: the linker applies them straight from
   * their bytes (readRelocEntries) when it writes the section, and skips those of sections it
   * drops (`.debug_*` under `--strip-debug`). Debug sections carry most of an object's
   * relocations (90% of the bytes of emscripten's libc-mt.a relocations).
   */
  rawCustomRelocs?: boolean;
  /**
   * Takes the sections that would come back raw (`custom: 'raw'`, with the `reloc.*` ones of
   * rawCustomRelocs) as they are read: their name, where their payload lies in the module's bytes,
   * the custom section a `reloc.*` one targets (-1 for any other) and their index. The module's
   * section list then holds RAW_CUSTOM_TAKEN in their place, so that indices are kept. The linker
   * keeps these sections as offsets into the object: a section object and a view of its payload for
   * each would be made only to be dropped (libc-mt.a's members have 22,000 such sections).
   */
  onRawCustom?: (name: string, start: number, end: number, relocTarget: number, index: number) => void;
}

/** What a module's section list holds for each section given to ReadModuleOptions.onRawCustom. */
export const RAW_CUSTOM_TAKEN: CustomSection = Object.freeze({ offset: 0, contentOffset: 0, id: SectionId.Custom, name: '', custom: 'raw', payload: new Uint8Array(0) });

export function readModule(bytes: Uint8Array, file?: string, options: ReadModuleOptions = {}): WasmModule {
  const r = new ByteReader(bytes, file);
  if (bytes.length < 4 || !isWasm(bytes)) r.fail('not a WebAssembly file (bad magic number)', 0);
  r.pos = 4;
  if (bytes.length < WASM_HEADER_SIZE) r.fail('truncated header: missing version', 4);
  const version = r.fixedU32();
  if (version !== WASM_VERSION) r.fail(`unsupported wasm version 0x${version.toString(16)} (expected 1)`, 4);
  const state = new ModuleState();
  state.decodeNames = options.names ?? true;
  state.rawCustomRelocs = options.rawCustomRelocs ?? false;
  state.onRawCustom = options.onRawCustom;
  const sections: Section[] = [];
  while (!r.atEnd()) sections.push(readSection(r, state));
  state.finish(r);
  return { version, sections };
}

/** Counts gathered while reading, for cross-section checks and for the linking decoders. */
class ModuleState implements IndexSpaces {
  decodeNames = true;
  rawCustomRelocs = false;
  types = 0;
  importedFuncs = 0;
  funcs = 0;
  importedGlobals = 0;
  globals = 0;
  importedTables = 0;
  tables = 0;
  importedTags = 0;
  tags = 0;
  dataSegmentSizes: number[] = [];
  sectionSizes: number[] = [];
  sectionNames: string[] = [];
  sectionIds: number[] = [];
  symbols?: SymbolInfo[];
  lastOrder = 0;
  lastId = -1;
  declaredFuncs = 0;
  bodies = -1;
  dataCount = -1;
  dataSegments = -1;
  /** Content offsets of the DataCount and Data sections, for the mismatch error. */
  dataCountAt = 0;
  dataAt = -1;
  onRawCustom: ReadModuleOptions['onRawCustom'] = undefined;
  /** The name of the last section given to onRawCustom (for sectionNames). */
  takenName = '';

  finish(r: ByteReader): void {
    if (this.bodies === -1 && this.declaredFuncs > 0) {
      r.fail(`Function section declares ${this.declaredFuncs} functions but there is no Code section`, r.end);
    }
    if (this.dataCount !== -1 && this.dataCount !== Math.max(this.dataSegments, 0)) {
      const at = this.dataAt === -1 ? this.dataCountAt : this.dataAt;
      r.fail(`DataCount section says ${this.dataCount} segments but the Data section has ${Math.max(this.dataSegments, 0)}`, at);
    }
  }
}

function readSection(r: ByteReader, state: ModuleState): Section {
  const offset = r.pos;
  const id = r.u8('section id');
  if (id !== SectionId.Custom) checkOrder(r, state, id, offset);
  const sizeAt = r.pos;
  const size = r.u32();
  const sizeWidth = widthIfPadded(r.pos - sizeAt, size);
  const contentOffset = r.pos;
  const name = SECTION_NAMES[id];
  if (size > r.remaining) {
    r.fail(`${name} section size ${size} runs past the end of the file (${r.remaining} bytes left)`, sizeAt);
  }
  // The content is read with the reader's end narrowed to the section: enter/leave rather than
  // withLimit, which would cost a closure per section (a linker reads a dozen sections per object
  // and thousands of objects).
  const context = SECTION_CONTEXTS[id];
  r.context = context;
  const outer = r.enter(contentOffset + size, context);
  const section = readSectionContent(r, state, id, size, contentOffset);
  r.leave(outer, context);
  r.context = undefined;
  if (section === RAW_CUSTOM_TAKEN) {
    state.sectionSizes.push(size);
    state.sectionNames.push(state.takenName);
    state.sectionIds.push(SectionId.Custom);
    return section;
  }
  section.offset = r.offset(offset);
  section.contentOffset = r.offset(contentOffset);
  if (sizeWidth !== undefined) section.sizeWidth = sizeWidth;
  state.sectionSizes.push(size);
  state.sectionNames.push(section.id === SectionId.Custom ? section.name : name);
  state.sectionIds.push(section.id);
  return section;
}

function checkOrder(r: ByteReader, state: ModuleState, id: number, at: number): void {
  const order = SECTION_ORDER[id];
  if (order === undefined) r.fail(`unknown section id ${id}`, at);
  if (order === state.lastOrder) r.fail(`duplicate ${SECTION_NAMES[id]} section`, at);
  if (order < state.lastOrder) {
    r.fail(`${SECTION_NAMES[id]} section out of order (after the ${SECTION_NAMES[state.lastId]} section)`, at);
  }
  state.lastOrder = order;
  state.lastId = id;
}

/** A section's fields; its offsets are placeholders (0) that readSection fills in. */
function readSectionContent(r: ByteReader, s: ModuleState, id: number, size: number, start: number): Section {
  switch (id) {
    case SectionId.Custom:
      return readCustomSection(r, s, size, start);
    case SectionId.Type: {
      const n = r.count('type', 3);
      const types = new Array<FuncType>(n);
      for (let i = 0; i < n; i++) types[i] = readFuncType(r);
      s.types = n;
      return { offset: 0, contentOffset: 0, id, types };
    }
    case SectionId.Import:
      return { offset: 0, contentOffset: 0, id, imports: readImports(r, s) };
    case SectionId.Function: {
      const n = r.count('function', 1);
      const functions = new Array<TypeIndex>(n);
      for (let i = 0; i < n; i++) functions[i] = checkedIndex(r, s.types, 'type') as TypeIndex;
      s.declaredFuncs = n;
      s.funcs += n;
      return { offset: 0, contentOffset: 0, id, functions };
    }
    case SectionId.Table: {
      const n = r.count('table', 3);
      const tables = new Array<Table>(n);
      for (let i = 0; i < n; i++) tables[i] = readTable(r);
      s.tables += n;
      return { offset: 0, contentOffset: 0, id, tables };
    }
    case SectionId.Memory: {
      const n = r.count('memory', 2);
      const memories = new Array(n);
      for (let i = 0; i < n; i++) memories[i] = { limits: readLimits(r, 'memory') };
      return { offset: 0, contentOffset: 0, id, memories };
    }
    case SectionId.Global: {
      const n = r.count('global', 4);
      const globals = new Array<Global>(n);
      for (let i = 0; i < n; i++) globals[i] = { type: readGlobalType(r), init: readConstExpr(r, `global ${i}`) };
      s.globals += n;
      return { offset: 0, contentOffset: 0, id, globals };
    }
    case SectionId.Export:
      return { offset: 0, contentOffset: 0, id, exports: readExports(r) };
    case SectionId.Start:
      return { offset: 0, contentOffset: 0, id, start: checkedIndex(r, s.funcs, 'start function') as FuncIndex };
    case SectionId.Element: {
      const n = r.count('element segment', 2);
      const elements = new Array<ElementSegment>(n);
      for (let i = 0; i < n; i++) elements[i] = readElement(r, i);
      return { offset: 0, contentOffset: 0, id, elements };
    }
    case SectionId.DataCount:
      s.dataCountAt = start;
      s.dataCount = r.u32();
      return { offset: 0, contentOffset: 0, id, count: s.dataCount };
    case SectionId.Code:
      return { offset: 0, contentOffset: 0, id, bodies: readCode(r, s) };
    case SectionId.Data:
      s.dataAt = start;
      return { offset: 0, contentOffset: 0, id, segments: readData(r, s) };
    case SectionId.Tag: {
      const n = r.count('tag', 2);
      const tags = new Array(n);
      for (let i = 0; i < n; i++) tags[i] = readTagType(r);
      s.tags += n;
      return { offset: 0, contentOffset: 0, id, tags };
    }
    default:
      return r.fail(`unknown section id ${id}`, start);
  }
}

function checkedIndex(r: ByteReader, limit: number, what: string): number {
  const at = r.pos;
  const index = r.u32();
  if (index >= limit) r.fail(`${what} index ${index} out of range (${limit} defined)`, at);
  return index;
}

function readImports(r: ByteReader, s: ModuleState): Import[] {
  const n = r.count('import', 4);
  const imports = new Array<Import>(n);
  for (let i = 0; i < n; i++) {
    const module = r.name('import module name');
    const name = r.name('import field name');
    imports[i] = { module, name, desc: readImportDesc(r, s) };
  }
  return imports;
}

function readImportDesc(r: ByteReader, s: ModuleState): ImportDesc {
  const at = r.pos;
  const kind = r.u8('import kind');
  switch (kind) {
    case ExternalKind.Func:
      s.importedFuncs++;
      s.funcs++;
      return { kind, typeIndex: checkedIndex(r, s.types, 'type') as TypeIndex };
    case ExternalKind.Table:
      s.importedTables++;
      s.tables++;
      return { kind, table: readTableType(r) };
    case ExternalKind.Memory:
      return { kind, memory: { limits: readLimits(r, 'memory') } };
    case ExternalKind.Global:
      s.importedGlobals++;
      s.globals++;
      return { kind, global: readGlobalType(r) };
    case ExternalKind.Tag:
      s.importedTags++;
      s.tags++;
      return { kind, tag: readTagType(r) };
    default:
      return r.fail(`unknown import kind ${kind}`, at);
  }
}

function readTable(r: ByteReader): Table {
  if (r.peek() !== TABLE_WITH_INIT) return { type: readTableType(r) };
  r.pos++;
  const at = r.pos;
  if (r.u8('table reserved byte') !== 0) r.fail('expected 0x00 after 0x40 in table with initializer', at);
  const type = readTableType(r);
  return { type, init: readConstExpr(r, 'table initializer') };
}

function readExports(r: ByteReader): Export[] {
  const n = r.count('export', 3);
  const exports = new Array<Export>(n);
  for (let i = 0; i < n; i++) {
    const name = r.name('export name');
    const at = r.pos;
    const kind = r.u8('export kind');
    if (kind > ExternalKind.Tag) r.fail(`unknown export kind ${kind} for \`${name}\``, at);
    exports[i] = { name, kind: kind as ExternalKind, index: r.u32() };
  }
  return exports;
}

function readElement(r: ByteReader, i: number): ElementSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags > MAX_ELEM_FLAGS) r.fail(`invalid element segment flags ${flags}`, at);
  const seg: ElementSegment = { flags };
  const active = (flags & ElemFlag.PASSIVE_OR_DECLARATIVE) === 0;
  if (active && flags & ElemFlag.EXPLICIT_TABLE) seg.tableIndex = r.u32() as TableIndex;
  if (active) seg.offset = readConstExpr(r, `element segment ${i} offset`);
  const usesExprs = (flags & ElemFlag.EXPRESSIONS) !== 0;
  // Forms 0 and 4 imply funcref; the others spell out the elemkind (0x00) or a reference type.
  if (flags !== 0 && flags !== ElemFlag.EXPRESSIONS) {
    if (usesExprs) seg.refType = readRefType(r, 'element segment type');
    else {
      const kindAt = r.pos;
      seg.elemKind = r.u8('elemkind');
      if (seg.elemKind !== ELEMKIND_FUNCREF) r.fail(`invalid elemkind ${seg.elemKind} in element segment ${i}`, kindAt);
    }
  }
  if (usesExprs) {
    const n = r.count('element expression', 2);
    seg.exprs = new Array(n);
    for (let j = 0; j < n; j++) seg.exprs[j] = readConstExpr(r, `element segment ${i} item ${j}`);
  } else {
    const n = r.count('element function index', 1);
    seg.funcIndices = new Array(n);
    for (let j = 0; j < n; j++) seg.funcIndices[j] = r.u32() as FuncIndex;
  }
  return seg;
}

function readCode(r: ByteReader, s: ModuleState): FunctionBody[] {
  const countAt = r.pos;
  const n = r.count('function body', 1);
  if (n !== s.declaredFuncs) {
    r.fail(`Code section has ${n} function bodies but the Function section declares ${s.declaredFuncs}`, countAt);
  }
  s.bodies = n;
  const bodies = new Array<FunctionBody>(n);
  for (let i = 0; i < n; i++) {
    const offset = r.pos;
    const size = r.u32();
    const width = widthIfPadded(r.pos - offset, size);
    if (size > r.remaining) r.fail(`function body ${i} size ${size} runs past the end of the Code section`, offset);
    const bytesOffset = r.pos;
    const body: FunctionBody = { bytes: r.bytesView(size), offset: r.offset(offset), bytesOffset: r.offset(bytesOffset) };
    if (width !== undefined) body.sizeWidth = width;
    bodies[i] = body;
  }
  return bodies;
}

function readData(r: ByteReader, s: ModuleState): DataSegment[] {
  const n = r.count('data segment', 2);
  const segments = new Array<DataSegment>(n);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const flags = r.u32();
    if (flags > DataMode.ACTIVE_EXPLICIT) r.fail(`invalid data segment flags ${flags}`, at);
    const seg = { flags } as DataSegment;
    if (flags === DataMode.ACTIVE_EXPLICIT) seg.memoryIndex = r.u32() as MemoryIndex;
    if (flags !== DataMode.PASSIVE) seg.offset = readConstExpr(r, `data segment ${i} offset`);
    const lenAt = r.pos;
    const len = r.u32();
    if (len > r.remaining) r.fail(`data segment ${i} size ${len} runs past the end of the Data section`, lenAt);
    seg.initOffset = r.offset();
    seg.init = r.bytesView(len);
    segments[i] = seg;
    s.dataSegmentSizes.push(len);
  }
  s.dataSegments = n;
  return segments;
}

/** The section a `reloc.*` section names if it is a custom one, else -1 (the position is kept). */
function customRelocTarget(r: ByteReader, s: ModuleState): number {
  const at = r.pos;
  const target = r.u32();
  r.pos = at;
  return s.sectionIds[target] === SectionId.Custom ? target : -1;
}

/** Hands the rest of the section to onRawCustom. */
function takeRawCustom(r: ByteReader, s: ModuleState, name: string, relocTarget: number): CustomSection {
  s.onRawCustom!(name, r.pos, r.end, relocTarget, s.sectionIds.length);
  s.takenName = name;
  r.pos = r.end;
  return RAW_CUSTOM_TAKEN;
}

/**
 * Objects built by one toolchain carry the same `target_features` and `producers` payloads: each
 * is decoded once and shared (intern.ts).
 */
const targetFeatures = new BytesInterner<TargetFeature[]>(64, 1024);
const producers = new BytesInterner<ProducersField[]>(64, 1024);

/**
 * The `name`, `producers` and `dylink.0` sections, decoded; undefined (the reader back at
 * `payloadStart`) when one does not decode: it is then kept raw, as tools treat a malformed
 * optional section. Apart from readCustomSection so that it makes no closures: a closure there
 * would cost every custom section of every object a context object.
 */
function readKnownCustom(r: ByteReader, name: string, payloadStart: number, end: number): CustomSection | undefined {
  const id = SectionId.Custom;
  try {
    if (name === 'name') return { offset: 0, contentOffset: 0, id, name, custom: 'name', subsections: readNameSection(r) };
    if (name === 'dylink.0') {
      const info = readDylink(r);
      return { offset: 0, contentOffset: 0, id, name, custom: 'dylink.0', info, raw: r.bytes.subarray(payloadStart, r.pos) };
    }
    const known = producers.get(r.buffer(), payloadStart, r.end);
    if (known !== undefined) {
      r.pos = r.end;
      return { offset: 0, contentOffset: 0, id, name, custom: 'producers', fields: known };
    }
    const fields = readProducers(r);
    if (!r.atEnd()) r.fail('producers: unread bytes at the end');
    producers.set(r.buffer(), payloadStart, r.pos, fields);
    return { offset: 0, contentOffset: 0, id, name, custom: 'producers', fields };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    r.pos = payloadStart;
    r.end = end;
    return undefined;
  }
}

function readCustomSection(r: ByteReader, s: ModuleState, size: number, start: number): CustomSection {
  const name = r.name('custom section name');
  r.context = name;
  // Literal objects rather than spreads: a module has a custom section per relocated section and
  // per debug section, and the linker reads every member of an archive.
  const id = SectionId.Custom;
  if (name === 'linking') {
    const { version, subsections } = readLinking(r, s);
    return { offset: 0, contentOffset: 0, id, name, custom: 'linking', version, subsections };
  }
  if (name.startsWith('reloc.')) {
    const relocTarget = s.rawCustomRelocs ? customRelocTarget(r, s) : -1;
    if (relocTarget >= 0) {
      if (s.onRawCustom) return takeRawCustom(r, s, name, relocTarget);
      return { offset: 0, contentOffset: 0, id, name, custom: 'raw', payload: r.bytesView(r.remaining) };
    }
    const { targetSection, relocations } = readReloc(r, name, s);
    return { offset: 0, contentOffset: 0, id, name, custom: 'reloc', targetSection, relocations };
  }
  const payloadStart = r.pos;
  if (name === 'target_features') {
    let features = targetFeatures.get(r.buffer(), payloadStart, r.end);
    if (features !== undefined) r.pos = r.end;
    else {
      features = readTargetFeatures(r);
      if (r.atEnd()) targetFeatures.set(r.buffer(), payloadStart, r.pos, features);
    }
    return { offset: 0, contentOffset: 0, id, name, custom: 'target_features', features };
  }
  if (name === 'producers' || name === 'dylink.0' || (name === 'name' && s.decodeNames)) {
    const known = readKnownCustom(r, name, payloadStart, start + size);
    if (known) return known;
  }
  if (s.onRawCustom) return takeRawCustom(r, s, name, -1);
  return { offset: 0, contentOffset: 0, id, name, custom: 'raw', payload: r.bytesView(r.remaining) };
}
