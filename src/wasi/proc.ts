// proc_exit, proc_raise, sched_yield. Exit codes follow wasmtime: `proc_exit(n)` with n < 126 exits
// with n; 126 or more (unsigned) is refused as "exit with invalid exit status outside of [0..126)"
// and the program exits 1, as `wasmtime run` does (wasmtime-wasi preview1 `proc_exit`).

import { writeSync } from 'node:fs';
import type { WasiContext } from './context.js';
import { Errno } from './errno.js';

/** First exit status WASI reserves (codes >= 126 mean "not found/not executable/signal"). */
const FIRST_INVALID_EXIT_STATUS = 126;
const INVALID_EXIT_STATUS_CODE = 1;
const STDERR = 2;

/** The process exit code wasmtime gives for `proc_exit(rval)`. */
export function exitCodeFor(rval: number): number {
  return rval >>> 0 < FIRST_INVALID_EXIT_STATUS ? rval >>> 0 : INVALID_EXIT_STATUS_CODE;
}

/** Where the guest's fd 2 goes (tests and embedders may redirect it), else the process's. */
function stderrHostFd(ctx: WasiContext): number {
  try {
    return ctx.table.get(STDERR).hostFd;
  } catch {
    return STDERR;
  }
}

export function procImports(ctx: WasiContext) {
  return {
    proc_exit(rval: number): void {
      const code = exitCodeFor(rval);
      if (code !== rval >>> 0) {
        // The one message the guest could not have printed itself; wasmtime prints it too.
        writeSync(stderrHostFd(ctx), `wasmthreads: error: proc_exit(${rval >>> 0}): exit with invalid exit status outside of [0..126)\n`);
      }
      ctx.host.exit(code);
    },
    /** Signals do not exist here; wasmtime traps ("proc_raise unsupported"), we say ENOSYS. */
    proc_raise(_sig: number): Errno {
      return Errno.NOSYS;
    },
    /** JS has no yield; a zero-timeout futex wait is the cheapest "let others run". */
    sched_yield(): Errno {
      Atomics.wait(ctx.privateWord, 0, 0, 0);
      return Errno.SUCCESS;
    },
  };
}
