// Decoders for the tool custom sections that are not about linking: `target_features`
// (tool-conventions Features.md), `producers` (ProducersSection.md), `name`
// (core spec appendix "Name Section" plus the extended-name-section proposal) and `dylink.0`
// (DynamicLinking.md).
//
// `target_features` is strict: the linker decides shared memory and TLS from it. The others are
// lenient (the spec lets a consumer ignore a malformed custom section): the caller catches the
// DecodeError and keeps the payload raw, so `inspect` still works and the file still round-trips.

import { DecodeError } from '../diagnostics.js';
import type { ByteReader } from './byte-reader.js';
import { widthIfPadded } from './read-linking.js';
import type { DylinkInfo, NameSubsection, ProducersField, TargetFeature } from './types.js';

const FEATURE_PREFIXES: Record<number, TargetFeature['prefix']> = { 0x2b: '+', 0x2d: '-', 0x3d: '=' };

export function readTargetFeatures(r: ByteReader): TargetFeature[] {
  const n = r.count('target feature', 2);
  const out: TargetFeature[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const b = r.u8('feature prefix');
    const prefix = FEATURE_PREFIXES[b];
    if (prefix === undefined) r.fail(`unknown feature prefix 0x${b.toString(16)} in target_features`, at);
    out[i] = { prefix, name: r.name('feature name') };
  }
  return out;
}

export function readProducers(r: ByteReader): ProducersField[] {
  const n = r.count('producers field', 2);
  const out: ProducersField[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const name = r.name('producers field name');
    const m = r.count('producers value', 2);
    const values: ProducersField['values'] = new Array(m);
    for (let j = 0; j < m; j++) {
      const vname = r.name('producer name');
      values[j] = { name: vname, version: r.name('producer version') };
    }
    out[i] = { name, values };
  }
  return out;
}

/** Name subsection ids (extended-name-section numbering, as LLVM's `WASM_NAMES_*`). */
export const NameType = {
  MODULE: 0,
  FUNCTION: 1,
  LOCAL: 2,
  LABEL: 3,
  TYPE: 4,
  TABLE: 5,
  MEMORY: 6,
  GLOBAL: 7,
  ELEM_SEGMENT: 8,
  DATA_SEGMENT: 9,
  FIELD: 10,
  TAG: 11,
} as const;

const INDIRECT_NAME_TYPES = new Set<number>([NameType.LOCAL, NameType.LABEL, NameType.FIELD]);

export function isIndirectNameType(type: number): boolean {
  return INDIRECT_NAME_TYPES.has(type);
}

export function readNameSection(r: ByteReader): NameSubsection[] {
  const out: NameSubsection[] = [];
  while (!r.atEnd()) {
    const type = r.u8('name subsection id');
    const sizeAt = r.pos;
    const size = r.u32();
    const sizeWidth = widthIfPadded(r.pos - sizeAt, size);
    if (size > r.remaining) r.fail(`name subsection ${type} size ${size} runs past the end`, sizeAt);
    const sub = readNameSubsectionLeniently(r, type, size);
    if (sizeWidth !== undefined) sub.sizeWidth = sizeWidth;
    out.push(sub);
  }
  return out;
}

/**
 * One subsection, decoded if possible and otherwise kept raw (its size is known, so the rest of
 * the section still decodes). Type 10 is ambiguous in practice: GC field names (an indirect map)
 * in the current proposal, tag names (a direct map) in wabt 1.0.32; both are tried.
 */
function readNameSubsectionLeniently(r: ByteReader, type: number, size: number): NameSubsection {
  const start = r.pos;
  const end = start + size;
  const outer = r.end;
  const attempts = type === NameType.FIELD ? [type, NameType.FUNCTION] : [type];
  for (const as of attempts) {
    try {
      const sub = r.withLimit(end, `name subsection ${type}`, () => readNameSubsection(r, as, size));
      sub.type = type;
      return sub;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      r.pos = start;
      r.end = outer;
    }
  }
  return { type, raw: r.bytesView(size) };
}

function readNameSubsection(r: ByteReader, type: number, size: number): NameSubsection {
  if (type === NameType.MODULE) return { type, moduleName: r.name('module name') };
  if (INDIRECT_NAME_TYPES.has(type)) {
    const n = r.count('indirect name map', 2);
    const indirectNames = new Map<number, Map<number, string>>();
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const index = r.u32();
      if (indirectNames.has(index)) r.fail(`duplicate index ${index} in name subsection ${type}`, at);
      indirectNames.set(index, readNameMap(r, type));
    }
    return { type, indirectNames };
  }
  if (type <= NameType.TAG) return { type, names: readNameMap(r, type) };
  return { type, raw: r.bytesView(size) };
}

function readNameMap(r: ByteReader, type: number): Map<number, string> {
  const n = r.count('name map', 2);
  const names = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const index = r.u32();
    // A repeated index could not be written back from a Map: treat it as malformed (→ raw).
    if (names.has(index)) r.fail(`duplicate index ${index} in name subsection ${type}`, at);
    names.set(index, r.name('name'));
  }
  return names;
}

/** dylink.0 subsection ids (DynamicLinking.md). */
const DylinkType = { MEM_INFO: 1, NEEDED: 2, EXPORT_INFO: 3, IMPORT_INFO: 4 } as const;

export function readDylink(r: ByteReader): DylinkInfo {
  const info: DylinkInfo = {
    memorySize: 0,
    memoryAlignment: 0,
    tableSize: 0,
    tableAlignment: 0,
    neededDynlibs: [],
    exportInfo: [],
    importInfo: [],
  };
  while (!r.atEnd()) {
    const type = r.u8('dylink.0 subsection id');
    const sizeAt = r.pos;
    const size = r.u32();
    if (size > r.remaining) r.fail(`dylink.0 subsection ${type} size ${size} runs past the end`, sizeAt);
    r.withLimit(r.pos + size, `dylink.0 subsection ${type}`, () => readDylinkSubsection(r, type, size, info));
  }
  return info;
}

function readDylinkSubsection(r: ByteReader, type: number, size: number, info: DylinkInfo): void {
  switch (type) {
    case DylinkType.MEM_INFO:
      info.memorySize = r.u32();
      info.memoryAlignment = r.u32();
      info.tableSize = r.u32();
      info.tableAlignment = r.u32();
      return;
    case DylinkType.NEEDED: {
      const n = r.count('needed library', 1);
      for (let i = 0; i < n; i++) info.neededDynlibs.push(r.name('needed library'));
      return;
    }
    case DylinkType.EXPORT_INFO: {
      const n = r.count('export info', 2);
      for (let i = 0; i < n; i++) info.exportInfo.push({ name: r.name('export name'), flags: r.u32() });
      return;
    }
    case DylinkType.IMPORT_INFO: {
      const n = r.count('import info', 3);
      for (let i = 0; i < n; i++) {
        const module = r.name('import module');
        const field = r.name('import field');
        info.importInfo.push({ module, field, flags: r.u32() });
      }
      return;
    }
    default:
      r.take(size, 'unknown dylink.0 subsection');
  }
}
