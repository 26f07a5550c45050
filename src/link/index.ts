// The linker's public surface: `link(options)` and the wasm-ld command-line parser.
export { link, LinkError } from './driver.js';
export type { LinkResult } from './driver.js';
export { parseLinkArgs, formatLinkFlags } from './options.js';
export type { LinkOptions, LinkInput } from './options.js';
