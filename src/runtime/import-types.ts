// The function types of everything the host provides, so that a module importing one of them with
// another type is refused before it runs, as wasmtime refuses it when it links the imports
// ("incompatible import type"): a JavaScript host function takes whatever it is given, and a
// pointer that arrives as an i64 (a wasm64 module, a hand-written import) would reach the host's
// code as a BigInt and fail inside it.

import { formatSignature, typeKey } from '../binary/func-types.js';
import { LimitsFlag } from '../binary/format.js';
import { importsOfKind, types } from '../binary/module-info.js';
import { ExternalKind, findSection, SectionId, ValTypeCode, type FuncType, type WasmModule } from '../binary/types.js';
import { HOST_MANAGED_MODULE, HOST_MANAGED_SPAWN, WASI_THREADS_MODULE, WASI_THREAD_SPAWN } from '../shared/thread-abi-names.js';

const I = ValTypeCode.i32;
const L = ValTypeCode.i64;
/** Parameters (i32 = I, i64 = L) and results, in one string per function: 'IIII:I'. */
const sig = (s: string): FuncType => {
  const [params, results] = s.split(':');
  const code = (c: string): number => (c === 'L' ? L : I);
  return { params: [...params].map(code), results: [...results].map(code) } as FuncType;
};

/** wasi_snapshot_preview1, as its witx declares it (pointers, sizes and fds i32; offsets, lengths of files, rights and times i64). */
const PREVIEW1: Record<string, string> = {
  args_get: 'II:I', args_sizes_get: 'II:I', environ_get: 'II:I', environ_sizes_get: 'II:I',
  clock_res_get: 'II:I', clock_time_get: 'ILI:I',
  fd_advise: 'ILLI:I', fd_allocate: 'ILL:I', fd_close: 'I:I', fd_datasync: 'I:I', fd_fdstat_get: 'II:I',
  fd_fdstat_set_flags: 'II:I', fd_fdstat_set_rights: 'ILL:I', fd_filestat_get: 'II:I', fd_filestat_set_size: 'IL:I',
  fd_filestat_set_times: 'ILLI:I', fd_pread: 'IIILI:I', fd_prestat_get: 'II:I', fd_prestat_dir_name: 'III:I',
  fd_pwrite: 'IIILI:I', fd_read: 'IIII:I', fd_readdir: 'IIILI:I', fd_renumber: 'II:I', fd_seek: 'ILII:I',
  fd_sync: 'I:I', fd_tell: 'II:I', fd_write: 'IIII:I',
  path_create_directory: 'III:I', path_filestat_get: 'IIIII:I', path_filestat_set_times: 'IIIILLI:I',
  path_link: 'IIIIIII:I', path_open: 'IIIIILLII:I', path_readlink: 'IIIIII:I', path_remove_directory: 'III:I',
  path_rename: 'IIIIII:I', path_symlink: 'IIIII:I', path_unlink_file: 'III:I',
  poll_oneoff: 'IIII:I', proc_exit: 'I:', proc_raise: 'I:I', sched_yield: ':I', random_get: 'II:I',
  sock_accept: 'III:I', sock_recv: 'IIIIII:I', sock_send: 'IIIII:I', sock_shutdown: 'II:I',
};

const EXPECTED: Record<string, Record<string, string>> = {
  wasi_snapshot_preview1: PREVIEW1,
  [WASI_THREADS_MODULE]: { [WASI_THREAD_SPAWN]: 'I:I' },
  [HOST_MANAGED_MODULE]: { [HOST_MANAGED_SPAWN]: 'II:I', thread_join: 'I:I', thread_detach: 'I:I' },
};

/** The type the host calls a wasi-threads module's `wasi_thread_start` with: (tid, start_arg). */
export const THREAD_ENTRY_TYPE: FuncType = sig('II:');

/** The type the host gives function `module`.`name`, or undefined if it provides no such function. */
export function hostFunctionType(module: string, name: string): FuncType | undefined {
  const want = EXPECTED[module]?.[name];
  return want === undefined ? undefined : sig(want);
}

/**
 * Why the host cannot run this module's imports as typed, or undefined: a 64-bit memory (WASI
 * preview1 and both thread ABIs address a 32-bit one), or the first host function imported with a
 * type other than the host's, said as wasmtime says it.
 */
export function importTypeProblem(mod: WasmModule): string | undefined {
  const memories = [...importsOfKind(mod, ExternalKind.Memory).map((m) => m.desc.memory), ...(findSection(mod, SectionId.Memory)?.memories ?? [])];
  if (memories.some((m) => m.limits.flags & LimitsFlag.IS_64)) {
    return 'its memory is 64-bit (memory64, a wasm64 module): WASI preview1 and the thread ABIs this host runs address a 32-bit memory';
  }
  const all = types(mod);
  for (const imp of importsOfKind(mod, ExternalKind.Func)) {
    const expected = hostFunctionType(imp.module, imp.name);
    const got = all[imp.desc.typeIndex];
    if (!expected || !got) continue;
    if (typeKey(expected) === typeKey(got)) continue;
    return `incompatible import type for \`${imp.module}::${imp.name}\`: expected ${formatSignature(expected)}, found ${formatSignature(got)}`;
  }
  return undefined;
}
