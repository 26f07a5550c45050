// `__wasm_init_tls(ptr)` (lld createInitTLSFunction): points this thread's
// `__tls_base` at `ptr` and copies the `.tdata` image (which includes the zeroed `.tbss` part)
// there with `memory.init`; then calls `__wasm_apply_tls_relocs` (relocations inside TLS data that
// need a GOT global's value) and `__wasm_apply_global_tls_relocs`, which sets the internal GOT
// globals of TLS symbols to `__tls_base + offset` (lld createApplyGlobalTLSRelocationsFunction).
// The caller allocates `__tls_size` bytes aligned to `__tls_align`.

import { ByteWriter } from '../../binary/byte-writer.js';
import { Op } from '../../binary/opcodes.js';

export interface InitTLSPlan {
  /** Output index of `__tls_base`; needed only with a `.tdata` segment. */
  tlsBaseGlobal: number | undefined;
  /** The passive `.tdata` segment, if any. */
  tdata: { index: number; size: number } | undefined;
  /** Output index of `__wasm_apply_tls_relocs`, when there is one. */
  applyTLSRelocs: number | undefined;
  /** Output index of `__wasm_apply_global_tls_relocs`, when there is one. */
  applyGlobalTLSRelocs: number | undefined;
}

export function initTLSBody(plan: InitTLSPlan): Uint8Array {
  const w = new ByteWriter(32);
  w.u32(0);
  if (plan.tdata && plan.tlsBaseGlobal !== undefined) {
    w.u8(Op.localGet);
    w.u32(0);
    w.u8(Op.globalSet);
    w.u32(plan.tlsBaseGlobal);
    w.u8(Op.localGet);
    w.u32(0);
    w.u8(Op.i32Const);
    w.s32(0);
    w.u8(Op.i32Const);
    w.s32(plan.tdata.size);
    w.u8(Op.bulkPrefix);
    w.u32(Op.memoryInit);
    w.u32(plan.tdata.index);
    w.u32(0);
  }
  for (const fn of [plan.applyTLSRelocs, plan.applyGlobalTLSRelocs]) {
    if (fn === undefined) continue;
    w.u8(Op.call);
    w.u32(fn);
  }
  w.u8(Op.end);
  return w.finish();
}

/** `__wasm_apply_tls_relocs()`: each `*address = GOT global + addend` (lld generateRelocationCode). */
export function applyTLSRelocsBody(relocs: { address: number; gotGlobal: number; addend: number }[]): Uint8Array {
  const w = new ByteWriter(32);
  w.u32(0);
  for (const r of relocs) {
    w.u8(Op.i32Const);
    w.s32(r.address);
    w.u8(Op.globalGet);
    w.u32(r.gotGlobal);
    if (r.addend) {
      w.u8(Op.i32Const);
      w.s32(r.addend);
      w.u8(Op.i32Add);
    }
    w.u8(Op.i32Store);
    w.u32(2);
    w.u32(0);
  }
  w.u8(Op.end);
  return w.finish();
}

/** `__wasm_apply_global_tls_relocs()`: each TLS GOT global = `__tls_base + offset`. */
export function applyGlobalTLSRelocsBody(tlsBaseGlobal: number, gotTLS: { global: number; offset: number }[]): Uint8Array {
  const w = new ByteWriter(32);
  w.u32(0);
  for (const g of gotTLS) {
    w.u8(Op.globalGet);
    w.u32(tlsBaseGlobal);
    w.u8(Op.i32Const);
    w.s32(g.offset);
    w.u8(Op.i32Add);
    w.u8(Op.globalSet);
    w.u32(g.global);
  }
  w.u8(Op.end);
  return w.finish();
}
