// A small declarative flag parser: each subcommand declares its flags once, as data, and the same
// table drives parsing and `--help`. Unknown flags are errors (nothing the user asked for is
// silently dropped).

import { WasmthreadsError } from '../diagnostics.js';

export interface FlagSpec {
  /** Long name without dashes, e.g. `dir`. */
  name: string;
  short?: string;
  /** `boolean` flags take no value; `string` take one; `list` may repeat. */
  type: 'boolean' | 'string' | 'list';
  /** Value placeholder for help, e.g. `HOST[::GUEST]`. */
  value?: string;
  help: string;
}

export interface ParsedArgs {
  flags: Map<string, string | boolean | string[]>;
  positionals: string[];
  /** Arguments after `--` or after the first positional when `stopAtPositional` is set. */
  rest: string[];
}

export interface ParseOptions {
  /** Stop flag parsing at the first positional (for `run app.wasm args…`). */
  stopAtPositional?: boolean;
}

/** A usage error: exit 2 with this message. */
export function usageError(message: string): WasmthreadsError {
  return new WasmthreadsError({ severity: 'error', code: 'usage', message });
}

export function parseArgs(argv: string[], specs: FlagSpec[], opts: ParseOptions = {}): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const long = arg.startsWith('--');
      const body = long ? arg.slice(2) : arg.slice(1);
      const eq = body.indexOf('=');
      const key = eq >= 0 ? body.slice(0, eq) : body;
      const spec = long ? byName.get(key) : byShort.get(key);
      if (!spec) throw usageError(`unknown option: ${arg}`);
      if (spec.type === 'boolean') {
        if (eq >= 0) throw usageError(`option --${spec.name} takes no value`);
        flags.set(spec.name, true);
        continue;
      }
      let value: string;
      if (eq >= 0) value = body.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw usageError(`option --${spec.name} needs a value (${spec.value ?? 'VALUE'})`);
        value = argv[++i];
      }
      if (spec.type === 'list') {
        const list = (flags.get(spec.name) as string[] | undefined) ?? [];
        list.push(value);
        flags.set(spec.name, list);
      } else flags.set(spec.name, value);
      continue;
    }
    positionals.push(arg);
    if (opts.stopAtPositional) {
      rest.push(...argv.slice(i + 1));
      break;
    }
  }
  return { flags, positionals, rest };
}

export function formatFlags(specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    let left = `  ${s.short ? `-${s.short}, ` : ''}--${s.name}`;
    if (s.type !== 'boolean') left += ` ${s.value ?? 'VALUE'}`;
    return [left, s.help] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, h]) => l.padEnd(width) + h).join('\n');
}

export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagList(p: ParsedArgs, name: string): string[] {
  const v = p.flags.get(name);
  return Array.isArray(v) ? v : [];
}

export function flagBool(p: ParsedArgs, name: string): boolean {
  return p.flags.get(name) === true;
}
