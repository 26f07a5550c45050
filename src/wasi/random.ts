// random_get: the OS CSPRNG written straight into guest memory (Node accepts views of a
// SharedArrayBuffer in `randomFillSync`), in chunks so no single call is unbounded.
//
// node:crypto is loaded on the first random_get, not when a worker starts: loading it cost each
// thread worker ~2 ms of CPU at start-up on Node 26 (7% of a worker's boot), and most threads
// never ask for random bytes.

import type { WasiContext } from './context.js';
import { Errno } from './errno.js';

/** Largest fill per call (also Web Crypto's getRandomValues limit). */
const CHUNK = 65_536;

export type RandomFill = (into: Uint8Array) => void;

/**
 * How random bytes are made: node:crypto's randomFillSync, loaded through `getBuiltinModule`
 * (`process.getBuiltinModule`, Node >= 20.16), or else Web Crypto through a private buffer, since
 * newer Nodes' getRandomValues refuses views of a SharedArrayBuffer. A parameter so that tests
 * reach the fallback.
 */
export function chooseRandomFill(getBuiltinModule: ((id: string) => unknown) | undefined): RandomFill {
  const crypto = getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;
  if (crypto) return (into) => crypto.randomFillSync(into);
  const bounce = new Uint8Array(CHUNK);
  return (into) => {
    const part = bounce.subarray(0, into.length);
    globalThis.crypto.getRandomValues(part);
    into.set(part);
  };
}

let fill: RandomFill | undefined;

export function randomImports(ctx: WasiContext) {
  return {
    random_get(bufPtr: number, len: number): Errno {
      ctx.mem.check(bufPtr, len);
      const fillFrom = (fill ??= chooseRandomFill(process.getBuiltinModule?.bind(process)));
      for (let done = 0; done < len; done += CHUNK) {
        fillFrom(ctx.mem.bytes(bufPtr + done, Math.min(CHUNK, len - done)));
      }
      return Errno.SUCCESS;
    },
  };
}
