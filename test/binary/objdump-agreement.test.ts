// Differential test of the reader against wabt's wasm-objdump on real objects: for every section,
// the kind (or custom name), the content offset, the size and the item count (`wasm-objdump -h`),
// and for objects the sizes of the symbol table, segment info, init functions, comdats and every
// relocation section (`wasm-objdump -x`). Inputs: all fixtures, and a sample of wasi-libc,
// emscripten libc-mt.a / libc++-mt-except.a (tags, TLS) and Rust build-std objects.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readModule, SECTION_NAMES } from '../../src/binary/read-module.js';
import { comdats, initFuncs, relocSections, segmentInfo, symbolTable } from '../../src/binary/module-info.js';
import { SectionId, type Section, type WasmModule } from '../../src/binary/types.js';
import {
  emscriptenThreadedArchives,
  expandInputs,
  fixtureFiles,
  rustWasmFiles,
  wasiLibcFiles,
  type WasmInput,
} from '../helpers/real-inputs.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOOL_TIMEOUT_MS = 60_000;
/** wabt's short names for the standard sections where they differ from ours. */
const OBJDUMP_NAMES: Record<string, string> = { Element: 'Elem' };

function sample(inputs: WasmInput[], stride: number): WasmInput[] {
  return inputs.filter((_, i) => i % stride === 0);
}

function itemCount(s: Section): number | undefined {
  switch (s.id) {
    case SectionId.Type: return s.types.length;
    case SectionId.Import: return s.imports.length;
    case SectionId.Function: return s.functions.length;
    case SectionId.Table: return s.tables.length;
    case SectionId.Memory: return s.memories.length;
    case SectionId.Global: return s.globals.length;
    case SectionId.Export: return s.exports.length;
    case SectionId.Start: return s.start;
    case SectionId.Element: return s.elements.length;
    case SectionId.Code: return s.bodies.length;
    case SectionId.Data: return s.segments.length;
    case SectionId.DataCount: return s.count;
    case SectionId.Tag: return s.tags.length;
    default: return undefined;
  }
}

/** Our view in wasm-objdump -h form: `Name start=0x… size=0x… count` per section. */
function ourHeaders(mod: WasmModule, bytes: Uint8Array): string[] {
  return mod.sections.map((s, i) => {
    const end = i + 1 < mod.sections.length ? mod.sections[i + 1].offset : bytes.length;
    const size = end - s.contentOffset;
    const name = s.id === SectionId.Custom ? `Custom "${s.name}"` : (OBJDUMP_NAMES[SECTION_NAMES[s.id]] ?? SECTION_NAMES[s.id]);
    const count = itemCount(s);
    return `${name} start=${s.contentOffset} size=${size}${count === undefined ? '' : ` ${count}`}`;
  });
}

function objdumpHeaders(out: string): string[] {
  const lines = [];
  for (const m of out.matchAll(/^\s*(\w+) start=0x([0-9a-f]+) end=0x[0-9a-f]+ \(size=0x([0-9a-f]+)\)(?: (?:count|start): (\d+)| "([^"]*)")?/gm)) {
    const name = m[1] === 'Custom' ? `Custom "${m[5]}"` : m[1];
    lines.push(`${name} start=${parseInt(m[2], 16)} size=${parseInt(m[3], 16)}${m[4] === undefined ? '' : ` ${m[4]}`}`);
  }
  return lines;
}

/** Linking-section counts in wasm-objdump -x form. */
function ourLinking(mod: WasmModule): string[] {
  const out: string[] = [];
  if (symbolTable(mod).length) out.push(`symbol table ${symbolTable(mod).length}`);
  if (segmentInfo(mod).length) out.push(`segment info ${segmentInfo(mod).length}`);
  if (initFuncs(mod).length) out.push(`init functions ${initFuncs(mod).length}`);
  if (comdats(mod).length) out.push(`comdat groups ${comdats(mod).length}`);
  for (const r of relocSections(mod)) out.push(`relocations for section ${r.targetSection} ${r.relocations.length}`);
  return out;
}

function objdumpLinking(out: string): string[] {
  const lines: string[] = [];
  const patterns: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^\s*- symbol table \[count=(\d+)\]/, (m) => `symbol table ${m[1]}`],
    [/^\s*- segment info \[count=(\d+)\]/, (m) => `segment info ${m[1]}`],
    [/^\s*- init functions \[count=(\d+)\]/, (m) => `init functions ${m[1]}`],
    [/^\s*- comdat groups \[count=(\d+)\]/, (m) => `comdat groups ${m[1]}`],
    [/^\s*- relocations for section: (\d+) \(.*\) \[(\d+)\]/, (m) => `relocations for section ${m[1]} ${m[2]}`],
  ];
  for (const line of out.split('\n')) {
    for (const [re, fmt] of patterns) {
      const m = re.exec(line);
      if (m) lines.push(fmt(m));
    }
  }
  return lines;
}

t.test('section table and linking counts agree with wasm-objdump -h / -x', async (t) => {
  const emscripten = emscriptenThreadedArchives();
  const pick = (suffix: string) => emscripten.filter((p) => p.endsWith(suffix) && !p.includes('/lto/'));
  const rust = rustWasmFiles().filter((p) => /libtls_counter|libcore-|liballoc-/.test(p));
  const inputs = [
    ...expandInputs(fixtureFiles()).inputs,
    ...sample(expandInputs(wasiLibcFiles()).inputs, 40),
    ...sample(expandInputs(pick('/libc-mt.a')).inputs, 60),
    ...sample(expandInputs(pick('/libc++-mt-except.a')).inputs, 15),
    ...sample(expandInputs(rust).inputs, 3),
  ];
  const dir = tempDir('wasmthreads-objdump-', t);
  const mismatches: string[] = [];
  for (const [i, input] of inputs.entries()) {
    const path = join(dir, `${i}.wasm`);
    writeFileSync(path, input.bytes);
    const mod = readModule(input.bytes, input.file);
    const headers = execFileSync('wasm-objdump', ['-h', path], { encoding: 'utf8', timeout: TOOL_TIMEOUT_MS });
    const details = execFileSync('wasm-objdump', ['-x', path], { encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, maxBuffer: 1 << 28 });
    const ours = [...ourHeaders(mod, input.bytes), ...ourLinking(mod)];
    const theirs = [...objdumpHeaders(headers), ...objdumpLinking(details)];
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
      mismatches.push(`${input.file}:\n  ours:   ${ours.join(' | ')}\n  objdump: ${theirs.join(' | ')}`);
    }
  }
  t.comment(`compared ${inputs.length} objects and modules with wasm-objdump`);
  t.ok(inputs.length >= 60, 'a real sample');
  t.same(mismatches.slice(0, 5), [], 'sections, offsets, sizes, counts, symbols and relocations agree');
});
