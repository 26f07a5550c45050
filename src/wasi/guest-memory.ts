// Typed access to the guest's shared linear memory for syscalls. The view is cached but refreshed
// whenever an access falls past its end, because another thread may have grown the memory since
// (an old SharedArrayBuffer keeps its old length; `bufferCovering` also forces the refresh through
// the memory object). An access that is still out of bounds after the refresh is the guest's
// fault: EFAULT.

import { Iovec } from './abi.js';
import { Errno, WasiError } from './errno.js';
import { bufferCovering } from '../shared/memory-buffer.js';

export class GuestMemory {
  // Created on first use: a module that exports its memory only has one after instantiation,
  // which is after its imports (these syscalls) were built.
  private view: DataView | undefined;
  constructor(private readonly memory: () => WebAssembly.Memory) {}

  /**
   * A view covering [ptr, ptr+len), refreshed on a bounds miss. The length is read from the
   * view's buffer: a memory that is not shared (a single-threaded module's) detaches its old
   * ArrayBuffer when it grows, and a detached buffer's length is 0, where the view's own
   * `byteLength` would throw.
   */
  private span(ptr: number, len: number): DataView {
    const end = (ptr >>> 0) + len;
    if (this.view === undefined || end > this.view.buffer.byteLength) {
      const buffer = bufferCovering(this.memory(), end);
      if (buffer === undefined) throw new WasiError(Errno.FAULT);
      this.view = new DataView(buffer);
    }
    return this.view;
  }

  u8(ptr: number): number { return this.span(ptr, 1).getUint8(ptr >>> 0); }
  u16(ptr: number): number { return this.span(ptr, 2).getUint16(ptr >>> 0, true); }
  u32(ptr: number): number { return this.span(ptr, 4).getUint32(ptr >>> 0, true); }
  u64(ptr: number): bigint { return this.span(ptr, 8).getBigUint64(ptr >>> 0, true); }
  setU8(ptr: number, v: number): void { this.span(ptr, 1).setUint8(ptr >>> 0, v); }
  setU16(ptr: number, v: number): void { this.span(ptr, 2).setUint16(ptr >>> 0, v, true); }
  setU32(ptr: number, v: number): void { this.span(ptr, 4).setUint32(ptr >>> 0, v, true); }
  setU64(ptr: number, v: bigint): void { this.span(ptr, 8).setBigUint64(ptr >>> 0, BigInt.asUintN(64, v), true); }

  /** A live view of guest bytes: use it at once, never keep it (the buffer may be replaced). */
  bytes(ptr: number, len: number): Uint8Array {
    const view = this.span(ptr, len);
    return new Uint8Array(view.buffer, ptr >>> 0, len);
  }

  /** Zeroes [ptr, ptr+len) (struct padding must not leak stale guest bytes). */
  zero(ptr: number, len: number): void { this.bytes(ptr, len).fill(0); }

  /** Copies `data` into guest memory at `ptr`. */
  write(ptr: number, data: Uint8Array): void { this.bytes(ptr, data.length).set(data); }

  /** A UTF-8 string from guest memory (copied first: decoders may refuse shared views). */
  string(ptr: number, len: number): string {
    return Buffer.from(this.bytes(ptr, len)).toString('utf8');
  }

  /** EFAULT unless [ptr, ptr+len) lies in guest memory (before work sized by a guest count). */
  check(ptr: number, len: number): void {
    this.span(ptr, len);
  }

  /** The (buf, len) pairs of an `iovec` array. */
  iovecs(ptr: number, count: number): Array<[number, number]> {
    this.check(ptr, count * Iovec.SIZE);
    const out: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) {
      const at = ptr + i * Iovec.SIZE;
      out.push([this.u32(at + Iovec.buf), this.u32(at + Iovec.buf_len)]);
    }
    return out;
  }
}
