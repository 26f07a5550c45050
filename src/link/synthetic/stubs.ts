// Small synthesised functions: trapping stubs that stand in for undefined or mismatched functions
// (lld `undefined_weak:`, `undefined_stub`, `signature_mismatch:`), and the
// command-export wrappers that run constructors around each export.

import { ByteWriter } from '../../binary/byte-writer.js';
import type { FuncType } from '../../binary/types.js';
import { NO_RELOCS, type InputFunction } from '../symbols.js';
import { Op } from '../../binary/opcodes.js';

export function syntheticFunction(name: string, type: FuncType, bytes: Uint8Array = new Uint8Array()): InputFunction {
  return { kind: 'synthetic', name, type, bytes, relocs: NO_RELOCS, live: true, discarded: false, outputIndex: -1, index: -1 };
}

/** A function whose body is `unreachable`: calling it traps. */
export function makeTrapStub(name: string, type: FuncType): InputFunction {
  return syntheticFunction(name, type, Uint8Array.of(0, Op.unreachable, Op.end));
}

/**
 * `F.command_export`: call `__wasm_call_ctors` (when it is live), forward every parameter to F, then call
 * `__wasm_call_dtors` if there is one; F's results stay on the stack as the wrapper's results.
 */
export function commandExportBody(params: number, callCtors: number | undefined, target: number, callDtors: number | undefined): Uint8Array {
  const w = new ByteWriter(32);
  w.u32(0);
  if (callCtors !== undefined) {
    w.u8(Op.call);
    w.u32(callCtors);
  }
  for (let i = 0; i < params; i++) {
    w.u8(Op.localGet);
    w.u32(i);
  }
  w.u8(Op.call);
  w.u32(target);
  if (callDtors !== undefined) {
    w.u8(Op.call);
    w.u32(callDtors);
  }
  w.u8(Op.end);
  return w.finish();
}
