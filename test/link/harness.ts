// The differential harness the linker tests share: link the same arguments with wasmthreads (through
// the CLI's `main`, so exit codes and rendered diagnostics are what users see) and with wasm-ld-22,
// into one temporary directory per test file, and compare what came out.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/temp-dir.js';

export const WASM_LD = 'wasm-ld-22';
/** The C fixtures directory, with a trailing slash (stripped from diagnostics by `diagnosticLines`). */
export const C_FIXTURES = new URL('../fixtures/c/', import.meta.url).pathname;
const LINK_TIMEOUT_MS = 60_000;

export const haveWasmLd = (): boolean => spawnSync(WASM_LD, ['--version'], { timeout: 10_000 }).status === 0;

export interface LinkRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The output path (it exists only if the link succeeded). */
  out: string;
}

export class LinkHarness {
  readonly tmp: string;
  constructor(prefix: string) {
    this.tmp = tempDir(`wasmthreads-${prefix}-`);
  }

  /** `wasmthreads link -o TMP/name ARGS…` in process. */
  async ours(args: string[], name = 'ours.wasm'): Promise<LinkRun> {
    let stdout = '';
    let stderr = '';
    const out = join(this.tmp, name);
    const code = await main(['link', '-o', out, ...args], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { code, stdout, stderr, out };
  }

  /** `wasm-ld-22 ARGS… -o TMP/name`. */
  ref(args: string[], name = 'ref.wasm'): LinkRun {
    const out = join(this.tmp, name);
    const r = spawnSync(WASM_LD, [...args, '-o', out], { encoding: 'utf8', timeout: LINK_TIMEOUT_MS });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out };
  }

  /** 'valid', or wasm-validate's complaint. */
  validate(bytes: Uint8Array, flags: string[] = ['--enable-threads'], name = 'validate.wasm'): string {
    const p = join(this.tmp, name);
    writeFileSync(p, bytes);
    const r = spawnSync('wasm-validate', [...flags, p], { encoding: 'utf8', timeout: 30_000 });
    return r.status === 0 ? 'valid' : r.stderr;
  }
}

/**
 * The `warning:`/`error:` lines of a linker's stderr (and `>>>` notes when asked), with the tool
 * prefix and the fixtures directory removed, so wasmthreads' and wasm-ld's texts compare directly.
 */
export function diagnosticLines(stderr: string, withNotes = true): string[] {
  const keep = withNotes ? /^(\S+: )?(warning|error): |^>>> / : /^(\S+: )?(warning|error): /;
  return stderr
    .split('\n')
    .filter((l) => keep.test(l))
    .map((l) => l.replace(/^\S+: (warning|error): /, '$1: ').replaceAll(C_FIXTURES, ''));
}

/** The offset of the first byte where two files differ (the shorter one's length if one is a prefix), or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
