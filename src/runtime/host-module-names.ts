// Names shared by the wrapper modules' builder (host-wrappers.ts, supervisor side) and the workers
// that instantiate them and read their stack frames, kept apart so that a worker loads nothing of
// the binary layer.

/** The module name (name section) of wasmthreads' own wasm modules; V8 puts it in their frames' URLs. */
export const HOST_MODULE_NAME = 'wasmthreads-host';

/** Import module name of a wrapper module; each import's name is the export name it gets. */
export const WRAPPED_MODULE = 'h';
/** The wrapper module's control-block memory import and its LAST_CALL address global (host-wrappers.ts). */
export const CONTROL_MEMORY_IMPORT = 'control';
export const LAST_CALL_IMPORT = 'lastCall';

/** Names of the fast hook module's imports besides the JS hooks "0".."2" (futex-rewrite.ts builds it, futex-hooks.ts instantiates it). */
export const FastHookImport = {
  GUEST_WAIT32: 'wait32', GUEST_WAIT64: 'wait64', GUEST_NOTIFY: 'notify', PROBE32: 'probe32', PROBE64: 'probe64',
  UNWIND: 'unwind', DUMP: 'dump', CONTROL: 'control', SLOT_BASE: 'slotBase', MEMORY: 'memory',
} as const;

/** Exports of the starter module (starter-module.ts `starterModuleBytes`). */
export const STARTER_START = 'start';
export const STARTER_TABLE = 'entry';
export const STARTER_RUN = 'run';

/** What the starter's `run` returns. */
export const StartResult = {
  /** The thread ran and its entry returned. */
  RETURNED: 0,
  /** The program is exiting; no thread was started. */
  EXITING: 1,
  /** State RUNNING, blocks recorded, entry not called: JavaScript checks isolation and starts the thread. */
  CHECK_IN_JS: 2,
} as const;

/** The start-argument reader's guest-memory import and its function (starter-module.ts), which the starter imports under the same name. */
export const GUEST_MEMORY_IMPORT = 'memory';
export const START_ARG_READ = 'read';
