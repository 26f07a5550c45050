// The link map (`-M`/`--print-map`, `-Map=FILE`): where everything went in the output. Our own
// format, in the spirit of wasm-ld's (hex numbers without `0x`, inputs written `file:(name)`),
// but it also shows what wasm-ld's map leaves out: the stack, the TLS block and the linker-defined
// addresses. Documented in the README `link` section. File offsets are read back from the encoded
// module, so they are the offsets of the bytes actually written.

import { readModule } from '../binary/read-module.js';
import { SectionId, SymbolKind, type Section } from '../binary/types.js';
import type { LinkContext } from './context.js';
import { symbolVA } from './relocations.js';
import { fileName } from './symbols.js';
import type { InputFunction, InputGlobal, InputSegment, OutputSegment, Sym } from './symbols.js';

const SECTION_NAMES = ['CUSTOM', 'TYPE', 'IMPORT', 'FUNCTION', 'TABLE', 'MEMORY', 'GLOBAL', 'EXPORT', 'START', 'ELEM', 'CODE', 'DATA', 'DATACOUNT', 'TAG'];
const hex = (n: number, width = 8): string => n.toString(16).padStart(width);
const ADDRESS_NAMES = ['__global_base', '__data_end', '__heap_base', '__heap_end', '__stack_low', '__stack_high'];

export interface MapInputs {
  bytes: Uint8Array;
  functions: InputFunction[];
  globals: InputGlobal[];
  numImportedFunctions: number;
  layout: { stackLow: number; stackHigh: number; globalBase: number; dataEnd: number; heapBase: number; heapEnd: number; tlsSize: number; tlsAlign: number };
}

export function formatLinkMap(ctx: LinkContext, m: MapInputs): string {
  const mod = readModule(m.bytes, ctx.config.output ?? 'output');
  return [
    `# wasmthreads link map of ${ctx.config.output ?? '(in memory)'}; numbers are hex`,
    ...sectionLines(mod.sections, m.bytes.length),
    ...memoryLines(ctx, m, mod.sections),
    ...tlsLines(ctx, m),
    ...functionLines(m, mod.sections),
    ...globalLines(m),
    ...symbolLines(ctx),
  ].join('\n') + '\n';
}

function sectionName(s: Section): string {
  return s.id === SectionId.Custom ? `CUSTOM(${(s as { name: string }).name})` : (SECTION_NAMES[s.id] ?? `SECTION${s.id}`);
}

/** Every section: file offset of its contents and their size. */
function sectionLines(sections: Section[], fileSize: number): string[] {
  const lines = ['', 'Sections', `${'Off'.padStart(8)} ${'Size'.padStart(8)} Section`];
  sections.forEach((s, i) => {
    const end = i + 1 < sections.length ? sections[i + 1].offset : fileSize;
    lines.push(`${hex(s.contentOffset)} ${hex(end - s.contentOffset)} ${sectionName(s)}`);
  });
  return lines;
}

/** A chunk of an output segment as `file:(segment)`; merged strings are the linker's own. */
function inputName(seg: InputSegment): string {
  return seg.index < 0 ? `<internal>:(${seg.name} merged strings)` : `${fileName(seg.file)}:(${seg.name})`;
}

function segmentMode(seg: OutputSegment): string {
  if (seg.index < 0) return 'not written (zeroed memory)';
  return `data[${seg.index}] ${seg.passive ? 'passive' : 'active'}`;
}

/** The linear memory from address 0 upwards: stack, output segments with their inputs, heap. */
function memoryLines(ctx: LinkContext, m: MapInputs, sections: Section[]): string[] {
  const l = m.layout;
  const data = sections.find((s) => s.id === SectionId.Data) as { segments: { initOffset: number }[] } | undefined;
  const lines = ['', 'Memory', `${'Addr'.padStart(8)} ${'Size'.padStart(8)} ${'Align'.padStart(5)} ${'Off'.padStart(8)} What`];
  const stack = `${hex(l.stackLow)} ${hex(l.stackHigh - l.stackLow)} ${'10'.padStart(5)} ${'-'.padStart(8)} stack (__stack_pointer starts at ${l.stackHigh.toString(16)})`;
  if (ctx.config.stackFirst) lines.push(stack);
  for (const seg of ctx.outputSegments) {
    const off = seg.index >= 0 && data?.segments[seg.index] ? hex(data.segments[seg.index].initOffset) : '-'.padStart(8);
    lines.push(`${hex(seg.startVA)} ${hex(seg.size)} ${(2 ** seg.alignment).toString(16).padStart(5)} ${off} ${seg.name} ${segmentMode(seg)}`);
    for (const input of seg.inputs) {
      lines.push(`${hex(seg.startVA + input.outputOffset)} ${hex(input.data.length)} ${(2 ** input.alignment).toString(16).padStart(5)} ${'-'.padStart(8)}     ${inputName(input)}`);
    }
  }
  if (ctx.initMemoryFlag !== undefined) lines.push(`${hex(ctx.initMemoryFlag)} ${hex(4)} ${'4'.padStart(5)} ${'-'.padStart(8)} __wasm_init_memory_flag`);
  if (!ctx.config.stackFirst) lines.push(stack);
  lines.push(`${hex(l.heapBase)} ${hex(l.heapEnd - l.heapBase)} ${'10'.padStart(5)} ${'-'.padStart(8)} heap (to the end of the initial memory)`);
  lines.push('', 'Addresses');
  const values: Record<string, number> = { __global_base: l.globalBase, __data_end: l.dataEnd, __heap_base: l.heapBase, __heap_end: l.heapEnd, __stack_low: l.stackLow, __stack_high: l.stackHigh };
  for (const name of ADDRESS_NAMES) lines.push(`${hex(values[name])} ${name}`);
  const max = ctx.memory.maxPages;
  lines.push(`memory: initial ${ctx.memory.initialPages} pages, maximum ${max ?? 'none'}${ctx.config.sharedMemory ? ', shared' : ''}`);
  return lines;
}

/** The TLS block: each thread gets a copy of `.tdata` at its own `__tls_base`. */
function tlsLines(ctx: LinkContext, m: MapInputs): string[] {
  const tdata = ctx.outputSegments.find((s) => s.isTLS);
  if (!tdata) return [];
  const base = ctx.config.sharedMemory ? 'per thread (__wasm_init_tls)' : `${tdata.startVA.toString(16)} (one thread: the image itself)`;
  const lines = ['', `TLS block: __tls_size=${m.layout.tlsSize.toString(16)} __tls_align=${m.layout.tlsAlign.toString(16)} __tls_base=${base}`, `${'Offset'.padStart(8)} ${'Size'.padStart(8)} Input`];
  for (const input of tdata.inputs) lines.push(`${hex(input.outputOffset)} ${hex(input.data.length)} ${inputName(input)}`);
  return lines;
}

function functionLines(m: MapInputs, sections: Section[]): string[] {
  const code = sections.find((s) => s.id === SectionId.Code) as { bodies: { offset: number; bytesOffset: number; bytes: Uint8Array }[] } | undefined;
  const lines = ['', 'Functions', `${'Index'.padStart(8)} ${'Off'.padStart(8)} ${'Size'.padStart(8)} Function`];
  for (const fn of m.functions) {
    const body = code?.bodies[fn.outputIndex - m.numImportedFunctions];
    const where = body ? `${hex(body.offset)} ${hex(body.bytesOffset - body.offset + body.bytes.length)}` : `${'-'.padStart(8)} ${'-'.padStart(8)}`;
    const from = fn.file ? `${fileName(fn.file)}:(${fn.name})` : `<internal>:(${fn.name})`;
    lines.push(`${hex(fn.outputIndex)} ${where} ${from}`);
  }
  return lines;
}

function globalLines(m: MapInputs): string[] {
  const lines = ['', 'Globals', `${'Index'.padStart(8)} Global`];
  for (const g of m.globals) {
    const value = g.value !== undefined ? ` = ${g.value.toString(16)}` : '';
    lines.push(`${hex(g.outputIndex)} ${g.file ? fileName(g.file) : '<internal>'}:(${g.name})${g.type.mutable ? ' mut' : ''}${value}`);
  }
  return lines;
}

/** Live data symbols by address (TLS ones as offsets in the block, as relocations see them). */
function symbolLines(ctx: LinkContext): string[] {
  const rows: { addr: number; line: string }[] = [];
  const seen = new Set<Sym>();
  const visit = (s: Sym): void => {
    if (seen.has(s) || s.kind !== SymbolKind.Data || s.state !== 'defined') return;
    seen.add(s);
    const seg = s.segment;
    if (seg && (!seg.live || seg.discarded || !seg.outputSegment)) return;
    if (!seg && s.absolute === undefined) return;
    const addr = symbolVA(s);
    const where = seg ? `${fileName(seg.file)}${s.isTLS ? ' (tls offset)' : ''}` : '<internal> (absolute)';
    rows.push({ addr, line: `${hex(addr)} ${hex(s.size ?? 0)} ${s.name}${s.isLocal ? ' (local)' : ''} ${where}` });
  };
  for (const s of ctx.symtab.ordered) visit(s);
  for (const f of ctx.objectFiles) for (const s of f.symbols) visit(s);
  rows.sort((a, b) => a.addr - b.addr);
  return ['', 'Data symbols', `${'Addr'.padStart(8)} ${'Size'.padStart(8)} Symbol`, ...rows.map((r) => r.line)];
}
