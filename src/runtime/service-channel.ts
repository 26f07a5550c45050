// Supervisor services: a request channel per slot in shared memory, for operations that can block
// without a timeout in native code (reads from stdin, pipes, terminals). A worker doing such a read
// inside `fs.readSync` could never be terminated and `process.exit` would hang,
// so the worker posts the request here and waits on a futex — interruptible by exit — while the
// supervisor performs it asynchronously on its event loop.
//
// Protocol per slot: worker writes the request bytes, CH_SERVICE, CH_OP, CH_LEN, stores PENDING
// and bumps DOORBELL; the supervisor CASes PENDING → SERVING, runs the service, writes the answer,
// CH_STATUS and CH_LEN, and stores ANSWERED; the worker copies the answer out and stores IDLE.

import type { SupervisorAnswer, SupervisorService } from '../shared/host-plugin.js';
import { CHANNEL_BYTES, ChannelState, ControlBlock, SlotField, Word } from './control-block.js';
import { ExitSignal, exiting } from './exit.js';
import { waitAsyncWhile, waitWhile } from './futex.js';

/** Worker side: performs one request and blocks until answered. Throws ExitSignal on exit. */
export function callService(cb: ControlBlock, slot: number, service: number, op: number, request: Uint8Array): SupervisorAnswer {
  if (request.length > CHANNEL_BYTES) throw new RangeError(`supervisor request of ${request.length} bytes exceeds ${CHANNEL_BYTES}`);
  const channel = cb.channel(slot);
  channel.set(request);
  cb.store(slot, SlotField.CH_SERVICE, service);
  cb.store(slot, SlotField.CH_OP, op);
  cb.store(slot, SlotField.CH_LEN, request.length);
  cb.store(slot, SlotField.CH_STATE, ChannelState.PENDING);
  cb.bump(Word.DOORBELL);
  for (;;) {
    const state = cb.load(slot, SlotField.CH_STATE);
    if (state === ChannelState.ANSWERED) break;
    if (waitWhile(cb.words, cb.at(slot, SlotField.CH_STATE), state, Infinity) === 'exiting') throw new ExitSignal();
  }
  const len = cb.load(slot, SlotField.CH_LEN);
  const answer = { status: cb.load(slot, SlotField.CH_STATUS), data: channel.slice(0, len) };
  cb.store(slot, SlotField.CH_STATE, ChannelState.IDLE);
  return answer;
}

/** Runs one service request of `slot` and posts the answer. */
async function serve(cb: ControlBlock, slot: number, services: SupervisorService[], onError: (e: unknown) => void): Promise<void> {
  const channel = cb.channel(slot);
  const service = services[cb.load(slot, SlotField.CH_SERVICE)];
  const request = channel.slice(0, cb.load(slot, SlotField.CH_LEN));
  try {
    if (!service) throw new Error(`unknown supervisor service #${cb.load(slot, SlotField.CH_SERVICE)}`);
    const answer = await service(cb.load(slot, SlotField.CH_OP), request);
    const len = Math.min(answer.data.length, CHANNEL_BYTES);
    channel.set(answer.data.subarray(0, len));
    cb.store(slot, SlotField.CH_LEN, len);
    cb.store(slot, SlotField.CH_STATUS, answer.status);
    cb.publish(slot, SlotField.CH_STATE, ChannelState.ANSWERED);
  } catch (e) {
    onError(e);
  }
}

/** Supervisor side: serves requests until the program exits. Never blocks the event loop. */
export async function serveChannels(cb: ControlBlock, services: SupervisorService[], onError: (e: unknown) => void): Promise<void> {
  while (!exiting(cb)) {
    const seen = Atomics.load(cb.words, Word.DOORBELL);
    for (let slot = 0; slot < cb.slotCount; slot++) {
      const at = cb.at(slot, SlotField.CH_STATE);
      if (Atomics.compareExchange(cb.words, at, ChannelState.PENDING, ChannelState.SERVING) === ChannelState.PENDING) {
        void serve(cb, slot, services, onError);
      }
    }
    await waitAsyncWhile(cb.words, Word.DOORBELL, seen);
  }
}
