// A section whose content its builder writes straight into the output (SectionBase.content, as
// the linker writes its code and custom sections) encodes to the same bytes as the section
// encoded from its fields, wherever it sits in the module.

import t from 'tap';
import { ByteWriter } from '../../src/binary/byte-writer.js';
import { readModule } from '../../src/binary/read-module.js';
import { SectionId, type Section, type WasmModule } from '../../src/binary/types.js';
import { writeModule, writeSection } from '../../src/binary/write-module.js';

const base = { offset: 0, contentOffset: 0 };
const bodies = [Uint8Array.of(0x00, 0x41, 0x07, 0x0b), Uint8Array.of(0x01, 0x01, 0x7f, 0x20, 0x00, 0x0b)];

/** The same content, written by a function that puts it at `at` (and nowhere else). */
function placed(content: Uint8Array): Section['content'] {
  return { size: content.length, write: (dest, at) => dest.set(content, at) };
}

function encoded(section: Section): Uint8Array {
  const w = new ByteWriter();
  writeSection(w, section);
  // Drop the id and the size: the content alone.
  const all = w.finish();
  let p = 1;
  while (all[p] & 0x80) p++;
  return all.subarray(p + 1);
}

t.test('a code section and a custom section written in place match their fields, encoded', async (t) => {
  const code: Section = { ...base, id: SectionId.Code, bodies: bodies.map((bytes) => ({ bytes, offset: 0, bytesOffset: 0 })) };
  const custom: Section = { ...base, id: SectionId.Custom, name: '.debug_info', custom: 'raw', payload: Uint8Array.of(1, 2, 3, 4, 5) };
  const types: Section = { ...base, id: SectionId.Type, types: [{ params: [], results: [0x7f] }, { params: [0x7f], results: [] }] };
  const funcs: Section = { ...base, id: SectionId.Function, functions: [0, 1] as never };
  const fromFields: WasmModule = { version: 1, sections: [types, funcs, code, custom] };
  const inPlace: WasmModule = {
    version: 1,
    sections: [types, funcs, { ...base, id: SectionId.Code, bodies: [], content: placed(encoded(code)) }, { ...custom, payload: new Uint8Array(0), content: placed(encoded(custom)) }],
  };
  const a = writeModule(fromFields);
  const b = writeModule(inPlace);
  t.ok(Buffer.from(a).equals(Buffer.from(b)), 'same bytes');
  t.equal(b.length, a.length, 'the output is sized from the content');
  const back = readModule(b);
  const s = back.sections.find((x) => x.id === SectionId.Custom);
  t.same(s?.id === SectionId.Custom && s.custom === 'raw' ? [...s.payload] : undefined, [1, 2, 3, 4, 5], 'read back');
});

t.test('ByteWriter.place writes through the function, after what was written, and grows if it must', async (t) => {
  const w = new ByteWriter(2);
  w.u8(9);
  let at = -1;
  w.place(300, (dest, p) => {
    at = p;
    dest.fill(7, p, p + 300);
  });
  w.u8(8);
  const out = w.finish();
  t.equal(at, 1);
  t.equal(out.length, 302);
  t.same([out[0], out[1], out[300], out[301]], [9, 7, 7, 8]);
});
