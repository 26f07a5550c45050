// poll_oneoff: clock subscriptions (MONOTONIC and REALTIME, relative or absolute) and fd
// subscriptions. It is what `sleep`, `nanosleep`, Rust's `thread::sleep` and timed waits use.
//
// How it works: fd subscriptions on regular files, directories and output fds are ready at once.
// Read subscriptions on fds the supervisor serves (stdin, FIFOs, ttys) ask its read service, which
// answers when one of them has data or end of file, or when the earliest clock deadline comes —
// the worker waits for that answer interruptibly, so another thread's exit ends the program at
// once. Without such fds the thread sleeps through `ThreadHost.sleep`. Either way the clock is
// re-checked after every wake-up, so a clock subscription never fires before its deadline.
//
// REALTIME absolute deadlines follow the wall clock as Linux's
// `clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME)` does: the wait is measured on the monotonic
// clock but cut into slices of at most REALTIME_RECHECK_MS, after each of which the deadline is
// converted again, so a wall-clock jump is noticed within one slice and the subscription never
// fires while the wall clock is still before its deadline. (wasmtime converts it to a relative
// monotonic wait once, and so does not follow jumps.)

import { fstatSync } from 'node:fs';
import { Clockid, Event, Eventrwflags, Eventtype, Subclockflags, Subscription } from './abi.js';
import { monotonicNs, realtimeNs } from './clock.js';
import { WASI_PLUGIN_NAME, type WasiContext } from './context.js';
import { Errno, errnoFromHostError } from './errno.js';
import { EntryFlags, FdKind } from './fd-table.js';
import { decodePollAnswer, encodePollRequest, ServiceOp } from './stdio-service.js';

const NS_PER_MS = 1e6;
/** Longest slice of a wait on a REALTIME absolute deadline before the wall clock is read again. */
export const REALTIME_RECHECK_MS = 1000;

interface Fired { userdata: bigint; error: Errno; type: Eventtype; nbytes: bigint; flags: number }

/** A clock subscription: `left()` is how many ns remain (<= 0: fired), by its own clock. */
interface ClockSub { userdata: bigint; left: () => bigint; realtime: boolean }

/** A read subscription waiting on the supervisor. */
interface ServedSub { userdata: bigint; hostFd: number }

/** A clock subscription, or an errno for an unsupported clock. */
function clockSub(userdata: bigint, id: number, timeout: bigint, flags: number, now: bigint): ClockSub | Errno {
  const absolute = (flags & Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
  if (id === Clockid.REALTIME && absolute) return { userdata, left: () => timeout - realtimeNs(), realtime: true };
  if (id === Clockid.MONOTONIC || id === Clockid.REALTIME) {
    const deadline = absolute ? timeout : now + timeout;
    return { userdata, left: () => deadline - monotonicNs(), realtime: false };
  }
  return Errno.INVAL;
}

/** How long the thread may wait before a clock subscription needs looking at again, in ms. */
function waitMs(clocks: ClockSub[]): number {
  let ms = Infinity;
  for (const c of clocks) {
    const left = Number(c.left()) / NS_PER_MS;
    ms = Math.min(ms, c.realtime ? Math.min(left, REALTIME_RECHECK_MS) : left);
  }
  return Math.max(ms, 0);
}

/**
 * A subscription answered without waiting. For files, `nbytes` is what a read could return from
 * the current offset; stdout/stderr and FIFOs opened for writing are always writable (writes retry
 * EAGAIN themselves). Returns undefined for a read subscription the supervisor must answer.
 */
function fdEvent(ctx: WasiContext, userdata: bigint, type: Eventtype, fd: number, served: ServedSub[]): Fired | undefined {
  try {
    const e = ctx.table.get(fd);
    if (type === Eventtype.FD_READ && e.flags & EntryFlags.SERVED_READS) {
      served.push({ userdata, hostFd: e.hostFd });
      return undefined;
    }
    let nbytes = 0n;
    if (type === Eventtype.FD_READ && e.kind === FdKind.FILE) {
      const left = fstatSync(e.hostFd, { bigint: true }).size - ctx.table.offset(fd);
      nbytes = left > 0n ? left : 0n;
    }
    return { userdata, error: Errno.SUCCESS, type, nbytes, flags: 0 };
  } catch (err) {
    return { userdata, error: errnoFromHostError(err) ?? Errno.IO, type, nbytes: 0n, flags: 0 };
  }
}

function writeEvents(ctx: WasiContext, outPtr: number, events: Fired[], neventsPtr: number): void {
  events.forEach((ev, i) => {
    const at = outPtr + i * Event.SIZE;
    ctx.mem.zero(at, Event.SIZE);
    ctx.mem.setU64(at + Event.userdata, ev.userdata);
    ctx.mem.setU16(at + Event.error, ev.error);
    ctx.mem.setU8(at + Event.type, ev.type);
    ctx.mem.setU64(at + Event.fd_readwrite_nbytes, ev.nbytes);
    ctx.mem.setU16(at + Event.fd_readwrite_flags, ev.flags);
  });
  ctx.mem.setU32(neventsPtr, events.length);
}

/** Asks the supervisor which served fds are readable, waiting up to `timeoutMs` (< 0: forever). */
function pollServed(ctx: WasiContext, served: ServedSub[], timeoutMs: number): Fired[] {
  const req = encodePollRequest(served.map((s) => s.hostFd), timeoutMs);
  const answer = ctx.host.callSupervisor(WASI_PLUGIN_NAME, ServiceOp.POLL, req);
  if (answer.status !== Errno.SUCCESS) {
    return served.map((s) => ({ userdata: s.userdata, error: answer.status, type: Eventtype.FD_READ, nbytes: 0n, flags: 0 }));
  }
  const fired: Fired[] = [];
  decodePollAnswer(answer.data, served.length).forEach((r, i) => {
    if (r.nbytes === 0 && !r.eof) return;
    fired.push({ userdata: served[i]!.userdata, error: Errno.SUCCESS, type: Eventtype.FD_READ, nbytes: BigInt(r.nbytes),
      flags: r.eof && r.nbytes === 0 ? Eventrwflags.FD_READWRITE_HANGUP : 0 });
  });
  return fired;
}

function firedClocks(clocks: ClockSub[]): Fired[] {
  return clocks.filter((c) => c.left() <= 0n)
    .map((c) => ({ userdata: c.userdata, error: Errno.SUCCESS, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 }));
}

/**
 * Waits until a served fd is readable or a clock subscription fires; returns what fired, or
 * undefined if the program started exiting (a supervisor call unwinds by itself).
 */
function waitForEvents(ctx: WasiContext, clocks: ClockSub[], served: ServedSub[]): Fired[] | undefined {
  for (;;) {
    const fired = firedClocks(clocks);
    if (fired.length > 0) return [...(served.length > 0 ? pollServed(ctx, served, 0) : []), ...fired];
    const ms = clocks.length > 0 ? waitMs(clocks) : -1;
    if (served.length > 0) {
      const ready = pollServed(ctx, served, ms);
      if (ready.length > 0) return [...ready, ...firedClocks(clocks)];
    } else if (!ctx.host.sleep(ms)) {
      return undefined;
    }
  }
}

function pollOneoff(ctx: WasiContext, inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): Errno {
  if (nsubs === 0) return Errno.INVAL;
  ctx.mem.check(inPtr, nsubs * Subscription.SIZE);
  const now = monotonicNs();
  const ready: Fired[] = [];
  const clocks: ClockSub[] = [];
  const served: ServedSub[] = [];
  for (let i = 0; i < nsubs; i++) {
    const at = inPtr + i * Subscription.SIZE;
    const userdata = ctx.mem.u64(at + Subscription.userdata);
    const tag = ctx.mem.u8(at + Subscription.tag);
    if (tag === Eventtype.CLOCK) {
      const sub = clockSub(userdata, ctx.mem.u32(at + Subscription.clock_id), ctx.mem.u64(at + Subscription.clock_timeout),
        ctx.mem.u16(at + Subscription.clock_flags), now);
      if (typeof sub === 'object') clocks.push(sub);
      else ready.push({ userdata, error: sub, type: Eventtype.CLOCK, nbytes: 0n, flags: 0 });
    } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
      const ev = fdEvent(ctx, userdata, tag, ctx.mem.u32(at + Subscription.fd_readwrite_fd), served);
      if (ev) ready.push(ev);
    } else {
      return Errno.INVAL;
    }
  }
  if (ready.length > 0) {
    // Something is ready already: report it with whatever else is ready now, without waiting.
    ready.push(...(served.length > 0 ? pollServed(ctx, served, 0) : []), ...firedClocks(clocks));
  } else {
    const fired = waitForEvents(ctx, clocks, served);
    if (fired === undefined) return Errno.INTR;
    ready.push(...fired);
  }
  writeEvents(ctx, outPtr, ready, neventsPtr);
  return Errno.SUCCESS;
}

export function pollImports(ctx: WasiContext) {
  return {
    poll_oneoff: (inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) =>
      pollOneoff(ctx, inPtr, outPtr, nsubs, neventsPtr),
  };
}
