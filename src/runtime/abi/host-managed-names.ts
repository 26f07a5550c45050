// Names of the host-managed ABI (see host-managed.ts), kept apart so the module reader can
// recognise the ABI without loading the worker-side implementation.
export const HOST_MANAGED_MODULE = 'wasmthreads';
