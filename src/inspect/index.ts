// The library side of `wasmthreads inspect`: the report builder, thread-ABI detection (reused by
// the runtime to choose how to run a module), the text renderer, and the report types.
export { inspect, inspectModule } from './inspect.js';
export { detectThreadAbi } from './thread-abi.js';
export { formatReport, REPORT_GROUPS, type ReportGroup } from './format-text.js';
export type * from './report.js';
