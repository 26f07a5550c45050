// poll_oneoff: clock subscriptions (MONOTONIC and REALTIME, relative or absolute) and fd
// subscriptions. It is what `sleep`, `nanosleep`, Rust's `thread::sleep` and timed waits use.
//
// How it works: fd subscriptions are answered at once (regular files and directories are always
// ready; so are stdio and FIFOs, see below). If nothing is ready, the thread sleeps through
// `ThreadHost.sleep` until the earliest clock deadline — an interruptible futex wait, so another
// thread's exit ends the program at once — and re-checks the clock after every wake-up, so it
// never returns before the deadline. Absolute deadlines are converted to the monotonic clock once;
// a REALTIME deadline therefore does not follow later wall-clock jumps.

import { fstatSync } from 'node:fs';
import { Clockid, Event, Eventtype, Subclockflags, Subscription } from './abi.js';
import { monotonicNs, realtimeNs } from './clock.js';
import type { WasiContext } from './context.js';
import { Errno, errnoFromHostError } from './errno.js';
import { FdKind } from './fd-table.js';

const NS_PER_MS = 1e6;

interface Fired { userdata: bigint; error: Errno; type: Eventtype; nbytes: bigint }

interface ClockSub { userdata: bigint; deadline: bigint }

/** The monotonic deadline of a clock subscription, or an errno for an unsupported clock. */
function clockDeadline(id: number, timeout: bigint, flags: number, now: bigint): bigint | Errno {
  const absolute = (flags & Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
  if (id === Clockid.MONOTONIC) return absolute ? timeout : now + timeout;
  if (id === Clockid.REALTIME) return absolute ? now + (timeout - realtimeNs()) : now + timeout;
  return Errno.INVAL;
}

/**
 * An fd subscription is ready at once. For files, `nbytes` is what a read could return from the
 * current offset. Stdio and FIFOs are also reported ready (deviation: their real readiness is only
 * known to the supervisor; a following read then waits there, interruptibly).
 */
function fdEvent(ctx: WasiContext, userdata: bigint, type: Eventtype, fd: number): Fired {
  try {
    const e = ctx.table.get(fd);
    let nbytes = 0n;
    if (type === Eventtype.FD_READ && e.kind === FdKind.FILE) {
      const left = fstatSync(e.hostFd, { bigint: true }).size - ctx.table.offset(fd);
      nbytes = left > 0n ? left : 0n;
    }
    return { userdata, error: Errno.SUCCESS, type, nbytes };
  } catch (err) {
    return { userdata, error: errnoFromHostError(err) ?? Errno.IO, type, nbytes: 0n };
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
  });
  ctx.mem.setU32(neventsPtr, events.length);
}

/** Sleeps until the earliest deadline has passed; false if the program started exiting. */
function sleepUntil(ctx: WasiContext, deadline: bigint): boolean {
  for (;;) {
    const left = deadline - monotonicNs();
    if (left <= 0n) return true;
    if (!ctx.host.sleep(Number(left) / NS_PER_MS)) return false;
  }
}

function pollOneoff(ctx: WasiContext, inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): Errno {
  if (nsubs === 0) return Errno.INVAL;
  const now = monotonicNs();
  const ready: Fired[] = [];
  const clocks: ClockSub[] = [];
  for (let i = 0; i < nsubs; i++) {
    const at = inPtr + i * Subscription.SIZE;
    const userdata = ctx.mem.u64(at + Subscription.userdata);
    const tag = ctx.mem.u8(at + Subscription.tag);
    if (tag === Eventtype.CLOCK) {
      const deadline = clockDeadline(ctx.mem.u32(at + Subscription.clock_id), ctx.mem.u64(at + Subscription.clock_timeout),
        ctx.mem.u16(at + Subscription.clock_flags), now);
      if (typeof deadline === 'bigint') clocks.push({ userdata, deadline });
      else ready.push({ userdata, error: deadline, type: Eventtype.CLOCK, nbytes: 0n });
    } else if (tag === Eventtype.FD_READ || tag === Eventtype.FD_WRITE) {
      ready.push(fdEvent(ctx, userdata, tag, ctx.mem.u32(at + Subscription.fd_readwrite_fd)));
    } else {
      return Errno.INVAL;
    }
  }
  if (ready.length === 0 && clocks.length > 0) {
    const earliest = clocks.reduce((m, c) => (c.deadline < m ? c.deadline : m), clocks[0]!.deadline);
    if (!sleepUntil(ctx, earliest)) return Errno.INTR;
  }
  const after = monotonicNs();
  for (const c of clocks) {
    if (c.deadline <= after) ready.push({ userdata: c.userdata, error: Errno.SUCCESS, type: Eventtype.CLOCK, nbytes: 0n });
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
