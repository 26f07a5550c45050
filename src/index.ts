// The public API of wasmthreads. Nothing but re-exports.
export { formatDiagnostic, WasmthreadsError, DecodeError } from './diagnostics.js';
export type { Diagnostic, Severity } from './diagnostics.js';
export type * from './binary/types.js';
export { readModule } from './binary/read-module.js';
export { writeModule } from './binary/write-module.js';
export { readArchive, isArchive } from './binary/archive.js';
export type { Archive, ArchiveMember } from './binary/archive.js';
export { run } from './host/run.js';
export type { RunOptions, RunResult } from './host/run.js';
export { inspect, detectThreadAbi } from './inspect/index.js';
export type { InspectReport, InspectOptions, ModuleReport, ArchiveReport, ThreadAbiReport, TlsReport } from './inspect/index.js';
export { link, parseLinkArgs } from './link/index.js';
export type { LinkOptions, LinkInput, LinkResult } from './link/index.js';
