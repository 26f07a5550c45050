// A debug section's relocations are applied by a loop in wasm that takes 32-bit word relocations
// whose slots do not overlap, and gives up, for the checked reader to redo the section, at
// anything else (relocations.ts writeCustomChunks, kernels/reloc-words.c;
// kernels.test.ts tries it against the checked reader on random sections). Each way out is
// tried here on debug.o's reloc..debug_info rewritten byte by byte: what links must come out as it
// does from the checked path (and as wasm-ld 22 writes it), what is bad must get the checked
// reader's error, naming the file and the offset. debug.o's relocations are far fewer than the
// wasm loop is started for (kernelThresholds): the thresholds are lowered here so that it runs.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readModule } from '../../src/binary/read-module.js';
import { writeModule } from '../../src/binary/write-module.js';
import { SectionId, type WasmModule } from '../../src/binary/types.js';
import { kernelThresholds } from '../../src/link/kernels/index.js';
import { C_FIXTURES as C, diagnosticLines, firstDifference, haveWasmLd, LinkHarness } from './harness.js';

const h = new LinkHarness('debug-relocs');
kernelThresholds.relocBytes = 0;
kernelThresholds.mergeBytes = 0;

interface Entry {
  type: number;
  offset: number;
  index: number;
  addend?: number;
}

/** LEB128, unsigned or signed, padded to 5 bytes when asked (as the reader accepts). */
function leb(value: number, signed: boolean, padded: boolean): number[] {
  const out: number[] = [];
  let v = value;
  for (let i = 0; ; i++) {
    const byte = v & 0x7f;
    v = signed ? v >> 7 : v >>> 7;
    const done = signed ? (v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40) : v === 0;
    if (padded ? i === 4 : done) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const HAS_ADDEND = new Set([3, 4, 5, 8, 9, 11, 21, 23]);

/** A reloc section's payload: target section, count, entries; `extra` bytes appended. */
function relocBytes(target: number, entries: Entry[], opts: { padded?: boolean; count?: number; extra?: number[] } = {}): Uint8Array {
  const p = opts.padded ?? false;
  const bytes = [...leb(target, false, p), ...leb(opts.count ?? entries.length, false, p)];
  for (const e of entries) {
    bytes.push(...leb(e.type, false, false), ...leb(e.offset, false, p), ...leb(e.index, false, p));
    if (HAS_ADDEND.has(e.type)) bytes.push(...leb(e.addend ?? 0, true, p));
  }
  bytes.push(...(opts.extra ?? []));
  return new Uint8Array(bytes);
}

const original = readModule(new Uint8Array(readFileSync(C + 'debug.o')));
const at = original.sections.findIndex((s) => s.id === SectionId.Custom && s.name === 'reloc..debug_info');
const reloc = original.sections[at];
if (reloc.id !== SectionId.Custom || reloc.custom !== 'reloc') throw new Error('debug.o has no reloc..debug_info');
const target = reloc.targetSection;
const entries: Entry[] = reloc.relocations.toArray().map((r) => ({ type: r.type, offset: r.offset, index: r.index, addend: r.addend }));

/** debug.o with reloc..debug_info's payload replaced by `payload`; returns the path. */
function withPayload(name: string, payload: Uint8Array): string {
  const mod: WasmModule = { ...original, sections: original.sections.slice() };
  mod.sections[at] = { id: SectionId.Custom, offset: 0, contentOffset: 0, name: 'reloc..debug_info', custom: 'raw', payload };
  const path = join(h.tmp, name);
  writeFileSync(path, writeModule(mod));
  return path;
}

const args = (obj: string): string[] => ['--no-entry', obj, C + 'debug2.o'];

/**
 * `ours` or `ref` linking `obj` into a directory of its own as out.wasm: the output's file name
 * is part of what the linker writes (the name section), so outputs compare under one name.
 */
async function linked(which: 'ours' | 'ref', obj: string, dir: string): Promise<{ code: number; stderr: string; bytes?: Uint8Array }> {
  mkdirSync(join(h.tmp, dir));
  const r = which === 'ours' ? await h.ours(args(obj), `${dir}/out.wasm`) : h.ref(args(obj), `${dir}/out.wasm`);
  return { code: r.code, stderr: r.stderr, bytes: r.code === 0 ? readFileSync(r.out) : undefined };
}

t.test('the rewriting itself: the entries as read give back the object the checked path links', async (t) => {
  const plain = await linked('ours', C + 'debug.o', 'plain');
  const rebuilt = await linked('ours', withPayload('rebuilt.o', relocBytes(target, entries)), 'rebuilt');
  t.equal(plain.code, 0, plain.stderr);
  t.equal(rebuilt.code, 0, rebuilt.stderr);
  t.equal(firstDifference(plain.bytes!, rebuilt.bytes!), -1, 'same output');
  t.ok(entries.some((e) => e.type === 9) && entries.some((e) => e.type === 8) && entries.some((e) => e.type === 13), 'section offsets, function offsets and a global index among them');
});

t.test('what links: the same bytes as the checked path and as wasm-ld 22', async (t) => {
  const plain = (await linked('ours', C + 'debug.o', 'plain2')).bytes!;
  // Padded fields (5-byte LEBs, as some producers write them): the fast loop reads them.
  const padded = withPayload('padded.o', relocBytes(target, entries, { padded: true }));
  // A LEB relocation among the words (a function index written into 5 bytes of .debug_info that
  // no other relocation touches): the fast loop gives up at it, the checked path applies all.
  const gap = entries.findIndex((e, i) => i + 1 < entries.length && entries[i + 1].offset - (e.offset + 4) >= 5);
  t.ok(gap >= 0, 'a 5-byte gap between two word relocations');
  const withLeb = [...entries.slice(0, gap + 1), { type: 0, offset: entries[gap].offset + 4, index: entries.find((e) => e.type === 8)!.index }, ...entries.slice(gap + 1)];
  const mixed = withPayload('mixed.o', relocBytes(target, withLeb));
  // Two word slots that overlap (a second relocation 2 bytes into another's): the wasm loop gives
  // up, the checked path writes both in order, the later one's low half over the earlier's high.
  const overlapping = [...entries.slice(0, gap + 1), { type: 9, offset: entries[gap].offset + 2, index: entries.find((e) => e.type === 9)!.index, addend: 0x1234 }, ...entries.slice(gap + 1)];
  const overlap = withPayload('overlap.o', relocBytes(target, overlapping));
  for (const [name, obj, sameAsPlain] of [['padded', padded, true], ['mixed', mixed, false], ['overlap', overlap, false]] as const) {
    const ours = await linked('ours', obj, name);
    t.equal(ours.code, 0, `${name}: links (${ours.stderr})`);
    const bytes = ours.bytes!;
    if (sameAsPlain) t.equal(firstDifference(plain, bytes), -1, `${name}: the same output as unpadded`);
    else t.not(firstDifference(plain, bytes), -1, `${name}: the added relocation changed the output`);
    if (!haveWasmLd()) {
      t.skip(`${name}: wasm-ld-22 not installed (npm run setup)`, () => {});
      continue;
    }
    const ref = await linked('ref', obj, `${name}-ref`);
    t.equal(ref.code, 0, `${name}: wasm-ld links it (${ref.stderr})`);
    t.equal(firstDifference(ref.bytes!, bytes), -1, `${name}: byte for byte wasm-ld's`);
  }
});

t.test("what is bad: the checked reader's error, naming the file and the offset", async (t) => {
  const sectionIndex = entries.find((e) => e.type === 9)!.index;
  const functionIndex = entries.find((e) => e.type === 8)!.index;
  const swapped = entries.slice();
  [swapped[2], swapped[3]] = [swapped[3], swapped[2]];
  const cases: [string, Uint8Array, RegExp][] = [
    ['out of order', relocBytes(target, swapped), /reloc\.\.debug_info: relocations not in offset order \(at offset 0x[0-9a-f]+\)/],
    ['past the end', relocBytes(target, [...entries, { type: 9, offset: 1 << 20, index: sectionIndex }]), /R_WASM_SECTION_OFFSET_I32 at offset 0x100000 runs past the end of section \.debug_info/],
    ['wrong kind', relocBytes(target, [{ ...entries[0], index: functionIndex }, ...entries.slice(1)]), /R_WASM_SECTION_OFFSET_I32 needs a section symbol but symbol \d+ is a function symbol/],
    ['index out of range', relocBytes(target, [...entries.slice(0, -1), { ...entries.at(-1)!, index: 9999 }]), /symbol index 9999 out of range/],
    ['unknown type', relocBytes(target, [{ ...entries[0], type: 99 }, ...entries.slice(1)]), /unknown relocation type 99/],
    ['count too large', relocBytes(target, entries, { count: 5000 }), /relocation count 5000 exceeds the \d+ bytes left/],
    ['trailing bytes', relocBytes(target, entries, { extra: [0] }), /1 unread bytes at the end/],
    // An offset whose fifth LEB byte sets bit 32.
    ['a LEB past 32 bits', new Uint8Array([...leb(target, false, false), 1, 9, 0x80, 0x80, 0x80, 0x80, 0x10, ...leb(sectionIndex, false, false), 0]), /LEB128 u32 too long or out of range/],
  ];
  for (const [name, payload, expected] of cases) {
    const obj = withPayload(`${name.replaceAll(' ', '-')}.o`, payload);
    const r = await h.ours(args(obj));
    t.equal(r.code, 1, `${name}: fails`);
    const lines = diagnosticLines(r.stderr, false);
    t.equal(lines.length, 1, `${name}: one error (${r.stderr})`);
    t.match(lines[0] ?? '', expected, `${name}: ${lines[0]}`);
    t.match(lines[0] ?? '', new RegExp(`${name.replaceAll(' ', '-')}\\.o`), `${name}: names the object`);
    t.notMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`);
  }
});
