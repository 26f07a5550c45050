// Host `fs.BigIntStats` → WASI `filestat` / `filetype`, shared by fd_filestat_get and
// path_filestat_get, and the time arguments of the `*_set_times` calls.

import type { BigIntStats } from 'node:fs';
import { Filestat, Filetype, Fstflags } from './abi.js';
import type { GuestMemory } from './guest-memory.js';
import { Errno, WasiError } from './errno.js';
import { realtimeNs } from './clock.js';

/** FIFOs have no WASI file type; wasmtime reports them as UNKNOWN too. */
export function filetypeOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean;
  isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): Filetype {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

export function writeFilestat(mem: GuestMemory, ptr: number, st: BigIntStats): void {
  mem.zero(ptr, Filestat.SIZE);
  mem.setU64(ptr + Filestat.dev, st.dev);
  mem.setU64(ptr + Filestat.ino, st.ino);
  mem.setU8(ptr + Filestat.filetype, filetypeOf(st));
  mem.setU64(ptr + Filestat.nlink, st.nlink);
  mem.setU64(ptr + Filestat.size, st.size);
  mem.setU64(ptr + Filestat.atim, st.atimeNs);
  mem.setU64(ptr + Filestat.mtim, st.mtimeNs);
  mem.setU64(ptr + Filestat.ctim, st.ctimeNs);
}

/**
 * The (atime, mtime) in seconds that `futimes`/`utimes` need for a `*_set_times` call; the
 * current values come from `current` for the times left unchanged. Node takes seconds as a
 * double, so sub-microsecond precision is lost.
 */
export function timesToSet(atim: bigint, mtim: bigint, fst: number, current: BigIntStats): [number, number] {
  const bothA = (fst & Fstflags.ATIM) !== 0 && (fst & Fstflags.ATIM_NOW) !== 0;
  const bothM = (fst & Fstflags.MTIM) !== 0 && (fst & Fstflags.MTIM_NOW) !== 0;
  if (bothA || bothM || fst & ~0xf) throw new WasiError(Errno.INVAL);
  const now = realtimeNs();
  const pick = (set: number, setNow: number, value: bigint, keep: bigint): bigint =>
    fst & setNow ? now : fst & set ? value : keep;
  const a = pick(Fstflags.ATIM, Fstflags.ATIM_NOW, atim, current.atimeNs);
  const m = pick(Fstflags.MTIM, Fstflags.MTIM_NOW, mtim, current.mtimeNs);
  return [Number(a) / 1e9, Number(m) / 1e9];
}
