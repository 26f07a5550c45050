// path_* syscalls: every guest path is resolved inside its directory fd by sandbox.ts, then the
// operation runs on the host path in the calling worker. path_open enters the new fd in the
// shared table (under its lock), so every thread can use it at once.

import { closeSync, constants, fstatSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readlinkSync,
  renameSync, rmdirSync, symlinkSync, unlinkSync, utimesSync } from 'node:fs';
import { Fdflags, Lookupflags, Oflags, Rights } from './abi.js';
import type { WasiContext } from './context.js';
import { check, Errno } from './errno.js';
import { EntryFlags, FdKind } from './fd-table.js';
import { filetypeOf, timesToSet, writeFilestat } from './filestat.js';
import { decodeGuestPath, resolveInside } from './sandbox.js';

const READ_RIGHTS = Rights.FD_READ | Rights.FD_READDIR;
const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE;
/** Mode of files and directories the guest creates (before the umask), as wasmtime uses. */
const CREATE_FILE_MODE = 0o666;
const CREATE_DIR_MODE = 0o777;

/** The host path of `guestPath` inside directory fd `fd`. */
function resolveAt(ctx: WasiContext, fd: number, ptr: number, len: number, follow: boolean): string {
  const dir = ctx.table.get(fd);
  check(dir.kind === FdKind.DIRECTORY, Errno.NOTDIR);
  const guestPath = decodeGuestPath(ctx.mem.bytes(ptr, len));
  return resolveInside(dir.path, guestPath, follow).hostPath;
}

const follows = (lookupflags: number): boolean => (lookupflags & Lookupflags.SYMLINK_FOLLOW) !== 0;

/** Host open(2) flags for a path_open; O_NOFOLLOW always (sandbox.ts). */
function hostOpenFlags(oflags: number, rights: bigint, isDirectory: boolean): number {
  const wantsWrite = (rights & WRITE_RIGHTS) !== 0n;
  const wantsRead = (rights & READ_RIGHTS) !== 0n || !wantsWrite;
  let flags = constants.O_NOFOLLOW;
  if (isDirectory || oflags & Oflags.DIRECTORY) flags |= constants.O_RDONLY | constants.O_DIRECTORY;
  else flags |= wantsRead && wantsWrite ? constants.O_RDWR : wantsWrite ? constants.O_WRONLY : constants.O_RDONLY;
  if (oflags & Oflags.CREAT) flags |= constants.O_CREAT;
  if (oflags & Oflags.EXCL) flags |= constants.O_EXCL;
  if (oflags & Oflags.TRUNC) flags |= constants.O_TRUNC;
  return flags;
}

function isDirectoryPath(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function pathOpen(ctx: WasiContext, dirfd: number, dirflags: number, ptr: number, len: number, oflags: number,
  rightsBase: bigint, rightsInheriting: bigint, fdflags: number, fdPtr: number): Errno {
  const dir = ctx.table.get(dirfd);
  const host = resolveAt(ctx, dirfd, ptr, len, follows(dirflags));
  const base = BigInt.asUintN(64, rightsBase) & dir.rightsInheriting;
  const hostFd = openSync(host, hostOpenFlags(oflags, base, isDirectoryPath(host)), CREATE_FILE_MODE);
  let fd: number;
  try {
    const st = fstatSync(hostFd);
    const blocking = st.isFIFO() || st.isCharacterDevice() || st.isSocket();
    fd = ctx.table.insert({
      kind: st.isDirectory() ? FdKind.DIRECTORY : FdKind.FILE, hostFd, filetype: filetypeOf(st),
      fdflags: fdflags & (Fdflags.APPEND | Fdflags.NONBLOCK | Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC),
      path: host.replace(/\/+$/, ''), preopen: -1, flags: blocking ? EntryFlags.SERVED_READS : 0,
      rightsBase: base, rightsInheriting: BigInt.asUintN(64, rightsInheriting) & dir.rightsInheriting,
    });
  } catch (err) {
    closeSync(hostFd); // the table is full: do not leak the host fd
    throw err;
  }
  ctx.mem.setU32(fdPtr, fd);
  return Errno.SUCCESS;
}

function pathReadlink(ctx: WasiContext, fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number): Errno {
  const target = readlinkSync(resolveAt(ctx, fd, ptr, len, false), 'buffer');
  const n = Math.min(target.length, bufLen);
  ctx.mem.write(buf, target.subarray(0, n));
  ctx.mem.setU32(usedPtr, n);
  return Errno.SUCCESS;
}

function pathSymlink(ctx: WasiContext, oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): Errno {
  const target = decodeGuestPath(ctx.mem.bytes(oldPtr, oldLen));
  // A link to an absolute path could never be followed inside the sandbox; wasmtime refuses it.
  check(!target.startsWith('/'), Errno.PERM);
  symlinkSync(target, resolveAt(ctx, fd, newPtr, newLen, false));
  return Errno.SUCCESS;
}

export function pathImports(ctx: WasiContext) {
  return {
    path_open: (dirfd: number, dirflags: number, ptr: number, len: number, oflags: number, base: bigint,
      inheriting: bigint, fdflags: number, fdPtr: number) =>
      pathOpen(ctx, dirfd, dirflags, ptr, len, oflags, base, inheriting, fdflags, fdPtr),
    path_create_directory(fd: number, ptr: number, len: number): Errno {
      mkdirSync(resolveAt(ctx, fd, ptr, len, false), CREATE_DIR_MODE);
      return Errno.SUCCESS;
    },
    path_remove_directory(fd: number, ptr: number, len: number): Errno {
      rmdirSync(resolveAt(ctx, fd, ptr, len, false));
      return Errno.SUCCESS;
    },
    path_unlink_file(fd: number, ptr: number, len: number): Errno {
      unlinkSync(resolveAt(ctx, fd, ptr, len, false));
      return Errno.SUCCESS;
    },
    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number): Errno {
      writeFilestat(ctx.mem, buf, lstatSync(resolveAt(ctx, fd, ptr, len, follows(flags)), { bigint: true }));
      return Errno.SUCCESS;
    },
    path_filestat_set_times(fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number): Errno {
      const host = resolveAt(ctx, fd, ptr, len, follows(flags));
      const [a, m] = timesToSet(atim, mtim, fst, lstatSync(host, { bigint: true }));
      (follows(flags) ? utimesSync : lutimesSync)(host, a, m);
      return Errno.SUCCESS;
    },
    path_link(oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): Errno {
      linkSync(resolveAt(ctx, oldFd, oldPtr, oldLen, follows(oldFlags)), resolveAt(ctx, newFd, newPtr, newLen, false));
      return Errno.SUCCESS;
    },
    path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): Errno {
      renameSync(resolveAt(ctx, fd, oldPtr, oldLen, false), resolveAt(ctx, newFd, newPtr, newLen, false));
      return Errno.SUCCESS;
    },
    path_readlink: (fd: number, ptr: number, len: number, buf: number, bufLen: number, used: number) =>
      pathReadlink(ctx, fd, ptr, len, buf, bufLen, used),
    path_symlink: (oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) =>
      pathSymlink(ctx, oldPtr, oldLen, fd, newPtr, newLen),
  };
}
