// XXH3-64 with seed 0 and the default secret (xxHash 0.8, Yann Collet; the algorithm LLVM's
// llvm::xxh3_64bits implements): what wasm-ld's `--build-id=fast` hashes the output with.
//
// 64-bit arithmetic is BigInt (masked to 64 bits) except in the one loop that sees every input
// byte, hashLong's stripe accumulation, which works on 32-bit halves of little-endian words
// (Node runs on little-endian hosts only): BigInt there would cost about 100 ms per MiB.

const M64 = (1n << 64n) - 1n;

const PRIME32_1 = 0x9e3779b1n;
const PRIME32_2 = 0x85ebca77n;
const PRIME32_3 = 0xc2b2ae3dn;
const PRIME64_1 = 0x9e3779b185ebca87n;
const PRIME64_2 = 0xc2b2ae3d27d4eb4fn;
const PRIME64_3 = 0x165667b19e3779f9n;
const PRIME64_4 = 0x85ebca77c2b2ae63n;
const PRIME64_5 = 0x27d4eb2f165667c5n;
const PRIME_MX1 = 0x165667919e3779f9n;
const PRIME_MX2 = 0x9fb21c651e98df25n;

/** The default secret: 192 pseudorandom bytes (from FARSH). */
const SECRET = Uint8Array.from([
  0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
  0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
  0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
  0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
  0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
  0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
  0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
  0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
  0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
  0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
  0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
  0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
]);
const SECRET_VIEW = new DataView(SECRET.buffer);

const STRIPE_LEN = 64;
const SECRET_CONSUME_RATE = 8;
const SECRET_SIZE_MIN = 136;
const STRIPES_PER_BLOCK = (SECRET.length - STRIPE_LEN) / SECRET_CONSUME_RATE;
const BLOCK_LEN = STRIPE_LEN * STRIPES_PER_BLOCK;

const u32 = (v: DataView, at: number): number => v.getUint32(at, true);
const u64 = (v: DataView, at: number): bigint => v.getBigUint64(at, true);
const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;
const swap64 = (x: bigint): bigint => {
  let r = 0n;
  for (let i = 0n; i < 64n; i += 8n) r = (r << 8n) | ((x >> i) & 0xffn);
  return r;
};

function mul128Fold64(a: bigint, b: bigint): bigint {
  const p = a * b;
  return (p ^ (p >> 64n)) & M64;
}

function xxh64Avalanche(h: bigint): bigint {
  h ^= h >> 33n;
  h = (h * PRIME64_2) & M64;
  h ^= h >> 29n;
  h = (h * PRIME64_3) & M64;
  return h ^ (h >> 32n);
}

function avalanche(h: bigint): bigint {
  h ^= h >> 37n;
  h = (h * PRIME_MX1) & M64;
  return h ^ (h >> 32n);
}

function len1to3(d: Uint8Array): bigint {
  const len = d.length;
  const combined = ((d[0] << 16) | (d[len >> 1] << 24) | d[len - 1] | (len << 8)) >>> 0;
  const bitflip = BigInt((u32(SECRET_VIEW, 0) ^ u32(SECRET_VIEW, 4)) >>> 0);
  return xxh64Avalanche(BigInt(combined) ^ bitflip);
}

function len4to8(v: DataView, len: number): bigint {
  const input1 = BigInt(u32(v, 0));
  const input2 = BigInt(u32(v, len - 4));
  let acc = u64(SECRET_VIEW, 8) ^ u64(SECRET_VIEW, 16);
  acc ^= input2 | (input1 << 32n);
  acc ^= rotl(acc, 49n) ^ rotl(acc, 24n);
  acc = (acc * PRIME_MX2) & M64;
  acc ^= ((acc >> 35n) + BigInt(len)) & M64;
  acc = (acc * PRIME_MX2) & M64;
  return acc ^ (acc >> 28n);
}

function len9to16(v: DataView, len: number): bigint {
  const lo = (u64(SECRET_VIEW, 24) ^ u64(SECRET_VIEW, 32)) ^ u64(v, 0);
  const hi = (u64(SECRET_VIEW, 40) ^ u64(SECRET_VIEW, 48)) ^ u64(v, len - 8);
  return avalanche((BigInt(len) + swap64(lo) + hi + mul128Fold64(lo, hi)) & M64);
}

function mix16(v: DataView, at: number, secretAt: number): bigint {
  return mul128Fold64(u64(SECRET_VIEW, secretAt) ^ u64(v, at), u64(SECRET_VIEW, secretAt + 8) ^ u64(v, at + 8));
}

function len17to128(v: DataView, len: number): bigint {
  let acc = (BigInt(len) * PRIME64_1) & M64;
  let end = 0n;
  acc += mix16(v, 0, 0);
  end += mix16(v, len - 16, 16);
  if (len > 32) {
    acc += mix16(v, 16, 32);
    end += mix16(v, len - 32, 48);
    if (len > 64) {
      acc += mix16(v, 32, 64);
      end += mix16(v, len - 48, 80);
      if (len > 96) {
        acc += mix16(v, 48, 96);
        end += mix16(v, len - 64, 112);
      }
    }
  }
  return avalanche((acc + end) & M64);
}

function len129to240(v: DataView, len: number): bigint {
  let acc = (BigInt(len) * PRIME64_1) & M64;
  for (let i = 0; i < 8; i++) acc += mix16(v, 16 * i, 16 * i);
  acc = avalanche(acc & M64);
  const rounds = Math.floor(len / 16);
  for (let i = 8; i < rounds; i++) acc += mix16(v, 16 * i, 16 * (i - 8) + 3);
  acc += mix16(v, len - 16, SECRET_SIZE_MIN - 17);
  return avalanche(acc & M64);
}

/** The secret as little-endian 32-bit words from byte `at` (a copy, so it is aligned). */
function secretWords(at: number, bytes: number): Uint32Array {
  const w = new Uint32Array(bytes / 4);
  new Uint8Array(w.buffer).set(SECRET.subarray(at, at + bytes));
  return w;
}
const SECRET_WORDS = secretWords(0, SECRET.length);
const LAST_STRIPE_SECRET = secretWords(SECRET.length - STRIPE_LEN - 7, STRIPE_LEN);

/**
 * One stripe (16 words of `d` from `at`) into the accumulators, held as 32-bit halves (lo at 2i,
 * hi at 2i+1): lane i gets the product of its keyed input's halves, lane i^1 the input itself,
 * both modulo 2^64. Words are read as little-endian (Uint32Array on a little-endian host).
 */
function accumulate512(acc: Uint32Array, d: Uint32Array, at: number, key: Uint32Array, keyAt: number): void {
  for (let i = 0; i < 8; i++) {
    const dLo = d[at + 2 * i];
    const dHi = d[at + 2 * i + 1];
    const kLo = (dLo ^ key[keyAt + 2 * i]) >>> 0;
    const kHi = (dHi ^ key[keyAt + 2 * i + 1]) >>> 0;
    // acc[i ^ 1] += input
    const j = (i ^ 1) * 2;
    let lo = acc[j] + dLo;
    acc[j] = lo;
    acc[j + 1] = acc[j + 1] + dHi + (lo > 0xffffffff ? 1 : 0);
    // acc[i] += kLo * kHi, the 64-bit product from 16-bit pieces (exact in doubles)
    const a0 = kLo & 0xffff;
    const a1 = kLo >>> 16;
    const b0 = kHi & 0xffff;
    const b1 = kHi >>> 16;
    const p00 = a0 * b0;
    const p01 = a0 * b1;
    const p10 = a1 * b0;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const pLo = (mid & 0xffff) * 0x10000 + (p00 & 0xffff);
    const pHi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 0x10000);
    const k = i * 2;
    lo = acc[k] + pLo;
    acc[k] = lo;
    acc[k + 1] = acc[k + 1] + pHi + (lo > 0xffffffff ? 1 : 0);
  }
}

function lane(acc: Uint32Array, i: number): bigint {
  return (BigInt(acc[2 * i + 1]) << 32n) | BigInt(acc[2 * i]);
}

function setLane(acc: Uint32Array, i: number, x: bigint): void {
  acc[2 * i] = Number(x & 0xffffffffn);
  acc[2 * i + 1] = Number(x >> 32n);
}

function scramble(acc: Uint32Array): void {
  const secretAt = SECRET.length - STRIPE_LEN;
  for (let i = 0; i < 8; i++) {
    let a = lane(acc, i);
    a ^= a >> 47n;
    a ^= u64(SECRET_VIEW, secretAt + 8 * i);
    setLane(acc, i, (a * PRIME32_1) & M64);
  }
}

function hashLong(data: Uint8Array): bigint {
  const len = data.length;
  // The input as aligned words (a copy: `data` may start anywhere in its buffer), the last stripe
  // (which may straddle a word boundary) as words of its own.
  const words = new Uint32Array(len >>> 2);
  new Uint8Array(words.buffer).set(data.subarray(0, words.length * 4));
  const last = new Uint32Array(STRIPE_LEN / 4);
  new Uint8Array(last.buffer).set(data.subarray(len - STRIPE_LEN));
  const acc = new Uint32Array(16);
  [PRIME32_3, PRIME64_1, PRIME64_2, PRIME64_3, PRIME64_4, PRIME32_2, PRIME64_5, PRIME32_1].forEach((p, i) => setLane(acc, i, p));
  const blocks = Math.floor((len - 1) / BLOCK_LEN);
  for (let n = 0; n < blocks; n++) {
    for (let s = 0; s < STRIPES_PER_BLOCK; s++) accumulate512(acc, words, (n * BLOCK_LEN + s * STRIPE_LEN) / 4, SECRET_WORDS, (s * SECRET_CONSUME_RATE) / 4);
    scramble(acc);
  }
  const stripes = Math.floor((len - 1 - BLOCK_LEN * blocks) / STRIPE_LEN);
  for (let s = 0; s < stripes; s++) accumulate512(acc, words, (blocks * BLOCK_LEN + s * STRIPE_LEN) / 4, SECRET_WORDS, (s * SECRET_CONSUME_RATE) / 4);
  accumulate512(acc, last, 0, LAST_STRIPE_SECRET, 0);
  let result = (BigInt(len) * PRIME64_1) & M64;
  for (let i = 0; i < 4; i++) {
    result += mul128Fold64(lane(acc, 2 * i) ^ u64(SECRET_VIEW, 11 + 16 * i), lane(acc, 2 * i + 1) ^ u64(SECRET_VIEW, 11 + 16 * i + 8));
  }
  return avalanche(result & M64);
}

/** XXH3-64 of `data` (seed 0, default secret). */
export function xxh3_64(data: Uint8Array): bigint {
  const len = data.length;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (len === 0) return xxh64Avalanche(u64(SECRET_VIEW, 56) ^ u64(SECRET_VIEW, 64));
  if (len <= 3) return len1to3(data);
  if (len <= 8) return len4to8(v, len);
  if (len <= 16) return len9to16(v, len);
  if (len <= 128) return len17to128(v, len);
  if (len <= 240) return len129to240(v, len);
  return hashLong(data);
}
