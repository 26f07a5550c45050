// Locates the real-world wasm inputs the binary-layer tests run on: the committed fixtures,
// Debian's wasi-libc archives, emscripten's threaded (-mt) archives, and the rlibs of a Rust crate
// built with -Z build-std for wasm32-unknown-unknown with atomics (built on demand by
// scripts/rust-wasm.sh and cached under .toolchains/, which is gitignored).
//
// A missing toolchain is a test FAILURE with a message saying how to install it, never a silent
// skip: CI runs `npm run setup` first, so a missing input there is a real problem.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isArchive, readArchive } from '../../src/binary/archive.js';
import { isWasm } from '../../src/binary/format.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES_DIR = join(REPO_ROOT, 'test/fixtures');
export const WASI_LIBC_DIR = '/usr/lib/wasm32-wasi';
const RUST_CRATE = join(FIXTURES_DIR, 'rust/tls-counter');
const RUST_TARGET_DIR = join(REPO_ROOT, '.toolchains/rust-tls-counter');
const RUST_DEPS_DIR = join(RUST_TARGET_DIR, 'wasm32-unknown-unknown/release/deps');
/** A first build-std takes 1.5-3 minutes on two cores; allow for a slow machine. */
const RUST_BUILD_TIMEOUT_MS = 9 * 60 * 1000;
/** Magic of LLVM bitcode members (emscripten's `lto/` archives hold only bitcode). */
const BITCODE_MAGIC = [0x42, 0x43, 0xc0, 0xde];

export class MissingToolchainError extends Error {
  constructor(what: string, pkg: string) {
    super(`${what} not found: run \`npm run setup\` (installs Debian package ${pkg}; CI installs everything)`);
    this.name = 'MissingToolchainError';
  }
}

function walk(dir: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, keep, out);
    else if (keep(path)) out.push(path);
  }
  return out;
}

/** Every `.o`, `.wasm` and `.a` under test/fixtures (other engineers add fixtures over time). */
export function fixtureFiles(): string[] {
  return walk(FIXTURES_DIR, (p) => /\.(o|wasm|a)$/.test(p)).sort();
}

/** Debian wasi-libc's archives and crt objects. */
export function wasiLibcFiles(): string[] {
  if (!existsSync(join(WASI_LIBC_DIR, 'libc.a'))) throw new MissingToolchainError(`${WASI_LIBC_DIR}/libc.a`, 'wasi-libc');
  return readdirSync(WASI_LIBC_DIR)
    .filter((f) => f.endsWith('.a') || f.endsWith('.o'))
    .sort()
    .map((f) => join(WASI_LIBC_DIR, f));
}

/**
 * Emscripten's threaded archives (`*-mt*.a`) from its cache sysroot, as `dpkg -L emscripten` lists
 * them, `lto/` variants included (most of their members are LLVM bitcode, which callers count as
 * skipped; the rest are wasm objects assembled from `.s` files).
 */
export function emscriptenThreadedArchives(): string[] {
  let listing = '';
  try {
    listing = execFileSync('dpkg', ['-L', 'emscripten'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    throw new MissingToolchainError("emscripten's threaded archives (libc-mt.a)", 'emscripten');
  }
  const archives = listing
    .split('\n')
    .filter((p) => /-mt[^/]*\.a$/.test(p))
    .sort();
  if (!archives.some((p) => p.endsWith('/libc-mt.a'))) {
    throw new MissingToolchainError("emscripten's libc-mt.a", 'emscripten');
  }
  return archives;
}

/**
 * The rlibs (and the linked cdylib) of test/fixtures/rust/tls-counter built with build-std for
 * wasm32-unknown-unknown + atomics. Builds once; later runs reuse .toolchains/.
 */
export function rustWasmFiles(): string[] {
  if (!hasRlibs()) buildRustCrate();
  const rlibs = readdirSync(RUST_DEPS_DIR)
    .filter((f) => f.endsWith('.rlib') || f.endsWith('.wasm'))
    .sort()
    .map((f) => join(RUST_DEPS_DIR, f));
  if (!rlibs.some((p) => /libstd-.*\.rlib$/.test(p))) {
    throw new Error(`Rust build left no libstd rlib in ${relative(REPO_ROOT, RUST_DEPS_DIR)}`);
  }
  return rlibs;
}

function hasRlibs(): boolean {
  return existsSync(RUST_DEPS_DIR) && readdirSync(RUST_DEPS_DIR).some((f) => /^libstd-.*\.rlib$/.test(f));
}

function buildRustCrate(): void {
  if (!existsSync('/usr/bin/cargo') || !existsSync('/usr/bin/rustc')) {
    throw new MissingToolchainError("Debian's Rust (/usr/bin/cargo)", 'cargo-web rustc-web rust-web-src');
  }
  try {
    execFileSync(
      'bash',
      [join(REPO_ROOT, 'scripts/rust-wasm.sh'), RUST_CRATE, 'wasm32-unknown-unknown-atomics', '--release', '--quiet'],
      {
        env: { ...process.env, CARGO_TARGET_DIR: RUST_TARGET_DIR },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: RUST_BUILD_TIMEOUT_MS,
      },
    );
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    const detail = err.stderr?.toString().trim().split('\n').slice(-15).join('\n') ?? err.message;
    if (/rust-web-src|vendor.*missing/.test(detail)) throw new MissingToolchainError('rust-web-src (std sources)', 'rust-web-src');
    throw new Error(`building the Rust fixture with scripts/rust-wasm.sh failed:\n${detail}`);
  }
}

/** One wasm input: a file, or an archive member named `lib.a(member.o)`. */
export interface WasmInput {
  file: string;
  bytes: Uint8Array;
}

export interface ExpandedInputs {
  inputs: WasmInput[];
  archives: number;
  /** Archive members that are not wasm, by reason (e.g. `LLVM bitcode`), for the report. */
  skipped: Map<string, number>;
}

/** Expands files into wasm inputs: archives into their wasm members, plain files as they are. */
export function expandInputs(paths: string[]): ExpandedInputs {
  const inputs: WasmInput[] = [];
  const skipped = new Map<string, number>();
  let archives = 0;
  for (const path of paths) {
    if (!statSync(path).isFile()) continue;
    const bytes = new Uint8Array(readFileSync(path));
    const name = path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
    if (!isArchive(bytes)) {
      inputs.push({ file: name, bytes });
      continue;
    }
    archives++;
    for (const m of readArchive(bytes, name).members) {
      const mb = m.bytes();
      if (isWasm(mb)) inputs.push({ file: m.file, bytes: mb });
      else {
        const reason = BITCODE_MAGIC.every((b, i) => mb[i] === b) ? 'LLVM bitcode' : 'not wasm';
        skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
      }
    }
  }
  return { inputs, archives, skipped };
}
