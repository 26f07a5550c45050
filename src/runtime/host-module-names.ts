// Names shared by the wrapper modules' builder (host-wrappers.ts, supervisor side) and the workers
// that instantiate them and read their stack frames, kept apart so that a worker loads nothing of
// the binary layer.

/** The module name (name section) of wasmthreads' own wasm modules; V8 puts it in their frames' URLs. */
export const HOST_MODULE_NAME = 'wasmthreads-host';

/** Import module name of a wrapper module; each import's name is the export name it gets. */
export const WRAPPED_MODULE = 'h';
