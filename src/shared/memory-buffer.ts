// The current buffer of a shared WebAssembly.Memory as this thread sees it. Another thread may
// have grown the memory; a buffer taken before that keeps its old length, and V8 is changing when
// a thread's `memory.buffer` notices another thread's growth (the threads proposal lets a thread
// keep the old length until it synchronises with the memory itself). `memory.grow(0)` is such a
// synchronisation: it reads the current size and refreshes this thread's buffer, changing nothing.

/** A buffer of `memory` that covers [0, end), refreshed as needed; undefined if the memory is smaller. */
export function bufferCovering(memory: WebAssembly.Memory, end: number): ArrayBuffer | SharedArrayBuffer | undefined {
  let buffer = memory.buffer;
  if (end <= buffer.byteLength) return buffer;
  try {
    memory.grow(0);
  } catch {
    // A memory that cannot be grown (a maximum of 0 extra pages is still fine for grow(0)).
  }
  buffer = memory.buffer;
  return end <= buffer.byteLength ? buffer : undefined;
}
