// The contract between the thread runtime (`src/runtime/`) and the import providers it hosts
// (WASI preview1 in `src/wasi/`, and any future one). It lives in this lower room so that the
// runtime never imports `wasi/` and `wasi/` never imports the supervisor: `run` (the composition
// root) hands the runtime a list of plug-ins.
//
// A plug-in has two halves:
// - on the supervisor (Node main thread, never runs wasm), `setup()` builds state shared by all
//   threads — it must be structured-cloneable; SharedArrayBuffers inside it are shared, not
//   copied — and may register services: asynchronous handlers for operations that can block
//   without a timeout (reads from stdin, pipes, terminals), so that exit never waits on them;
// - in every worker, `imports()` builds the import object for one instance (a fresh instance per
//   thread, so it is called again each time a worker starts a new thread).

/** What a worker-side import provider may ask of the runtime. */
export interface ThreadHost {
  /** This wasm thread's id: 0 for the main thread, 1..0x1FFFFFFF for spawned ones. */
  readonly tid: number;
  /** The one shared memory of the program. Never cache its `buffer` across calls: it may grow. */
  readonly memory: WebAssembly.Memory;
  /** Ends the whole program with `code` (first exit wins). Never returns: unwinds the wasm stack. */
  exit(code: number): never;
  /** True once any thread has asked the program to exit. */
  exiting(): boolean;
  /**
   * Blocks this thread for up to `timeoutMs` (fractional allowed) or until the program is exiting.
   * Returns false if it woke because of exit (the caller should then call `exit` or return promptly).
   */
  sleep(timeoutMs: number): boolean;
  /**
   * Runs `op` of supervisor service `service` and blocks this thread until it answers. The request
   * and the answer travel through shared memory: `request` is copied in; the answer is the bytes
   * the service returned. If the program starts exiting while waiting, this unwinds like `exit`.
   */
  callSupervisor(service: string, op: number, request: Uint8Array): SupervisorAnswer;
}

export interface SupervisorAnswer {
  /** Service-defined status (e.g. an errno); 0 means success. */
  status: number;
  data: Uint8Array;
}

/** A service handler on the supervisor: may await anything (stream reads); must not block. */
export type SupervisorService = (op: number, request: Uint8Array) => Promise<SupervisorAnswer>;

export interface SupervisorSetup<Shared> {
  /** Sent to every worker (structured clone; SharedArrayBuffers are shared). */
  shared: Shared;
  services?: Record<string, SupervisorService>;
  /** Runs on the supervisor just before the process exits (flush what the supervisor buffers). */
  beforeExit?(): void;
}

/**
 * Supervisor half of a plug-in. `run` constructs it with the user's options (preopens, env, …).
 */
export interface SupervisorPlugin<Shared = unknown> {
  /** Unique name; also the key under which the worker half finds its shared state. */
  readonly name: string;
  setup(memory: WebAssembly.Memory): SupervisorSetup<Shared>;
}

/** Worker half of a plug-in. */
export interface WorkerPlugin<Shared = unknown> {
  readonly name: string;
  /** Import modules (e.g. `wasi_snapshot_preview1`) for one new instance on this thread. */
  imports(shared: Shared, host: ThreadHost): WebAssembly.Imports;
}
