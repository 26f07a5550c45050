// Validation of the options objects the library takes (`link`, `run`), at the boundary: a wrong
// type or an unknown key is one clear error naming the option and what it accepts, instead of a
// crash deep inside (a boolean where an object was expected, a typo silently ignored).

import { WasmthreadsError } from '../diagnostics.js';

/** What an option accepts. */
export type OptionKind = 'boolean' | 'string' | 'integer' | 'string[]' | 'function' | 'any';

export function optionError(api: string, message: string): WasmthreadsError {
  return new WasmthreadsError({ severity: 'error', code: 'bad-option', message: `${api}: ${message}` });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `${typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`}`;
}

function fits(kind: OptionKind, v: unknown): boolean {
  switch (kind) {
    case 'boolean': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isSafeInteger(v);
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'function': return typeof v === 'function';
    case 'any': return true;
  }
}

const KIND_TEXT: Record<OptionKind, string> = {
  boolean: 'true or false', string: 'a string', integer: 'an integer', 'string[]': 'an array of strings', function: 'a function', any: 'any value',
};

/** The closest known key, for "did you mean". */
function closest(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => k.toLowerCase().startsWith(lower.slice(0, 4)));
}

/**
 * Checks that `options` is an object whose keys are all in `schema` and whose values fit their
 * kinds (`undefined` is always allowed). Keys listed in `custom` are left to the caller.
 */
export function checkOptions(api: string, options: unknown, schema: Record<string, OptionKind>, custom: string[] = []): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw optionError(api, `options must be an object, got ${describe(options)}`);
  const known = [...Object.keys(schema), ...custom];
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      const hint = closest(key, known);
      throw optionError(api, `unknown option '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
    }
    const kind = schema[key];
    if (kind && value !== undefined && !fits(kind, value)) throw optionError(api, `option '${key}' must be ${KIND_TEXT[kind]}, got ${describe(value)}`);
  }
}
