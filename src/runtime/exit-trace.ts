// The exit trace (`wasmthreads run --trace-exit`, or WASMTHREADS_TRACE_EXIT=1): timestamps of each
// step from an exit request to the end of the process — the request (written by the requesting
// thread into the control block), the supervisor noticing it, the workers being told to
// terminate, each worker's 'exit' event, and the final `process.exit`. Times are milliseconds on
// one clock shared by every thread (`performance.timeOrigin + performance.now()`), printed relative
// to the request so the dominant step is visible at a glance.

/** Milliseconds on a clock comparable across worker threads (each has its own timeOrigin). */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface TraceMark {
  label: string;
  at: number;
}

/** Collects marks; cheap enough to be always constructed, records only when enabled. */
export class ExitTrace {
  private readonly marks: TraceMark[] = [];

  constructor(readonly enabled: boolean) {}

  mark(label: string, at = sharedClockMs()): void {
    if (this.enabled) this.marks.push({ label, at });
  }

  /** The marks as text lines, times relative to `origin` (the exit request). */
  format(origin: number): string {
    return this.marks
      .slice()
      .sort((a, b) => a.at - b.at)
      .map((m) => `wasmthreads: exit trace: +${(m.at - origin).toFixed(2).padStart(7)} ms  ${m.label}\n`)
      .join('');
  }
}

/** The environment variable that turns the trace on without the flag (e.g. for the library API). */
export const TRACE_EXIT_ENV = 'WASMTHREADS_TRACE_EXIT';

export function traceExitFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[TRACE_EXIT_ENV] === '1';
}
