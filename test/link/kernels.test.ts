// The linker's loops in wasm (src/link/kernels) against what they stand in for, on random inputs:
// - reloc-words.c, which patches custom sections' 32-bit word relocations, against the checked
//   reader (binary/read-linking.ts readRelocEntries, which relocations.ts relocateChecked
//   applies): on random `reloc.*` section bodies, valid and broken, it must give up on every one
//   the reader rejects, and on the valid ones either give up (another encoding, overlapping slots)
//   or write exactly the values the checked path would, handing back the entries of the types it
//   does not compute, in order;
// - merge-strings.c (merge-strings.ts mergeInWasm), and mergeInJs which merges small inputs, against
//   tail merging written plainly in JavaScript, on random sets of strings with many shared suffixes.
// And the bytes committed in kernels-wasm.ts must be what build.sh makes of the C files.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ByteReader } from '../../src/binary/byte-reader.js';
import { readRelocEntries } from '../../src/binary/read-linking.js';
import { encodeS32, encodeU32, PADDED_LEB32_WIDTH } from '../../src/binary/leb.js';
import { RELOC_TYPES } from '../../src/binary/reloc-types.js';
import type { SymbolInfo } from '../../src/binary/types.js';
import { mergeInJs, mergeInWasm, mergeStrings, pieceOffset, Pieces } from '../../src/link/merge-strings.js';
import { link } from '../../src/link/index.js';
import { JOB_PENDING_START, JOB_RESULT, JOB_WORDS, KernelMemoryError, Kernels, kernelThresholds } from '../../src/link/kernels/index.js';
import { C_FIXTURES } from './harness.js';
import { prng } from '../helpers/fuzz-cases.js';

const KERNEL_DIR = new URL('../../src/link/kernels/', import.meta.url).pathname;
const SEED = Number(process.env.KERNELS_SEED ?? Date.now() % 1_000_000);
const CASES = Number(process.env.KERNELS_CASES ?? 20_000);

/** A symbol as the kernel's table holds it (relocations.ts symbolTable). */
interface Sym {
  kind: number;
  dead: boolean;
  funcOffset: number;
  /** 0: no section, 1: at `base`, 2: merged strings with `pieces`. */
  mode: 0 | 1 | 2;
  base: number;
  pieces?: Pieces;
}

interface Case {
  payload: Uint8Array;
  rel: Uint8Array;
  symbols: Sym[];
  tombstone: number | undefined;
}

type Outcome = { gaveUp: true } | { gaveUp: false; bytes: Uint8Array; pending: number[][] };

/** What the kernel must do, decided by the checked reader. */
function expected(c: Case): Outcome {
  const entries: number[][] = [];
  try {
    const r = new ByteReader(c.rel, 'case.o', 0);
    r.u32();
    const n = r.count('reloc..debug_info relocation', 3);
    const infos = c.symbols.map((s, i): SymbolInfo => ({ kind: s.kind, flags: 0, index: i, name: `s${i}` }) as SymbolInfo);
    readRelocEntries(r, 'reloc..debug_info', n, c.payload.length, '.debug_info', { types: 4, symbols: infos }, (_, info, offset, index, addend) => {
      entries.push([info.type, offset, index, addend]);
    });
    if (!r.atEnd()) return { gaveUp: true };
  } catch {
    return { gaveUp: true };
  }
  let next = 0;
  for (const [type, offset] of entries) {
    if (RELOC_TYPES[type]!.encoding !== 'i32' || offset < next) return { gaveUp: true };
    next = offset + 4;
  }
  const bytes = c.payload.slice();
  const pending: number[][] = [];
  for (const [type, offset, index, addend] of entries) {
    const s = c.symbols[index];
    let value: number;
    if (s.dead) value = c.tombstone ?? addend;
    else if (type === 9) value = s.mode === 0 ? addend : s.mode === 1 ? s.base + addend : pieceOffset(s.pieces!, addend);
    else if (type === 8) value = s.funcOffset + addend;
    else {
      pending.push([type, offset, index, addend]);
      continue;
    }
    new DataView(bytes.buffer).setUint32(offset, value >>> 0, true);
  }
  return { gaveUp: false, bytes, pending };
}

/** What the kernel does, one job as relocations.ts relocateBatch runs it. */
function actual(c: Case, owner: object): Outcome {
  const k = Kernels.lend(owner);
  const piecesAt = c.symbols.map((s) => {
    if (!s.pieces) return 0;
    const at = k.alloc((1 + 2 * s.pieces.input.length) * 4);
    k.i32[at >> 2] = s.pieces.input.length;
    k.i32.set(s.pieces.input, (at >> 2) + 1);
    k.i32.set(s.pieces.output, (at >> 2) + 1 + s.pieces.input.length);
    return at;
  });
  const table = k.alloc(c.symbols.length * 20 + 4);
  c.symbols.forEach((s, i) => k.i32.set([s.kind, s.dead ? 1 : 0, s.funcOffset, s.mode, s.mode === 2 ? piecesAt[i] : s.base], (table >> 2) + 5 * i));
  const jobs = k.scratch(JOB_WORDS * 4 + c.payload.length + c.rel.length + 4 + Math.floor(c.rel.length / 3) * 16);
  const payload = jobs + JOB_WORDS * 4;
  const rel = payload + c.payload.length;
  const pending = (rel + c.rel.length + 3) & ~3;
  k.u8.set(c.payload, payload);
  k.u8.set(c.rel, rel);
  k.i32.set([payload, c.payload.length, rel, c.rel.length, table, c.symbols.length, c.tombstone ?? 0, c.tombstone === undefined ? 0 : 1, 0x7777, 0x7777], jobs >> 2);
  const total = k.fn.reloc_chunks(jobs, 1, k.types, pending);
  const n = k.i32[(jobs >> 2) + JOB_RESULT];
  if (n < 0) return { gaveUp: true };
  const start = k.i32[(jobs >> 2) + JOB_PENDING_START];
  if (start !== 0 || total !== n) throw new Error(`pending list starts at ${start}, holds ${total}, for ${n} entries`);
  const list: number[][] = [];
  for (let i = 0; i < n; i++) list.push([...k.i32.subarray((pending >> 2) + 4 * i, (pending >> 2) + 4 * i + 4)]);
  return { gaveUp: false, bytes: k.u8.slice(payload, payload + c.payload.length), pending: list };
}

/** LEB128 of `v` as binary/leb.ts writes it, padded to 5 bytes when asked; `signed` for addends. */
function leb(v: number, signed: boolean, padded: boolean): number[] {
  const width = padded ? PADDED_LEB32_WIDTH : undefined;
  return [...(signed ? encodeS32(v, width) : encodeU32(v, width))];
}

/** A random case: mostly well-formed word relocations, with every way of being wrong now and then. */
function makeCase(rand: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (n: number): number => Math.floor(rand() * n);
  const symbols: Sym[] = [];
  for (let i = 0, n = int(12); i < n; i++) {
    const kind = rand() < 0.8 ? pick([0, 3, 3, 1, 2]) : int(6);
    let pieces: Sym['pieces'];
    const mode = kind === 3 ? pick([0, 1, 1, 2] as const) : (int(3) as 0 | 1 | 2);
    if (mode === 2) {
      const count = 1 + int(8);
      const input = new Int32Array(count);
      for (let j = 1; j < count; j++) input[j] = input[j - 1] + 1 + int(20);
      pieces = new Pieces(input);
      for (let j = 0; j < count; j++) pieces.output[j] = int(1 << 20);
    }
    symbols.push({ kind, dead: rand() < 0.15, funcOffset: rand() < 0.1 ? 0xffffff00 | 0 : int(1 << 24), mode, base: rand() < 0.05 ? -1 : int(1 << 24), pieces });
  }
  // Half the cases have no entry of a type, offset or index the kernel does not take.
  const clean = rand() < 0.5;
  const odd = (p: number): boolean => !clean && rand() < p;
  const bytes: number[] = [...leb(int(8), false, rand() < 0.1)];
  const n = int(16);
  const entries: number[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const type = odd(0.1) ? int(40) : pick([8, 9, 9, 9, 5, 13, 2]);
    offset += odd(0.05) ? int(4) - (rand() < 0.2 ? 2 : 0) : 4 + int(6);
    // Mostly a symbol of a kind the type takes.
    const fits = symbols.flatMap((s, k) => ((1 << s.kind) & (RELOC_TYPES[type]?.kindMask ?? 0) ? [k] : []));
    const index = !odd(0.1) && fits.length ? pick(fits) : rand() < 0.9 ? int(Math.max(1, symbols.length)) : int(1 << 20);
    // Small, large either way, and the most negative s32.
    const addend = pick([0, int(64), -int(64), int(2 ** 31), -int(2 ** 31), -(2 ** 31)]);
    const padded = rand() < 0.1;
    // A fifth LEB byte with bits past 32 (or the sign's) set now and then.
    const wide = (b: number[]): number[] => (b.length === 5 && odd(0.3) ? [...b.slice(0, 4), b[4] ^ (0x10 << int(3))] : b);
    entries.push(...leb(type, false, false), ...wide(leb(Math.max(0, offset), false, padded)), ...wide(leb(index, false, padded)));
    if (RELOC_TYPES[type]?.hasAddend) entries.push(...wide(leb(addend, true, padded)));
  }
  const size = rand() < 0.9 ? Math.max(0, offset) + 4 + int(8) : int(100);
  const payload = new Uint8Array(size).map(() => int(256));
  bytes.push(...leb(odd(0.05) ? int(40) : n, false, rand() < 0.1), ...entries);
  // Broken bytes now and then: one changed, the end cut off or something after it.
  if (odd(0.15) && bytes.length) bytes[int(bytes.length)] = int(256);
  if (odd(0.05)) bytes.length = int(bytes.length);
  if (odd(0.05)) bytes.push(int(256));
  return { payload, rel: new Uint8Array(bytes), symbols, tombstone: rand() < 0.5 ? undefined : pick([0xffffffff, 0xfffffffe]) };
}

t.test(`reloc-words.c against the checked reader, ${CASES} random sections (KERNELS_SEED=${SEED} replays them)`, async (t) => {
  const rand = prng(SEED);
  const owner = {};
  let gaveUp = 0;
  let patched = 0;
  let pendingSeen = 0;
  for (let i = 0; i < CASES; i++) {
    const c = makeCase(rand);
    const want = expected(c);
    const got = actual(c, owner);
    if (JSON.stringify({ ...got, bytes: got.gaveUp ? undefined : [...got.bytes] }) !== JSON.stringify({ ...want, bytes: want.gaveUp ? undefined : [...want.bytes] })) {
      t.fail(`case ${i}: kernel ${got.gaveUp ? 'gave up' : 'patched'}, the checked path says ${want.gaveUp ? 'give up' : 'patch'}`, {
        rel: Buffer.from(c.rel).toString('hex'), symbols: c.symbols, tombstone: c.tombstone, got, want,
      });
      return;
    }
    if (got.gaveUp) gaveUp++;
    else {
      patched++;
      if (got.pending.length) pendingSeen++;
    }
    // A new owner now and then: the memory is reset as for the next link.
    if (i % 1000 === 999) Kernels.lend({});
  }
  t.ok(gaveUp > CASES / 20 && patched > CASES / 20 && pendingSeen > CASES / 50, `both ways taken: ${patched} patched (${pendingSeen} with entries handed back), ${gaveUp} given up`);
});

/**
 * Tail merging as plainly as it can be written: the distinct strings (NUL included) sorted by
 * their reversed bytes, placed in descending order, each that ends the string placed before it
 * sharing its tail.
 */
function mergeReference(inputs: Uint8Array[], base: number): { table: number[]; starts: number[][]; offsets: number[][] } {
  const split = inputs.map((data) => {
    const out: { start: number; s: string }[] = [];
    for (let p = 0; p < data.length; ) {
      const end = data.indexOf(0, p) + 1;
      out.push({ start: p, s: String.fromCharCode(...data.subarray(p, end)) });
      p = end;
    }
    return out;
  });
  const reversed = (s: string): string => [...s].reverse().join('');
  const distinct = [...new Set(split.flat().map((x) => x.s))];
  distinct.sort((a, b) => {
    const ra = reversed(a);
    const rb = reversed(b);
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  });
  const at = new Map<string, number>();
  let table = '';
  let previous = '';
  for (const s of distinct.reverse()) {
    if (previous.endsWith(s)) at.set(s, table.length - s.length);
    else {
      at.set(s, table.length);
      table += s;
      previous = s;
    }
  }
  return { table: [...table].map((c) => c.charCodeAt(0)), starts: split.map((xs) => xs.map((x) => x.start)), offsets: split.map((xs) => xs.map((x) => base + at.get(x.s)!)) };
}

t.test(`merge-strings.c and mergeInJs against tail merging written plainly, ${CASES / 10} random string sets (KERNELS_SEED=${SEED})`, async (t) => {
  const rand = prng(SEED ^ 0x5eed);
  const int = (n: number): number => Math.floor(rand() * n);
  // Few letters and short strings, so that many strings repeat and end others.
  const word = (): number[] => Array.from({ length: int(6) }, () => (rand() < 0.9 ? 97 + int(3) : 1 + int(255)));
  let shared = 0;
  const owner = {};
  for (let i = 0; i < CASES / 10; i++) {
    const common = Array.from({ length: 1 + int(8) }, word);
    const inputs = Array.from({ length: int(6) }, () => new Uint8Array(Array.from({ length: int(10) }, () => [...(rand() < 0.5 ? common[int(common.length)] : word()), 0]).flat()));
    const base = int(1000);
    const want = mergeReference(inputs, base);
    for (const [how, got] of [['wasm', mergeInWasm(Kernels.lend(owner), inputs, base)], ['js', mergeInJs(inputs, base)]] as const) {
      const same = JSON.stringify([...got.table]) === JSON.stringify(want.table) &&
        JSON.stringify(got.pieces.map((p) => [...p.input])) === JSON.stringify(want.starts) &&
        JSON.stringify(got.pieces.map((p) => [...p.output])) === JSON.stringify(want.offsets);
      if (!same) {
        t.fail(`case ${i}: ${how} merged differently`, { inputs: inputs.map((b) => Buffer.from(b).toString('hex')), base, got: { table: [...got.table], pieces: got.pieces.map((p) => [[...p.input], [...p.output]]) }, want });
        return;
      }
    }
    const total = inputs.reduce((n, b) => n + b.length, 0);
    if (want.table.length < total && new Set(want.offsets.flat()).size > 1) shared++;
  }
  t.ok(shared > CASES / 40, `strings shared a table entry or a tail in ${shared} cases`);
  t.end();
});

/** Runs `fn` with every wasm memory refusing to grow (as one near 4 GiB does). */
function withoutGrowth<T>(fn: () => T): T {
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = () => {
    throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
  };
  try {
    return fn();
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
}

t.test('when the wasm memory cannot grow: merging strings is an error, relocations take the checked path', async (t) => {
  // 300 inputs of 400 bytes: more than the module's first 128 KiB can take.
  const big = Array.from({ length: 300 }, (_, i) => new Uint8Array(Buffer.from(`${'x'.repeat(390)}${i}\0`)));
  t.throws(() => withoutGrowth(() => mergeStrings({}, 'custom section .debug_str', big)), {
    name: 'WasmthreadsError',
    message: /cannot merge the strings of custom section \.debug_str \(0 MiB in 300 inputs\): merging them needs \d+ MiB of wasm memory \(it could not grow past 0 MiB\)/,
  });
  // debug.o and debug2.o: DWARF, relocated against code, sections and merged .debug_str. With no
  // room for an object's symbol table, every chunk goes to the checked path: the same bytes.
  // The wasm loop runs on these few relocations only with its threshold lowered.
  const options = { inputs: [C_FIXTURES + 'debug.o', C_FIXTURES + 'debug2.o'], noEntry: true };
  const plain = link(options).bytes;
  const { relocBytes } = kernelThresholds;
  const alloc = Kernels.prototype.alloc;
  kernelThresholds.relocBytes = 0;
  try {
    t.equal(Buffer.compare(link(options).bytes, plain), 0, 'the wasm loop writes what the checked path does');
    Kernels.prototype.alloc = () => {
      throw new KernelMemoryError('no room (a test)');
    };
    t.equal(Buffer.compare(link(options).bytes, plain), 0, 'with no room for it, the checked path writes the same bytes');
  } finally {
    Kernels.prototype.alloc = alloc;
    kernelThresholds.relocBytes = relocBytes;
  }
});

const noCompiler = spawnSync('clang-22', ['--version']).status !== 0 || spawnSync('wasm-ld-22', ['--version']).status !== 0;
t.test('kernels-wasm.ts holds what build.sh makes of the C files', { skip: noCompiler && 'clang-22 or wasm-ld-22 not installed (npm run setup)' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kernels-'));
  try {
    const out = join(dir, 'kernels-wasm.ts');
    const r = spawnSync('bash', [join(KERNEL_DIR, 'build.sh'), out], { encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    t.equal(readFileSync(out, 'utf8'), readFileSync(join(KERNEL_DIR, 'kernels-wasm.ts'), 'utf8'), 'the committed bytes are current');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  t.end();
});
