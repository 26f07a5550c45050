// random_get: the OS CSPRNG written straight into guest memory (Node accepts views of a
// SharedArrayBuffer in `randomFillSync`), in chunks so no single call is unbounded.

import { randomFillSync } from 'node:crypto';
import type { WasiContext } from './context.js';
import { Errno } from './errno.js';

const CHUNK = 65_536;

export function randomImports(ctx: WasiContext) {
  return {
    random_get(bufPtr: number, len: number): Errno {
      for (let done = 0; done < len; done += CHUNK) {
        randomFillSync(ctx.mem.bytes(bufPtr + done, Math.min(CHUNK, len - done)));
      }
      return Errno.SUCCESS;
    },
  };
}
