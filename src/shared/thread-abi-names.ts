// The names that make up the two thread ABIs wasmthreads runs, in one leaf module: the detector
// (inspect/thread-abi.ts) and the runtime's ABI implementations (runtime/abi/) both use them, and
// the worker bundle loads this file without the detector.

/** wasi-threads: the guest imports `wasi`.`thread-spawn` and exports `wasi_thread_start`. */
export const WASI_THREADS_MODULE = 'wasi';
export const WASI_THREAD_SPAWN = 'thread-spawn';
export const WASI_THREAD_START = 'wasi_thread_start';
/** The host-managed ABI's import module (`thread_spawn`, `thread_join`, `thread_detach`). */
export const HOST_MANAGED_MODULE = 'wasmthreads';
/** The host-managed ABI's spawn import. */
export const HOST_MANAGED_SPAWN = 'thread_spawn';
