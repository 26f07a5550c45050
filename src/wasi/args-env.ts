// args_* and environ_*: both are lists of NUL-terminated UTF-8 strings, copied into guest memory as
// a pointer array plus one buffer. Sizes are UTF-8 byte lengths, never JS string lengths.

import type { WasiContext } from './context.js';
import { Errno } from './errno.js';

/** `*_sizes_get`: the count and the total byte size (NULs included). */
function sizesGet(ctx: WasiContext, list: Uint8Array[], countPtr: number, sizePtr: number): Errno {
  const size = list.reduce((n, s) => n + s.length, 0);
  ctx.mem.setU32(countPtr, list.length);
  ctx.mem.setU32(sizePtr, size);
  return Errno.SUCCESS;
}

/** `*_get`: fills the pointer array at `ptrsPtr` and the string buffer at `bufPtr`. */
function listGet(ctx: WasiContext, list: Uint8Array[], ptrsPtr: number, bufPtr: number): Errno {
  let at = bufPtr;
  list.forEach((s, i) => {
    ctx.mem.setU32(ptrsPtr + i * 4, at);
    ctx.mem.write(at, s);
    at += s.length;
  });
  return Errno.SUCCESS;
}

export function argsEnvImports(ctx: WasiContext) {
  const { args, env } = ctx.shared;
  return {
    args_sizes_get: (argcPtr: number, bufSizePtr: number) => sizesGet(ctx, args, argcPtr, bufSizePtr),
    args_get: (argvPtr: number, bufPtr: number) => listGet(ctx, args, argvPtr, bufPtr),
    environ_sizes_get: (countPtr: number, bufSizePtr: number) => sizesGet(ctx, env, countPtr, bufSizePtr),
    environ_get: (environPtr: number, bufPtr: number) => listGet(ctx, env, environPtr, bufPtr),
  };
}

/** A C string for the guest: UTF-8 bytes plus the terminating NUL. */
export function cString(s: string): Uint8Array {
  const bytes = Buffer.from(s, 'utf8');
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
