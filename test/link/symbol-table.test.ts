// The symbol table's lazy entries: a name an archive offers is a symbol only once something looks
// it up, and then takes the place in the insertion order (which is the order exports and imports
// are written in) that it would have had as a symbol from the start.

import t from 'tap';
import { SymbolKind } from '../../src/binary/types.js';
import type { ArchiveMemberRef } from '../../src/link/archive.js';
import type { ObjFile } from '../../src/link/input-files.js';
import { SymbolTable, type ExtractRecord } from '../../src/link/symbol-table.js';
import { newSymbol, type Sym } from '../../src/link/symbols.js';

function member(name: string): ArchiveMemberRef {
  return {
    name,
    get obj(): ObjFile {
      throw new Error(`${name} is not decoded in this test`);
    },
    definitions: [],
    extracted: false,
  };
}

function table(trace?: (s: Sym, file: string) => void): { st: SymbolTable; extracted: ExtractRecord[]; traced: string[] } {
  const extracted: ExtractRecord[] = [];
  const traced: string[] = [];
  const st = new SymbolTable({
    error: (d) => {
      throw new Error(d.message);
    },
    warn: () => {},
    extract: (_ref, record) => extracted.push(record),
    allowMultipleDefinition: false,
    displayName: (n) => n,
    trace: trace && ((s, file) => (traced.push(`${file}: ${s.state} ${s.name}`), trace(s, file))),
  });
  return { st, extracted, traced };
}

const names = (st: SymbolTable): string[] => st.ordered.map((s) => s.name);

t.test('symbols made from lazy entries out of order take their places in the insertion order', async (t) => {
  const { st, extracted } = table();
  const [ma, mb, mc] = [member('lib.a(a.o)'), member('lib.a(b.o)'), member('lib.a(c.o)')];
  st.addLazy('a', SymbolKind.Function, ma);
  st.addLazy('b', SymbolKind.Data, mb);
  st.addLazy('c', SymbolKind.Global, mc);
  t.same(names(st), [], 'nothing looked up: no symbols');
  st.addSynthetic(newSymbol('d', SymbolKind.Data, 0, 'defined'));
  const c = st.find('c')!;
  t.equal(c.state, 'lazy');
  t.equal(c.kind, SymbolKind.Global, 'the kind the entry was offered with');
  t.equal(c.lazy, mc);
  t.equal(st.find('c'), c, 'made once');
  t.equal(st.find('a')!.lazy, ma);
  t.same(names(st), ['a', 'c', 'd'], 'a and c before d, which came after them');
  st.addLazy('a', SymbolKind.Function, member('other.a(a.o)'));
  t.equal(st.find('a')!.lazy, ma, 'a name offered twice keeps its first member');
  st.fetch('b', '--export');
  t.same(extracted, [{ reference: '--export', extracted: 'lib.a(b.o)', symbol: 'b' }]);
  t.same(names(st), ['a', 'b', 'c', 'd']);
  st.addLazy('e', SymbolKind.Function, member('lib.a(e.o)'));
  st.addLazy('f', SymbolKind.Function, member('lib.a(f.o)'));
  st.demoteLazy();
  t.same(
    st.ordered.map((s) => `${s.name} ${s.state}`),
    ['a undefined', 'b undefined', 'c undefined', 'd defined'],
    'after resolution the lazy symbols are undefined; e and f, never looked up, are not symbols',
  );
  t.equal(st.find('f')!.state, 'undefined', 'an entry looked up after resolution is an undefined symbol');
  t.same(names(st), ['a', 'b', 'c', 'd', 'f']);
  t.equal(st.find('zzz'), undefined);
});

t.test('a reference pulls the member behind a lazy entry', async (t) => {
  const { st, extracted } = table();
  st.addSynthetic(newSymbol('first', SymbolKind.Function, 0, 'defined'));
  st.addLazy('f', SymbolKind.Function, member('lib.a(f.o)'));
  const s = st.reference('f', '<internal>');
  t.equal(s.name, 'f');
  t.ok(s.usedInRegularObj);
  t.same(extracted, [{ reference: '<internal>', extracted: 'lib.a(f.o)', symbol: 'f' }]);
  st.reference('f', '<internal>');
  t.equal(extracted.length, 1, 'a member is pulled once');
  t.same(names(st), ['first', 'f']);
});

t.test('many lazy entries looked up in reverse come out in the order they were offered', async (t) => {
  const { st } = table();
  const n = 5000;
  for (let i = 0; i < n; i++) {
    st.addLazy(`s${i}`, SymbolKind.Function, member(`lib.a(m${i}.o)`));
    if (i % 7 === 0) st.addSynthetic(newSymbol(`d${i}`, SymbolKind.Data, 0, 'defined'));
  }
  for (let i = n - 1; i >= 0; i -= 3) st.find(`s${i}`);
  const want: string[] = [];
  for (let i = 0; i < n; i++) {
    if ((n - 1 - i) % 3 === 0) want.push(`s${i}`);
    if (i % 7 === 0) want.push(`d${i}`);
  }
  t.same(names(st), want);
});

t.test('under --trace-symbol a name is a symbol as soon as it is offered', async (t) => {
  const { st, traced } = table(() => {});
  st.addLazy('a', SymbolKind.Function, member('lib.a(a.o)'));
  t.same(traced, ['lib.a(a.o): lazy a']);
  t.same(names(st), ['a']);
});

t.test('a place marked in the insertion order stays before the symbols made after it', async (t) => {
  const { st } = table();
  st.addLazy('a', SymbolKind.Data, member('lib.a(a.o)'));
  st.addSynthetic(newSymbol('x', SymbolKind.Data, 0, 'defined'));
  st.demoteLazy();
  // As the linker marks where the __start_/__stop_ symbols it makes after the layout begin.
  const mark = st.nextPlace;
  t.equal(st.indexOfPlace(mark), 1, 'nothing after the mark yet: the end');
  st.addSynthetic(newSymbol('__start_s', SymbolKind.Data, 0, 'defined'));
  // A name an archive offered, looked up only now, goes to its own place, before the mark.
  t.equal(st.find('a')!.state, 'undefined');
  t.same(names(st), ['a', 'x', '__start_s']);
  t.equal(st.indexOfPlace(mark), 2, 'the mark is at __start_s, not where the list ended when it was taken');
  t.equal(st.indexOfPlace(Infinity), 3);
});
