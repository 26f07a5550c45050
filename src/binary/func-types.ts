// Function types compared and deduplicated by structure (the linker's output type section, the
// runtime's wrapper modules), and written as lld writes them in messages.

import { valTypeName } from './disassemble.js';
import type { FuncType, ValType } from './types.js';

const typeKeys = new WeakMap<FuncType, string>();

/** A function type's structure as a string (equal types, equal keys); computed once per type object. */
export function typeKey(t: FuncType): string {
  let key = typeKeys.get(t);
  if (key === undefined) {
    const k = (v: unknown): string => (typeof v === 'number' ? v.toString(16) : JSON.stringify(v));
    key = `${t.params.map(k).join(',')}>${t.results.map(k).join(',')}`;
    typeKeys.set(t, key);
  }
  return key;
}

/** The index of `t` in `types`, adding it on first use (types are deduplicated by structure). */
export function registerType(ctx: { types: FuncType[]; typeIndices: Map<string, number> }, t: FuncType): number {
  const key = typeKey(t);
  let i = ctx.typeIndices.get(key);
  if (i === undefined) {
    i = ctx.types.length;
    ctx.types.push(t);
    ctx.typeIndices.set(key, i);
  }
  return i;
}

/** A value type as lld prints it: `i32`, `funcref`…; a typed reference is just `ref`. */
export function lldValTypeName(v: ValType): string {
  return typeof v === 'number' ? valTypeName(v) : 'ref';
}

/** `(i32, i32) -> i32`, as lld prints signatures. */
export function formatSignature(t: FuncType): string {
  const name = lldValTypeName;
  const results = t.results.length === 0 ? 'void' : t.results.length === 1 ? name(t.results[0]) : `(${t.results.map(name).join(', ')})`;
  return `(${t.params.map(name).join(', ')}) -> ${results}`;
}
