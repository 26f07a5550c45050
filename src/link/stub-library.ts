// Stub libraries (lld InputFiles.cpp StubFile, Driver.cpp processStubLibraries).
//
// A stub library is a text file whose first line is `#STUB`; every other non-comment line is
// `sym: dep1, dep2`. It says "if `sym` is still undefined, the host (JS) provides it, and the host
// implementation needs `dep1`, `dep2` from the wasm side". So, after the command-line roots are
// resolved: each undefined `sym` named by a stub is force-imported (allowed to stay undefined) and
// each of its deps is force-exported; a dep still lazy in an archive is extracted, which may make
// further stub symbols undefined, so the pass repeats until nothing new is extracted. A dep that is
// nowhere defined is an error naming the stub file, as wasm-ld's.

import type { LinkContext } from './context.js';
import { displayName } from './symbol-names.js';
import { fileName } from './symbols.js';
import type { Sym } from './symbols.js';

export interface StubFile {
  name: string;
  /** `sym` → its dependencies, in file order. */
  deps: Map<string, string[]>;
}

export function isStubLibrary(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 5)) === '#STUB';
}

/** Parses the `sym: dep, dep` lines; `#` lines are comments, lines without `: deps` are ignored. */
export function parseStubLibrary(name: string, bytes: Uint8Array): StubFile {
  const deps = new Map<string, string[]>();
  for (const raw of new TextDecoder().decode(bytes).split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const sym = line.slice(0, colon).trim();
    const list = line.slice(colon + 1).split(',').map((d) => d.trim()).filter(Boolean);
    if (!sym || list.length === 0) continue;
    deps.set(sym, [...(deps.get(sym) ?? []), ...list]);
  }
  return { name, deps };
}

/** Applies every stub library until no dependency extracts another archive member. */
export function processStubLibraries(ctx: LinkContext, stubs: StubFile[]): void {
  let added = true;
  while (added) {
    added = false;
    for (const stub of stubs) {
      for (const [name, deps] of stub.deps) {
        const s = ctx.symtab.find(name);
        if (s && s.state === 'undefined') added = addStubDependencies(ctx, stub, s, deps) || added;
        else if (s && ctx.traced(name)) ctx.message(`${stub.name}: stub symbol not needed: ${name}`);
      }
    }
  }
}

/** Force-imports `sym` and force-exports its deps; true when a dep was extracted from an archive. */
function addStubDependencies(ctx: LinkContext, stub: StubFile, sym: Sym, deps: string[]): boolean {
  // The first stub library naming a symbol decides its dependencies; later ones are ignored.
  if (sym.forceImport) return false;
  sym.forceImport = true;
  if (ctx.traced(sym.name)) ctx.message(`${stub.name}: importing ${sym.name}`);
  let extracted = false;
  for (const dep of deps) {
    const needed = ctx.symtab.find(dep);
    if (!needed || needed.state === 'undefined') {
      // wasm-ld names a dependency nothing mentions as the stub library spells it, and demangles
      // the names of symbols the link knows.
      const shown = (name: string): string => displayName(name, ctx.config.demangle);
      ctx.sink.error({ code: 'undefined-symbol', message: `undefined symbol: ${needed ? shown(dep) : dep}. Required by ${shown(sym.name)}`, file: stub.name, symbol: dep, hint: `link the object or library defining \`${dep}\`, or remove it from the stub library` });
      continue;
    }
    if (ctx.traced(dep)) ctx.message(`${stub.name}: exported ${dep} due to import of ${sym.name}`);
    needed.forceExport = true;
    if (needed.state === 'lazy' && needed.lazy && !needed.lazy.extracted) {
      extracted = true;
      // wasm-ld records the stub, then the importing symbol's file and name (not the dep's).
      ctx.symtab.fetch(dep, stub.name, { reference: stub.name, extracted: fileName(sym.file), symbol: sym.name });
    }
  }
  return extracted;
}
