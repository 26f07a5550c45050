// `__wasm_call_ctors`: calls every live init function of every object, sorted
// by priority (stable: ties keep object order, then list order), dropping any results.

import { ByteWriter } from '../../binary/byte-writer.js';
import type { LinkContext } from '../context.js';
import type { InputFunction } from '../symbols.js';
import { Op } from '../../binary/opcodes.js';

/** The live init functions in call order; reports constructors that take arguments. */
export function collectInitFunctions(ctx: LinkContext): InputFunction[] {
  const list: { priority: number; fn: InputFunction }[] = [];
  for (const file of ctx.objectFiles) {
    for (const init of file.initFuncs) {
      const s = file.symbols[init.symbol];
      const fn = s?.func;
      if (!fn || !fn.live || fn.discarded) continue;
      if (fn.type.params.length > 0) {
        ctx.sink.error({ code: 'bad-constructor', message: `constructor functions cannot take arguments: ${s.name}`, file: file.name, symbol: s.name });
        continue;
      }
      list.push({ priority: init.priority, fn });
    }
  }
  // Array.prototype.sort is stable, so equal priorities keep input order.
  return list.sort((a, b) => a.priority - b.priority).map((x) => x.fn);
}

export function callCtorsBody(inits: InputFunction[]): Uint8Array {
  const w = new ByteWriter(64);
  w.u32(0);
  for (const fn of inits) {
    w.u8(Op.call);
    w.u32(fn.outputIndex);
    for (let i = 0; i < fn.type.results.length; i++) w.u8(Op.drop);
  }
  w.u8(Op.end);
  return w.finish();
}
