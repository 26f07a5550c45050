// The wasm part of a JavaScript stack trace, as a user wants to read it: only wasm frames (the JS
// frames are wasmthreads' own), without the futex wrappers a rewritten module has or the frames of
// wasmthreads' own wrapper modules (host-wrappers.ts), and with code offsets mapped back to the
// file's (futex-rewrite.ts moves the code section by `shift` bytes).

import { HOST_MODULE_NAME } from './host-module-names.js';

const HOST_FRAME = `wasm://wasm/${HOST_MODULE_NAME}-`;

/** How a rewritten module's code moved; undefined for a module run as linked. */
export interface CodeMap {
  shift: number;
  /** Function indices from here on are the rewrite's wrappers. */
  firstWrapper: number;
}

const FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

/** The wasm frames of `stack`, one per line, trimmed. */
export function wasmFrames(stack: string, codeMap: CodeMap | undefined): string[] {
  const out: string[] = [];
  for (const line of stack.split('\n')) {
    if (!line.includes('wasm://') && !line.includes('wasm-function')) continue;
    if (line.includes(HOST_FRAME)) continue;
    const m = FRAME.exec(line);
    if (codeMap && m) {
      if (Number(m[1]) >= codeMap.firstWrapper) continue;
      out.push(line.trim().replace(m[0], `wasm-function[${m[1]}]:0x${(parseInt(m[2], 16) - codeMap.shift).toString(16)}`));
    } else out.push(line.trim());
  }
  return out;
}

/**
 * A frame from `wasmFrames` without V8's URL noise: `at NAME (wasm-function[N]:0xOFF)`. V8 writes
 * `at MODULE.NAME (wasm://wasm/MODULE-HASH:wasm-function[N]:0xOFF)` when the name section names the
 * module, `at NAME (wasm://wasm/HASH:…)` otherwise, and no NAME for a function without one.
 */
export function compactFrame(frame: string): string {
  const m = /^at (?:(.*) \()?wasm:\/\/wasm\/([^:]*):(wasm-function\[\d+\]:0x[0-9a-f]+)\)?$/.exec(frame);
  if (!m) return frame;
  const [, name, url, where] = m;
  const module = url.replace(/-[0-9a-f]+$/, '');
  const fn = name !== undefined && module !== url && name.startsWith(`${module}.`) ? name.slice(module.length + 1) : name;
  return fn === undefined ? `at ${where}` : `at ${fn} (${where})`;
}
