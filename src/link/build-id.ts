// The `build_id` custom section (written last, after target_features) and
// `--build-id[=STYLE]` parsing, as wasm-ld does it (lld wasm Driver.cpp getBuildId, Writer.cpp
// writeBuildId, SyntheticSections.cpp BuildIdSection). The section is written with a placeholder
// of spaces; `sha1` hashes the finished file with that placeholder in place, then overwrites it.

import { createRequire } from 'node:module';
import { WasmthreadsError } from '../diagnostics.js';
import { xxh3_64 } from './xxh3.js';

/**
 * node:crypto, loaded when a build id is asked for: importing it loads ~20 internal modules, about
 * 5 ms of every link's start-up otherwise.
 */
const crypto = (): typeof import('node:crypto') => createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');

/** What goes in the section: fixed bytes (`0xHEX`), or a hash/UUID filled in after writing. */
export type BuildId = { style: 'hex'; bytes: Uint8Array } | { style: 'sha1' } | { style: 'uuid' } | { style: 'fast' };

/** The payload size wasm-ld reserves per style (BuildIdSection::hashSize). */
export function buildIdSize(id: BuildId): number {
  return id.style === 'hex' ? id.bytes.length : id.style === 'sha1' ? 20 : 16;
}

function usage(message: string): WasmthreadsError {
  return new WasmthreadsError({ severity: 'error', code: 'usage', message });
}

/** `--build-id` alone means `fast`: XXH3-64 of the file, made into a version-5 UUID. */
export function parseBuildId(value: string | undefined): BuildId | undefined {
  const v = value ?? 'fast';
  if (v === 'none') return undefined;
  if (v === 'fast') return { style: 'fast' };
  if (v === 'sha1' || v === 'tree') return { style: 'sha1' };
  if (v === 'uuid') return { style: 'uuid' };
  if (v.startsWith('0x')) return { style: 'hex', bytes: parseHex(v.slice(2)) };
  throw usage(`unknown --build-id style: ${v}`);
}

/** Two digits per byte from the left; an odd last digit is a byte of its own (llvm parseHex). */
function parseHex(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 2) {
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]+$/.test(pair)) throw usage(`not a hexadecimal value: ${pair}`);
    out.push(parseInt(pair, 16));
  }
  return Uint8Array.from(out);
}

/** The section payload as first written: LEB128 size, then the id or a placeholder of spaces. */
export function buildIdPayload(id: BuildId): Uint8Array {
  const size = buildIdSize(id);
  const leb: number[] = [];
  let n = size;
  do {
    const b = n & 0x7f;
    n >>>= 7;
    leb.push(n ? b | 0x80 : b);
  } while (n);
  const out = new Uint8Array(leb.length + size).fill(0x20);
  out.set(leb);
  if (id.style === 'hex') out.set(id.bytes, leb.length);
  return out;
}

/** Fills the id in the encoded module; build_id is the last section, so it is the file's tail. */
export function patchBuildId(bytes: Uint8Array, id: BuildId): void {
  if (id.style === 'hex') return;
  const size = buildIdSize(id);
  bytes.set(id.style === 'sha1' ? treeHash(bytes, sha1) : id.style === 'fast' ? uuidV5(treeHash(bytes, xxh3Bytes)) : uuidV4(), bytes.length - size);
}

const sha1 = (data: Uint8Array): Uint8Array => crypto().createHash('sha1').update(data).digest();

/** XXH3-64 as 8 little-endian bytes. */
function xxh3Bytes(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, xxh3_64(data), true);
  return out;
}

/** lld computeHash: the hash of each 1 MiB chunk, then the hash of those hashes concatenated. */
function treeHash(bytes: Uint8Array, hash: (data: Uint8Array) => Uint8Array): Uint8Array {
  const CHUNK = 1024 * 1024;
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) hashes.push(hash(bytes.subarray(i, i + CHUNK)));
  return hash(Buffer.concat(hashes));
}

/** lld's namespace for version-5 build ids (randomly generated once, in lld makeUUID). */
const UUID_NAMESPACE = Uint8Array.from([0xa1, 0xfa, 0x48, 0x2d, 0x0e, 0x22, 0x03, 0x8d, 0x33, 0x8b, 0x52, 0x1c, 0xd6, 0xd2, 0x12, 0xb2]);

/** An RFC 4122 version-5 UUID of `name` in lld's namespace: SHA-1 of both, first 16 bytes (lld makeUUID(5)). */
function uuidV5(name: Uint8Array): Uint8Array {
  const out = crypto().createHash('sha1').update(UUID_NAMESPACE).update(name).digest().subarray(0, 16);
  out[6] = 0x50 | (out[6] & 0x0f);
  out[8] = 0x80 | (out[8] & 0x3f);
  return out;
}

/** 16 random bytes marked as an RFC 4122 version-4 UUID (lld makeUUID(4)). */
function uuidV4(): Uint8Array {
  const out = crypto().randomBytes(16);
  out[6] = 0x40 | (out[6] & 0x0f);
  out[8] = 0x80 | (out[8] & 0x3f);
  return out;
}
