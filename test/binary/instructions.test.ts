// The instruction decoder against wasm-objdump (run live on the all-opcodes fixture), plus
// hand-encoded bodies for what wabt 1.0.32 cannot assemble (GC, typed function references,
// try_table/throw_ref) and the decode errors.

import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DecodeError } from '../../src/diagnostics.js';
import { readModule } from '../../src/binary/read-module.js';
import { findSection, type FunctionBody } from '../../src/binary/types.js';
import { BLOCK_TYPE_EMPTY, InstructionReader, bodyReader, readLocals } from '../../src/binary/instructions.js';
import { Imm, OPCODES, lookupOpcode } from '../../src/binary/opcodes.js';
import { disassembleFunction, heapTypeName, instructionText, valTypeName } from '../../src/binary/disassemble.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/wat/inspect/all-opcodes.wasm', import.meta.url));
const TOOL_TIMEOUT_MS = 30_000;

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore', timeout: TOOL_TIMEOUT_MS });
    return true;
  } catch {
    return false;
  }
}

/** wabt 1.0.32 still prints the pre-standard names of two relaxed-SIMD opcodes. */
const WABT_NAMES: Record<string, string> = {
  'i16x8.relaxed_dot_i8x16_i7x16_s': 'i16x8.dot_i8x16_i7x16_s',
  'i32x4.relaxed_dot_i8x16_i7x16_add_s': 'i32x4.dot_i8x16_i7x16_add_s',
};

/** wasm-objdump's hex float syntax (`-0x1.8p+0`, `0x1.p-149`, `inf`, `nan:0x…`) → number. */
function parseHexFloat(s: string): number {
  const m = /^(-?)(?:0x([0-9a-f]+)\.?([0-9a-f]*)p([+-]\d+)|(inf)|(nan)(?::0x[0-9a-f]+)?)$/.exec(s);
  if (!m) throw new Error(`unparsed float ${s}`);
  const sign = m[1] === '-' ? -1 : 1;
  if (m[5]) return sign * Infinity;
  if (m[6]) return NaN;
  const mantissa = parseInt(m[2] + m[3], 16) / 16 ** m[3].length;
  return sign * mantissa * 2 ** Number(m[4]);
}

/** Our decoded instruction, printed the way wasm-objdump -d prints it. */
function objdumpText(r: InstructionReader): string {
  const name = WABT_NAMES[r.op.name] ?? r.op.name;
  const memarg = () => [r.align, ...(r.memory !== 0 ? [r.memory] : []), r.memOffset].join(' ');
  let imm: string;
  switch (r.op.imm) {
    case Imm.I32:
      imm = String(r.value >>> 0); // wabt prints i32 constants unsigned
      break;
    case Imm.Fence:
      imm = '0';
      break;
    case Imm.BlockType:
      imm = r.blockType === BLOCK_TYPE_EMPTY ? '' : valTypeName(r.blockType & 0x7f);
      break;
    case Imm.CallIndirect:
      imm = r.op.name === 'call_indirect' ? `${r.index2} (type ${r.index})` : `${r.index2} ${r.index}`;
      break;
    case Imm.MemArg:
      imm = memarg();
      break;
    case Imm.MemArgLane:
      imm = `${memarg()} ${r.lane}`;
      break;
    case Imm.SelectT:
      imm = r.selectTypes().map(valTypeName).join(' ');
      break;
    case Imm.HeapType:
      imm = heapTypeName(r.heapType);
      break;
    case Imm.Shuffle:
    case Imm.V128:
      imm = v128Words(r.v128Bytes());
      break;
    default:
      imm = instructionText(r).slice(r.op.name.length + 1);
  }
  return imm === '' ? name : `${name} ${imm}`;
}

function v128Words(b: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 4) {
    const word = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
    words.push('0x' + word.toString(16).padStart(8, '0'));
  }
  return words.join(' ');
}

/** `wasm-objdump -d` rows that carry an instruction: offset → text (indentation removed). */
function objdumpInstructions(file: string): Map<number, string> {
  const out = execFileSync('wasm-objdump', ['-d', file], { encoding: 'utf8', timeout: TOOL_TIMEOUT_MS });
  const rows = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^ ([0-9a-f]{6}): [0-9a-f ]+\| (.*)$/.exec(line);
    if (!m || m[2].trim() === '' || m[2].startsWith('local[')) continue;
    rows.set(parseInt(m[1], 16), m[2].trim());
  }
  return rows;
}

t.test('every instruction of the all-opcodes fixture matches wasm-objdump -d', { skip: hasTool('wasm-objdump') ? false : 'wasm-objdump (wabt) not installed' }, async (t) => {
  const bytes = readFileSync(FIXTURE);
  const mod = readModule(bytes, FIXTURE);
  const code = findSection(mod, 10)!;
  const expected = objdumpInstructions(FIXTURE);
  let compared = 0;
  const mismatches: string[] = [];
  const seen = new Set<string>();
  for (const body of code.bodies) {
    const r = bodyReader(body, FIXTURE);
    while (r.next()) {
      seen.add(`${r.op.prefix}:${r.op.code}`);
      const want = expected.get(r.offset);
      const got = objdumpText(r);
      if (want === undefined) mismatches.push(`0x${r.offset.toString(16)}: objdump has no row for ${got}`);
      else if (r.op.imm === Imm.F32 || r.op.imm === Imm.F64) {
        const value = parseHexFloat(want.split(' ')[1]);
        if (!Object.is(value, r.value) && !(Number.isNaN(value) && Number.isNaN(r.value))) mismatches.push(`0x${r.offset.toString(16)}: ${want} vs ${r.value}`);
      } else if (want !== got) mismatches.push(`0x${r.offset.toString(16)}: objdump "${want}" vs ours "${got}"`);
      compared++;
    }
  }
  t.same(mismatches, [], 'no mismatches');
  t.equal(compared, expected.size, 'same number of instructions as wasm-objdump');
  // Everything but what wabt 1.0.32 cannot assemble appears in the fixture.
  const notInWabt = new Set(['call_ref', 'return_call_ref', 'br_on_null', 'br_on_non_null', 'ref.as_non_null', 'throw_ref', 'try_table', 'ref.eq']);
  const missing = OPCODES.filter((o) => o.prefix !== 0xfb && !notInWabt.has(o.name) && !seen.has(`${o.prefix}:${o.code}`)).map((o) => o.name);
  t.same(missing, [], 'the fixture exercises every other opcode');
  t.ok(compared > 550, `compared ${compared} instructions`);
});

/** A function body from raw instruction bytes (no locals), placed at absolute offset `at`. */
function body(instr: number[], at = 0x100): FunctionBody {
  const bytes = Uint8Array.from([0x00, ...instr]);
  return { bytes, offset: at - 1, bytesOffset: at };
}

function decodeAll(b: FunctionBody): string[] {
  return disassembleFunction(b, 'x.wasm').instructions.map((i) => i.text);
}

t.test('hand-encoded: typed function references, GC, new exception handling', async (t) => {
  t.same(
    decodeAll(body([0x14, 0x02, 0x15, 0x03, 0xd4, 0xd5, 0x00, 0xd6, 0x01, 0xd3, 0x0a, 0x0b])),
    ['call_ref 2', 'return_call_ref 3', 'ref.as_non_null', 'br_on_null 0', 'br_on_non_null 1', 'ref.eq', 'throw_ref', 'end'],
  );
  // try_table (result i32) (catch 0 0) (catch_ref 1 1) (catch_all 2) (catch_all_ref 0) … end end
  t.same(
    decodeAll(body([0x1f, 0x7f, 0x04, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x02, 0x02, 0x03, 0x00, 0x01, 0x0b, 0x0b])),
    ['try_table (result i32) (catch 0 0) (catch_ref 1 1) (catch_all 2) (catch_all_ref 0)', 'nop', 'end', 'end'],
  );
  t.same(
    decodeAll(
      body([
        0xfb, 0x00, 0x05, // struct.new 5
        0xfb, 0x02, 0x05, 0x01, // struct.get 5 1
        0xfb, 0x08, 0x06, 0x03, // array.new_fixed 6 3
        0xfb, 0x11, 0x06, 0x07, // array.copy 6 7
        0xfb, 0x14, 0x6e, // ref.test (ref any)
        0xfb, 0x17, 0x02, // ref.cast (ref null 2)
        0xfb, 0x18, 0x03, 0x00, 0x6e, 0x6c, // br_on_cast 0 (ref null any) (ref null i31)
        0xfb, 0x1c, 0xfb, 0x1e, // ref.i31 i31.get_u
        0xd0, 0x71, // ref.null none
        0x02, 0x63, 0x70, 0x0b, // block (result (ref null func)) end
        0x0b,
      ]),
    ),
    [
      'struct.new 5',
      'struct.get 5 1',
      'array.new_fixed 6 3',
      'array.copy 6 7',
      'ref.test (ref any)',
      'ref.cast (ref null 2)',
      'br_on_cast 0 (ref null any) (ref null i31)',
      'ref.i31',
      'i31.get_u',
      'ref.null none',
      'block (result (ref null func))',
      'end',
      'end',
    ],
  ); // prettier-ignore
});

t.test('memory64 offsets, multi-memory, padded LEBs as relocatable objects carry them', async (t) => {
  const r = bodyReader(body([0x28, 0x42, 0x03, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x41, 0x83, 0x80, 0x80, 0x80, 0x00, 0x0b]), 'x.o');
  t.ok(r.next());
  t.equal(r.op.name, 'i32.load');
  t.equal(r.memory, 3);
  t.equal(r.memOffset, 2 ** 35, 'a memory64 offset above 2^32');
  t.ok(r.next());
  t.equal(r.value, 3, 'padded i32.const 3');
  t.equal(r.immOffset, 0x100 + 1 + 9 + 1, 'immediate offset is absolute');
});

t.test('local declarations', async (t) => {
  const b: FunctionBody = { bytes: Uint8Array.from([0x02, 0x03, 0x7f, 0x01, 0x64, 0x70, 0x0b]), offset: 9, bytesOffset: 10 };
  const locals = readLocals(b);
  t.same(locals.decls, [
    { count: 3, type: 0x7f },
    { count: 1, type: { nullable: false, heap: 0x70, heapIsIndex: false } },
  ]);
  t.equal(locals.total, 4);
  t.equal(locals.codeStart, 6);
});

function decodeError(b: FunctionBody): DecodeError {
  try {
    decodeAll(b);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

t.test('decode errors carry the file and the absolute offset', async (t) => {
  const unknown = decodeError(body([0x01, 0xfd, 0x9a, 0x01, 0x0b], 0x200));
  t.match(unknown.message, /x\.wasm: unknown opcode 0xfd 154 \(at offset 0x202\)/);
  t.match(decodeError(body([0x01, 0xff, 0x0b], 0x200)).message, /unknown opcode 0xff \(at offset 0x202\)/);
  t.match(decodeError(body([0x01, 0x01], 0x200)).message, /does not end with end \(0x0b\) \(at offset 0x203\)/);
  t.match(decodeError(body([0x0b, 0x01], 0x200)).message, /1 bytes after the final end/);
  t.match(decodeError(body([0x41, 0x80, 0x80], 0x200)).message, /unexpected end of data/);
  t.match(decodeError(body([0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b], 0x200)).message, /br_table label count 4294967295 exceeds/);
  t.match(decodeError(body([0xfe, 0x03, 0x01, 0x0b], 0x200)).message, /atomic.fence: reserved byte must be 0 \(at offset 0x203\)/);
  t.match(decodeError(body([0x1f, 0x40, 0x01, 0x07, 0x00, 0x0b, 0x0b], 0x200)).message, /unknown catch clause kind 7/);
});

t.test('the opcode table has one entry per opcode and finds each', async (t) => {
  for (const op of OPCODES) {
    if (lookupOpcode(op.prefix, op.code) !== op) t.fail(`lookup of ${op.name}`);
  }
  t.equal(lookupOpcode(0xfd, 0x9a), undefined, 'reserved SIMD code');
  t.ok(OPCODES.length > 500, `${OPCODES.length} opcodes`);
});
