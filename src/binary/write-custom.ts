// Encoders for the payloads of custom sections: `linking`, `reloc.*`, `target_features`,
// `producers`, `name`, `dylink.0` (kept raw) and unknown ones (raw). The inverse of
// read-linking.ts and read-custom.ts; subsection sizes keep their recorded padded width.

import { ByteWriter } from './byte-writer.js';
import { relocTypeInfo } from './reloc-types.js';

function vec<T>(w: ByteWriter, items: readonly T[], each: (w: ByteWriter, item: T) => void): void {
  w.vec(items, each);
}
import {
  LinkingSubsectionType,
  SymbolFlag,
  SymbolKind,
  type CustomSection,
  type LinkingSubsection,
  type NameSubsection,
  type Relocation,
  type SymbolInfo,
} from './types.js';

const FEATURE_PREFIX_BYTE = { '+': 0x2b, '-': 0x2d, '=': 0x3d } as const;

export function writeCustomPayload(w: ByteWriter, s: CustomSection): void {
  switch (s.custom) {
    case 'linking':
      w.u32(s.version);
      for (const sub of s.subsections) writeLinkingSubsection(w, sub);
      return;
    case 'reloc':
      w.u32(s.targetSection);
      vec(w, s.relocations.toArray(), writeRelocation);
      return;
    case 'target_features':
      vec(w, s.features, (w, f) => {
        w.u8(FEATURE_PREFIX_BYTE[f.prefix]);
        w.name(f.name);
      });
      return;
    case 'producers':
      vec(w, s.fields, (w, f) => {
        w.name(f.name);
        vec(w, f.values, (w, v) => {
          w.name(v.name);
          w.name(v.version);
        });
      });
      return;
    case 'name':
      for (const sub of s.subsections) writeNameSubsection(w, sub);
      return;
    case 'dylink.0':
      w.bytes(s.raw);
      return;
    case 'raw':
      w.bytes(s.payload);
      return;
  }
}

function writeLinkingSubsection(w: ByteWriter, sub: LinkingSubsection): void {
  const body = new ByteWriter();
  if ('raw' in sub) body.bytes(sub.raw);
  else {
    switch (sub.type) {
      case LinkingSubsectionType.SEGMENT_INFO:
        vec(body, sub.segments, (w, seg) => {
          w.name(seg.name);
          w.u32(seg.alignment);
          w.u32(seg.flags);
        });
        break;
      case LinkingSubsectionType.INIT_FUNCS:
        vec(body, sub.initFuncs, (w, f) => {
          w.u32(f.priority);
          w.u32(f.symbol);
        });
        break;
      case LinkingSubsectionType.COMDAT_INFO:
        vec(body, sub.comdats, (w, c) => {
          w.name(c.name);
          w.u32(c.flags);
          vec(w, c.entries, (w, e) => {
            w.u8(e.kind);
            w.u32(e.index);
          });
        });
        break;
      case LinkingSubsectionType.SYMBOL_TABLE:
        vec(body, sub.symbols, writeSymbol);
        break;
    }
  }
  w.u32(sub.type);
  w.sized(body, sub.sizeWidth);
}

function writeSymbol(w: ByteWriter, sym: SymbolInfo): void {
  w.u8(sym.kind);
  w.u32(sym.flags);
  switch (sym.kind) {
    case SymbolKind.Data:
      w.name(sym.name);
      if ((sym.flags & SymbolFlag.UNDEFINED) === 0) {
        w.u32(sym.segment ?? 0);
        w.u64(sym.offset ?? 0n);
        w.u64(sym.size ?? 0n);
      }
      return;
    case SymbolKind.Section:
      w.u32(sym.section);
      return;
    default:
      w.u32(sym.index);
      if ((sym.flags & SymbolFlag.UNDEFINED) === 0 || sym.flags & SymbolFlag.EXPLICIT_NAME) w.name(sym.name ?? '');
  }
}

function writeRelocation(w: ByteWriter, r: Relocation): void {
  w.u32(r.type);
  w.u32(r.offset);
  w.u32(r.index);
  const info = relocTypeInfo(r.type);
  if (info?.hasAddend) {
    const addend = r.addend ?? 0;
    if (info.is64) w.s64(BigInt(addend));
    else w.s32(addend);
  }
}

function writeNameSubsection(w: ByteWriter, sub: NameSubsection): void {
  const body = new ByteWriter();
  if (sub.raw !== undefined) body.bytes(sub.raw);
  else if (sub.moduleName !== undefined) body.name(sub.moduleName);
  else if (sub.indirectNames !== undefined) {
    body.u32(sub.indirectNames.size);
    for (const [index, names] of sub.indirectNames) {
      body.u32(index);
      writeNameMap(body, names);
    }
  } else writeNameMap(body, sub.names ?? new Map());
  w.u8(sub.type);
  w.sized(body, sub.sizeWidth);
}

function writeNameMap(w: ByteWriter, names: Map<number, string>): void {
  w.u32(names.size);
  // forEach, not for-of: no entry array and result object per name in unoptimised code.
  names.forEach((name, index) => {
    w.u32(index);
    w.name(name);
  });
}
