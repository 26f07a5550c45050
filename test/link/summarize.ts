// Test helper: the parts of a linked module the differential tests compare between wasm-ld-22
// and wasmthreads — imports, exports (by target name), memory and table limits, globals by name
// with their init values, data segments by name with address/size/mode, element slots by
// function name, the start function, the producers section. Index numbering is deliberately left out (see
// differential.test.ts for the intended differences).

import { createHash } from 'node:crypto';
import { evalConstExpr } from '../../src/binary/const-expr.js';
import { readModule } from '../../src/binary/read-module.js';
import type { Limits, NameSubsection } from '../../src/binary/types.js';

const KIND = ['func', 'table', 'memory', 'global', 'tag'];

function limits(l: Limits): string {
  return `min=${l.min} max=${l.max ?? '-'}${l.flags & 2 ? ' shared' : ''}`;
}

export interface ModuleSummary {
  imports: string[];
  memory: string;
  table: string;
  exports: Record<string, string>;
  globals: Record<string, string>;
  data: Record<string, string>;
  /** SHA-256 of each data segment's bytes (contents after relocation and string merging). */
  dataBytes: Record<string, string>;
  elem: string[];
  start: string;
  /** `.debug_*` sections: size and SHA-256 of the payload (relocated, strings merged). */
  debug: Record<string, string>;
  /** Tags, imported then defined, as their signatures (`i32 -> `). */
  tags: string[];
  /** The producers section: each field, in order, with its values (`language: C11 ,C99 `). */
  producers: string[];
}

export function summarize(bytes: Uint8Array): ModuleSummary {
  const mod = readModule(bytes, 'out.wasm');
  const names = mod.sections.find((s) => s.id === 0 && s.custom === 'name') as { subsections: NameSubsection[] } | undefined;
  const sub = (t: number): Map<number, string> => names?.subsections.find((x) => x.type === t)?.names ?? new Map();
  const fnNames = sub(1);
  const globalNames = sub(7);
  const dataNames = sub(9);
  const out: ModuleSummary = { imports: [], memory: '', table: '', exports: {}, globals: {}, data: {}, dataBytes: {}, elem: [], start: '', debug: {}, tags: [], producers: [] };
  let importedGlobals = 0;
  const types = (mod.sections.find((s) => s.id === 1) as { types: { params: unknown[]; results: unknown[] }[] } | undefined)?.types ?? [];
  const sig = (i: number): string => `${types[i]?.params.join(',')} -> ${types[i]?.results.join(',')}`;
  const globalInits: string[] = [];
  for (const s of mod.sections) {
    if (s.id === 2) {
      for (const i of s.imports) {
        out.imports.push(`${i.module}.${i.name}:${KIND[i.desc.kind]}`);
        if (i.desc.kind === 2) out.memory = limits(i.desc.memory.limits);
        if (i.desc.kind === 3) importedGlobals++;
        if (i.desc.kind === 4) out.tags.push(`import ${sig(i.desc.tag.typeIndex)}`);
      }
    } else if (s.id === 13) out.tags.push(...s.tags.map((tag) => sig(tag.typeIndex)));
    else if (s.id === 5) out.memory = limits(s.memories[0].limits);
    else if (s.id === 4) out.table = s.tables.map((t) => limits(t.type.limits)).join(';');
    else if (s.id === 6) {
      s.globals.forEach((g, i) => {
        const v = evalConstExpr(g.init);
        const text = `${g.type.mutable ? 'mut ' : ''}${typeof v === 'object' ? JSON.stringify(v) : String(v)}`;
        globalInits[importedGlobals + i] = text;
        const name = globalNames.get(importedGlobals + i);
        if (name) out.globals[name] = text;
      });
    } else if (s.id === 7) {
      for (const e of s.exports) {
        out.exports[e.name] = e.kind === 0 ? `func ${fnNames.get(e.index)}` : e.kind === 3 ? `global ${globalInits[e.index]}` : KIND[e.kind];
      }
    } else if (s.id === 8) out.start = fnNames.get(s.start) ?? String(s.start);
    else if (s.id === 9) for (const e of s.elements) out.elem.push(...(e.funcIndices ?? []).map((f) => fnNames.get(f) ?? String(f)));
    else if (s.id === 0 && s.custom === 'producers') out.producers = s.fields.map((f) => `${f.name}: ${f.values.map((v) => `${v.name} ${v.version}`).join(', ')}`);
    else if (s.id === 0 && s.name.startsWith('.debug_') && s.custom === 'raw') {
      out.debug[s.name] = `size=${s.payload.length} sha256=${createHash('sha256').update(s.payload).digest('hex').slice(0, 16)}`;
    } else if (s.id === 11) {
      s.segments.forEach((d, i) => {
        const at = d.offset ? String(evalConstExpr(d.offset)) : 'passive';
        out.data[dataNames.get(i) ?? String(i)] = `${at} size=${d.init.length}`;
        out.dataBytes[dataNames.get(i) ?? String(i)] = createHash('sha256').update(d.init).digest('hex').slice(0, 16);
      });
    }
  }
  return out;
}
