// clock_res_get and clock_time_get. MONOTONIC is `process.hrtime.bigint()` (ns, CLOCK_MONOTONIC);
// REALTIME is `performance.timeOrigin + performance.now()` (sub-microsecond within a double);
// the CPU-time clocks use `process.cpuUsage()` (µs, the whole process for both — Node offers no
// per-thread CPU clock).

import { Clockid } from './abi.js';
import type { WasiContext } from './context.js';
import { Errno, WasiError } from './errno.js';

/** Resolutions we report, in ns: what each source can really distinguish. */
const RESOLUTION_NS: Record<Clockid, bigint> = {
  [Clockid.REALTIME]: 1_000n,
  [Clockid.MONOTONIC]: 1n,
  [Clockid.PROCESS_CPUTIME_ID]: 1_000n,
  [Clockid.THREAD_CPUTIME_ID]: 1_000n,
};

export function realtimeNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  return BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.floor((ms % 1) * 1e6));
}

export function monotonicNs(): bigint {
  return process.hrtime.bigint();
}

/** The current time of `id` in ns; EINVAL for an unknown clock. */
export function clockNow(id: number): bigint {
  switch (id) {
    case Clockid.REALTIME: return realtimeNs();
    case Clockid.MONOTONIC: return monotonicNs();
    case Clockid.PROCESS_CPUTIME_ID:
    case Clockid.THREAD_CPUTIME_ID: {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1_000n;
    }
    default: throw new WasiError(Errno.INVAL);
  }
}

export function clockImports(ctx: WasiContext) {
  return {
    clock_res_get(id: number, resPtr: number): Errno {
      const res = RESOLUTION_NS[id as Clockid];
      if (res === undefined) return Errno.INVAL;
      ctx.mem.setU64(resPtr, res);
      return Errno.SUCCESS;
    },
    clock_time_get(id: number, _precision: bigint, timePtr: number): Errno {
      ctx.mem.setU64(timePtr, clockNow(id));
      return Errno.SUCCESS;
    },
  };
}
