// Output data segments and the linear-memory layout (lld Writer.cpp createOutputSegments and
// layoutMemory).
//
// Live input segments are grouped into output segments by name (`.data.x` → `.data`, or by their
// own name under --no-merge-data-segments; every TLS segment → `.tdata`), each input aligned to
// its own alignment, then ordered `.tdata`, `.rodata`, `.data`, others, `.bss`. Memory is then
// laid out upwards from 0: with --stack-first (wasm-ld 22's default) the stack comes first and
// data starts at its top (or at --global-base); without it data starts at --global-base (1024)
// and the stack follows. Then the init-memory flag word
// (shared memory), `__data_end`, the 16-aligned `__heap_base`, the initial heap, and the page
// rounding that gives the initial and maximum memory sizes. Every error wasm-ld gives for bad
// memory options is reported here.

import type { LinkContext } from './context.js';
import { HEAP_ALIGNMENT, MAX_MEMORY_WASM32, STACK_ALIGNMENT, WASM_PAGE_SIZE, DEFAULT_GLOBAL_BASE } from './context.js';
import { endsInNul, isMergeableSegment, mergeStrings } from './merge-strings.js';
import { NO_RELOCS, type InputSegment, type OutputSegment } from './symbols.js';

const INIT_MEMORY_FLAG_ALIGN = 4;
const INIT_MEMORY_FLAG_SIZE = 4;

const alignTo = (v: number, a: number): number => Math.ceil(v / a) * a;

/** The output segment an input segment goes to (every TLS segment to one, whatever the option). */
export function outputSegmentName(seg: InputSegment, merge: boolean): string {
  if (seg.isTLS) return '.tdata';
  if (!merge) return seg.name;
  for (const prefix of ['.text', '.data', '.bss', '.rodata']) {
    if (seg.name.startsWith(`${prefix}.`)) return prefix;
  }
  return seg.name;
}

function segmentOrder(name: string): number {
  if (name.startsWith('.tdata')) return 0;
  if (name.startsWith('.rodata')) return 1;
  if (name.startsWith('.data')) return 2;
  if (name.startsWith('.bss')) return 4;
  return 3;
}

export function createOutputSegments(ctx: LinkContext): void {
  const byName = new Map<string, OutputSegment>();
  const list: OutputSegment[] = [];
  for (const file of ctx.objectFiles) {
    for (const seg of file.segments) {
      if (!seg.live) continue;
      const name = outputSegmentName(seg, ctx.config.mergeDataSegments);
      let out = byName.get(name);
      if (!out) {
        out = { name, alignment: 0, flags: 0, inputs: [], size: 0, startVA: 0, isTLS: seg.isTLS, isBss: name.startsWith('.bss'), index: -1, passive: false };
        byName.set(name, out);
        list.push(out);
      }
      out.alignment = Math.max(out.alignment, seg.alignment);
      out.flags |= seg.flags;
      seg.outputSegment = out;
      out.inputs.push(seg);
    }
  }
  for (const out of list) finalizeInputSegments(ctx, out);
  ctx.outputSegments = list
    .map((s, i) => ({ s, i }))
    .sort((a, b) => segmentOrder(a.s.name) - segmentOrder(b.s.name) || a.i - b.i)
    .map(({ s }) => s);
}

/**
 * Replaces the mergeable inputs of equal flags and alignment by one merged chunk where the first
 * of them was (lld OutputSegment::finalizeInputSegments), then places every input at its alignment.
 */
function finalizeInputSegments(ctx: LinkContext, out: OutputSegment): void {
  const groups = new Map<string, { chunk: InputSegment; members: InputSegment[] }>();
  const inputs: InputSegment[] = [];
  for (const seg of out.inputs) {
    if (!isMergeableSegment(seg, ctx.config.optimize) || !endsInNul(seg.data)) {
      inputs.push(seg);
      continue;
    }
    const key = `${seg.flags}:${seg.alignment}`;
    let g = groups.get(key);
    if (!g) {
      g = { chunk: { ...seg, index: -1, name: out.name, relocs: NO_RELOCS, pieces: undefined }, members: [] };
      groups.set(key, g);
      inputs.push(g.chunk);
    }
    g.members.push(seg);
  }
  for (const g of groups.values()) {
    const merged = mergeStrings(ctx, `segment ${out.name}`, g.members.map((m) => m.data));
    g.chunk.data = merged.table;
    g.members.forEach((m, i) => (m.pieces = merged.pieces[i]));
  }
  out.inputs = inputs;
  out.size = 0;
  for (const seg of inputs) {
    seg.outputOffset = alignTo(out.size, 2 ** seg.alignment);
    out.size = seg.outputOffset + seg.data.length;
  }
  for (const g of groups.values()) for (const m of g.members) m.pieces!.shift(g.chunk.outputOffset);
}

/** Whether `.bss` must be written as zeros in the binary (no memory.fill to clear it). */
export function emitBssSegments(ctx: LinkContext): boolean {
  return ctx.config.importMemory !== undefined && !ctx.allowedFeatures.has('bulk-memory') && !ctx.config.sharedMemory;
}

/** Segments initialised by `__wasm_init_memory` rather than by active data segments. */
export function needsPassiveInitialization(ctx: LinkContext, seg: OutputSegment): boolean {
  if (ctx.config.sharedMemory) return true;
  return ctx.config.importMemory !== undefined && seg.isBss && !emitBssSegments(ctx);
}

export function hasPassiveInitializedSegments(ctx: LinkContext): boolean {
  return ctx.outputSegments.some((s) => needsPassiveInitialization(ctx, s));
}

/** Numbers the segments written to the data section and sets their passive flag. */
function assignSegmentIndices(ctx: LinkContext): void {
  let index = 0;
  const writeBss = emitBssSegments(ctx);
  for (const seg of ctx.outputSegments) {
    seg.passive = ctx.config.sharedMemory;
    seg.index = !seg.isBss || writeBss ? index++ : -1;
  }
}

export interface MemoryLayout {
  stackLow: number;
  stackHigh: number;
  globalBase: number;
  dataEnd: number;
  heapBase: number;
  heapEnd: number;
  tlsBase: number;
  tlsSize: number;
  tlsAlign: number;
}

export function layoutMemory(ctx: LinkContext): MemoryLayout {
  const c = ctx.config;
  const err = (message: string): void => ctx.sink.error({ code: 'memory-layout', message });
  const out: MemoryLayout = { stackLow: 0, stackHigh: 0, globalBase: 0, dataEnd: 0, heapBase: 0, heapEnd: 0, tlsBase: 0, tlsSize: 0, tlsAlign: 0 };
  let p = 0;
  const placeStack = (): void => {
    if (c.stackSize % STACK_ALIGNMENT !== 0) err(`stack size must be ${STACK_ALIGNMENT}-byte aligned`);
    p = alignTo(p, STACK_ALIGNMENT);
    out.stackLow = p;
    p += c.stackSize;
    out.stackHigh = p;
  };
  if (c.stackFirst) {
    placeStack();
    if (c.globalBase !== undefined) {
      if (c.globalBase < p) err('--global-base cannot be less than stack size when --stack-first is used');
      else p = c.globalBase;
    }
  } else p = c.globalBase ?? DEFAULT_GLOBAL_BASE;
  out.globalBase = p;

  for (const seg of ctx.outputSegments) {
    p = alignTo(p, 2 ** seg.alignment);
    seg.startVA = p;
    if (seg.isTLS) {
      out.tlsBase = p;
      out.tlsSize = seg.size;
      out.tlsAlign = 2 ** seg.alignment;
    }
    p += seg.size;
  }
  if (c.sharedMemory && hasPassiveInitializedSegments(ctx)) {
    p = alignTo(p, INIT_MEMORY_FLAG_ALIGN);
    ctx.initMemoryFlag = p;
    p += INIT_MEMORY_FLAG_SIZE;
  }
  out.dataEnd = p;
  if (!c.stackFirst) placeStack();
  // Aligned for a malloc only when something uses `__heap_base` (as wasm-ld does): the size an
  // --initial-memory must cover is then the same as wasm-ld's.
  if (ctx.sym.data.has('__heap_base')) p = alignTo(p, HEAP_ALIGNMENT);
  out.heapBase = p;
  placeHeapAndLimits(ctx, p, out, err);
  assignSegmentIndices(ctx);
  return out;
}

/**
 * The initial and maximum memory, as wasm-ld 22 sets them: each check reports on its own (two
 * lines for a size that is both unaligned and too small), 0 means "not given" for
 * --initial-memory and --max-memory, and the words are wasm-ld's. One check of ours on top: a
 * memory that ends past 4 GiB (a --global-base or -z stack-size near it, or that much data) is
 * an error, where wasm-ld writes a module no engine accepts.
 */
function placeHeapAndLimits(ctx: LinkContext, start: number, out: MemoryLayout, err: (m: string) => void): void {
  const c = ctx.config;
  const page = `must be aligned to the page size (${WASM_PAGE_SIZE} bytes)`;
  let sized = false;
  let p = start;
  if (c.initialHeap) {
    if (c.initialHeap % WASM_PAGE_SIZE !== 0) err(`initial heap ${page}`);
    if (c.initialHeap > MAX_MEMORY_WASM32 - p) err(`initial heap too large, cannot be greater than ${MAX_MEMORY_WASM32 - start}`);
    p += c.initialHeap;
    sized = true;
  }
  if (c.initialMemory) {
    if (c.initialMemory % WASM_PAGE_SIZE !== 0) err(`initial memory ${page}`);
    if (p > c.initialMemory) err(`initial memory too small, ${p} bytes needed`);
    if (c.initialMemory > MAX_MEMORY_WASM32) err(`initial memory too large, cannot be greater than ${MAX_MEMORY_WASM32}`);
    p = c.initialMemory;
    sized = true;
  }
  p = alignTo(p, WASM_PAGE_SIZE);
  if (!sized && p > MAX_MEMORY_WASM32) {
    ctx.sink.error({ code: 'memory-layout', message: `memory too large: the stack and data need ${p} bytes, more than the ${MAX_MEMORY_WASM32} a 32-bit memory can hold`,
      hint: 'lower --global-base or -z stack-size (or link less static data)' });
  }
  out.heapEnd = p;
  const initialPages = p / WASM_PAGE_SIZE;
  let maxPages: number | undefined;
  if (c.maxMemory) {
    if (c.maxMemory % WASM_PAGE_SIZE !== 0) err(`maximum memory ${page}`);
    if (p > c.maxMemory) err(`maximum memory too small, ${p} bytes needed`);
    if (c.maxMemory > MAX_MEMORY_WASM32) err(`maximum memory too large, cannot be greater than ${MAX_MEMORY_WASM32}`);
    maxPages = Math.floor(c.maxMemory / WASM_PAGE_SIZE);
  } else if (c.noGrowableMemory || c.sharedMemory) {
    // Shared memories must declare a maximum; wasm-ld uses the initial size (non-PIC).
    maxPages = initialPages;
  }
  // wasm-ld writes no maximum of 0 pages (an empty memory under --no-growable-memory), unless
  // the memory is shared: that always has one.
  if (maxPages === 0 && !c.sharedMemory) maxPages = undefined;
  ctx.memory = { initialPages, maxPages };
}
