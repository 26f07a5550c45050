// One pass over every function body for the facts inspect derives from code: which functions
// read or write a given global (`__tls_base`), and how many atomic (0xFE) instructions there are.
// The decoder allocates nothing per instruction, so this stays cheap on big code sections.

import { InstructionReader, readLocals } from '../binary/instructions.js';
import { Op, Prefix } from '../binary/opcodes.js';
import { findSection, type WasmModule } from '../binary/types.js';

export interface CodeScan {
  /** Function index → `global.get` / `global.set`, for functions touching the watched global. */
  globalUsers: Map<number, Set<string>>;
  atomicInstructions: number;
}

export function scanCode(mod: WasmModule, firstDefinedFunc: number, watchedGlobal: number | undefined, file?: string): CodeScan {
  const scan: CodeScan = { globalUsers: new Map(), atomicInstructions: 0 };
  const bodies = findSection(mod, 10)?.bodies ?? [];
  bodies.forEach((body, j) => {
    const r = new InstructionReader(body.bytes, body.bytesOffset, file, readLocals(body, file).codeStart);
    while (r.next()) {
      if (r.op.prefix === Prefix.Threads) scan.atomicInstructions++;
      else if (r.op.prefix === Prefix.None && (r.op.code === Op.globalGet || r.op.code === Op.globalSet) && r.index === watchedGlobal) {
        const func = firstDefinedFunc + j;
        const uses = scan.globalUsers.get(func) ?? new Set<string>();
        uses.add(r.op.name);
        scan.globalUsers.set(func, uses);
      }
    }
  });
  return scan;
}

/** The defined function whose body contains absolute file offset `at`, or undefined. */
export function functionAtOffset(mod: WasmModule, firstDefinedFunc: number, at: number): number | undefined {
  const bodies = findSection(mod, 10)?.bodies ?? [];
  let lo = 0;
  let hi = bodies.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = bodies[mid];
    if (at < b.offset) hi = mid - 1;
    else if (at >= b.bytesOffset + b.bytes.length) lo = mid + 1;
    else return firstDefinedFunc + mid;
  }
  return undefined;
}
