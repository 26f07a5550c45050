// Interning (src/binary/intern.ts): names, function types, target features and producers read
// again are the values decoded the first time, frozen; a table that fills up is emptied, and
// never hands out another key's value.

import t from 'tap';
import { ByteReader } from '../../src/binary/byte-reader.js';
import { ByteWriter } from '../../src/binary/byte-writer.js';
import { BytesInterner } from '../../src/binary/intern.js';
import { readModule } from '../../src/binary/read-module.js';
import { readFuncType } from '../../src/binary/read-types.js';
import { SectionId, type FuncType, type ProducersField, type TargetFeature } from '../../src/binary/types.js';

/** A deterministic generator (mulberry32), so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

const NUMERIC = [0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f];

function encodeType(params: number[], results: number[]): Uint8Array {
  const w = new ByteWriter();
  w.u8(0x60);
  w.u32(params.length);
  for (const p of params) w.u8(p);
  w.u32(results.length);
  for (const r of results) w.u8(r);
  return w.finish();
}

function module(sections: { id: number; content: Uint8Array }[]): Uint8Array {
  const w = new ByteWriter();
  w.bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  for (const s of sections) {
    w.u8(s.id);
    w.u32(s.content.length);
    w.bytes(s.content);
  }
  return w.finish();
}

function typeSection(types: Uint8Array[]): { id: number; content: Uint8Array } {
  const w = new ByteWriter();
  w.u32(types.length);
  for (const ty of types) w.bytes(ty);
  return { id: SectionId.Type, content: w.finish() };
}

function custom(name: string, payload: Uint8Array): { id: number; content: Uint8Array } {
  const w = new ByteWriter();
  w.name(name);
  w.bytes(payload);
  return { id: SectionId.Custom, content: w.finish() };
}

function featuresPayload(features: [string, string][]): Uint8Array {
  const w = new ByteWriter();
  w.u32(features.length);
  for (const [prefix, name] of features) {
    w.u8(prefix.charCodeAt(0));
    w.name(name);
  }
  return w.finish();
}

function producersPayload(fields: [string, [string, string][]][]): Uint8Array {
  const w = new ByteWriter();
  w.u32(fields.length);
  for (const [name, values] of fields) {
    w.name(name);
    w.u32(values.length);
    for (const [n, v] of values) {
      w.name(n);
      w.name(v);
    }
  }
  return w.finish();
}

const typesOf = (bytes: Uint8Array): FuncType[] => {
  const s = readModule(bytes).sections.find((x) => x.id === SectionId.Type);
  return s?.id === SectionId.Type ? s.types : [];
};

/** `names` written one after another and read back twice by one reader: how many came back different. */
function readBackWrong(names: string[]): number {
  const w = new ByteWriter();
  for (const n of names) w.name(n);
  const bytes = w.finish();
  let wrong = 0;
  // Two passes: the second reads names the table holds, and (past its limit) names it let go.
  for (let pass = 0; pass < 2; pass++) {
    const r = new ByteReader(bytes, 'names.o');
    for (const n of names) if (r.name() !== n) wrong++;
  }
  return wrong;
}

t.test('names: 20,000 random names, ASCII and not, each read as its own bytes', async (t) => {
  const next = random(7);
  const alphabet = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)), 'é', 'ß', '€', '\uFFFD', '𝄞'];
  const names: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const len = Math.floor(next() * 60);
    let s = '';
    for (let k = 0; k < len; k++) s += alphabet[Math.floor(next() * (next() < 0.9 ? 95 : alphabet.length))];
    names.push(s);
  }
  t.equal(readBackWrong(names), 0, 'every name read back as written');
});

t.test('names: more distinct names than the table holds are still read as their own bytes', async (t) => {
  const names = Array.from({ length: 70_000 }, (_, i) => `name_${i}`);
  t.equal(readBackWrong(names), 0);
});

t.test('names: invalid UTF-8 is an error even where the replacement character is valid', async (t) => {
  const w = new ByteWriter();
  w.name('a\uFFFDb');
  const r = new ByteReader(w.finish(), 'ok.o');
  t.equal(r.name(), 'a\uFFFDb', 'U+FFFD itself is a valid name');
  const bad = new ByteReader(Uint8Array.of(3, 0x61, 0xff, 0x62), 'bad.o');
  t.throws(() => bad.name('symbol name'), { message: /symbol name is not valid UTF-8/ });
  const bad2 = new ByteReader(Uint8Array.of(3, 0x61, 0xff, 0x62), 'bad.o');
  t.throws(() => bad2.name('symbol name'), { message: /symbol name is not valid UTF-8/ }, 'and again, once the bytes were seen');
});

t.test('function types: the same signature in two modules is one frozen object', async (t) => {
  const a = typesOf(module([typeSection([encodeType([0x7f], [0x7f]), encodeType([], [])])]));
  const b = typesOf(module([typeSection([encodeType([], []), encodeType([0x7f], [0x7f])])]));
  t.same(a[0], { params: [0x7f], results: [0x7f] });
  t.equal(a[0], b[1], '(i32) -> i32 is shared');
  t.equal(a[1], b[0], '() -> () is shared');
  t.not(a[0], a[1]);
  t.ok(Object.isFrozen(a[0]) && Object.isFrozen(a[0].params) && Object.isFrozen(a[0].results), 'frozen with its arrays');
  t.throws(() => (a[0].params as number[]).push(0x7e), TypeError, 'a write throws instead of changing other modules’ types');
  t.same(b[1], { params: [0x7f], results: [0x7f] }, 'unchanged');
});

t.test('function types: 5,000 random signatures decode to their own params and results', async (t) => {
  const next = random(11);
  const expected: { params: number[]; results: number[] }[] = [];
  const encoded: Uint8Array[] = [];
  for (let i = 0; i < 5000; i++) {
    const pick = (n: number) => Array.from({ length: n }, () => NUMERIC[Math.floor(next() * NUMERIC.length)]);
    // Mostly short signatures (which repeat and collide), some with 130 parameters: a two-byte
    // count, not interned.
    const params = pick(next() < 0.02 ? 130 : Math.floor(next() * 5));
    const results = pick(Math.floor(next() * 2));
    expected.push({ params, results });
    encoded.push(encodeType(params, results));
  }
  for (let pass = 0; pass < 2; pass++) {
    const got = typesOf(module([typeSection(encoded)]));
    let wrong = 0;
    got.forEach((ty, i) => {
      if (JSON.stringify(ty) !== JSON.stringify(expected[i])) wrong++;
    });
    t.equal(wrong, 0, `pass ${pass}: every type as encoded`);
  }
});

t.test('function types: a type with a reference to another type is decoded, not interned', async (t) => {
  // (param (ref null 0)): 0x63 0x00.
  const bytes = Uint8Array.of(0x60, 0x01, 0x63, 0x00, 0x00);
  const one = readFuncType(new ByteReader(bytes, 'a.o'));
  const two = readFuncType(new ByteReader(bytes, 'b.o'));
  t.same(one, { params: [{ nullable: true, heap: 0, heapIsIndex: true }], results: [] });
  t.not(one, two);
});

t.test('function types: a truncated encoding is reported as before, not read from the table', async (t) => {
  readFuncType(new ByteReader(encodeType([0x7f, 0x7f], []), 'full.o'));
  const truncated = encodeType([0x7f, 0x7f], []).subarray(0, 3);
  t.throws(() => readFuncType(new ByteReader(truncated, 'cut.o')), /function parameter type count 2 exceeds the 1 bytes left/);
});

t.test('target_features and producers: one frozen decoding per payload', async (t) => {
  const features = featuresPayload([['+', 'atomics'], ['+', 'bulk-memory'], ['-', 'shared-mem']]);
  const producers = producersPayload([['language', [['C99', '']]], ['processed-by', [['clang', '22.1.8']]]]);
  const read = () => {
    const mod = readModule(module([custom('target_features', features), custom('producers', producers)]));
    let f: TargetFeature[] = [];
    let p: ProducersField[] = [];
    for (const s of mod.sections) {
      if (s.id === SectionId.Custom && s.custom === 'target_features') f = s.features;
      if (s.id === SectionId.Custom && s.custom === 'producers') p = s.fields;
    }
    return { f, p };
  };
  const a = read();
  const b = read();
  t.same(a.f, [{ prefix: '+', name: 'atomics' }, { prefix: '+', name: 'bulk-memory' }, { prefix: '-', name: 'shared-mem' }]);
  t.same(a.p, [{ name: 'language', values: [{ name: 'C99', version: '' }] }, { name: 'processed-by', values: [{ name: 'clang', version: '22.1.8' }] }]);
  t.equal(a.f, b.f);
  t.equal(a.p, b.p);
  t.throws(() => ((a.p[1].values[0] as { version: string }).version = '0'), TypeError, 'frozen all the way down');
  const other = readModule(module([custom('target_features', featuresPayload([['+', 'atomics']]))]));
  const s = other.sections[0];
  t.same(s.id === SectionId.Custom && s.custom === 'target_features' ? s.features : undefined, [{ prefix: '+', name: 'atomics' }], 'another payload is its own');
});

t.test('BytesInterner: a full table is emptied, never another key’s value', async (t) => {
  const table = new BytesInterner<string>(2, 16);
  const enc = (s: string) => Buffer.from(s, 'latin1');
  const keys = ['a', 'b', 'c', 'd', 'ab', 'ba', ''];
  for (const k of keys) table.set(enc(k), 0, k.length, `value of ${k}`);
  for (const k of keys) {
    const got = table.get(enc(k), 0, k.length);
    t.ok(got === undefined || got === `value of ${k}`, `${JSON.stringify(k)}: ${got}`);
  }
  const last = keys[keys.length - 1];
  t.equal(table.get(enc(last), 0, last.length), `value of ${last}`, 'the last key set is found');
  t.equal(table.get(enc('x'.repeat(17)), 0, 17), undefined, 'longer than the table interns');
});
