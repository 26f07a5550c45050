// path_* syscalls: every guest path is resolved inside its directory fd by sandbox.ts, then the
// operation runs on the host path in the calling worker. path_open enters the new fd in the
// shared table (under its lock), so every thread can use it at once.

import { closeSync, constants, fstatSync, type Stats, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readlinkSync,
  renameSync, rmdirSync, symlinkSync, unlinkSync, utimesSync } from 'node:fs';
import { Fdflags, Lookupflags, Oflags, Rights } from './abi.js';
import { isatty } from 'node:tty';
import { WASI_PLUGIN_NAME, type WasiContext } from './context.js';
import { check, Errno, WasiError } from './errno.js';
import { EntryFlags, FdKind } from './fd-table.js';
import { filetypeOf, timesToSet, writeFilestat } from './filestat.js';
import { decodeGuestPath, resolveInside } from './sandbox.js';
import { encodeFdRequest, ServiceOp } from './stdio-service.js';

const READ_RIGHTS = Rights.FD_READ | Rights.FD_READDIR;
const WRITE_RIGHTS = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE;
/** Mode of files and directories the guest creates (before the umask), as wasmtime uses. */
const CREATE_FILE_MODE = 0o666;
const CREATE_DIR_MODE = 0o777;
/** How often a FIFO writer's open looks for a reader, in ms. */
const FIFO_WRITER_RETRY_MS = 5;

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

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Opens the host file. A FIFO is opened non-blocking: a blocking open waits in native code for
 * the other end, and nothing could then end the program. A writer that finds no reader (ENXIO)
 * waits for one here, interruptibly; a reader needs no writer yet (its reads wait in the
 * supervisor, which reports end of file only once a writer has come and gone).
 */
function openHost(ctx: WasiContext, host: string, flags: number, isFifo: boolean): number {
  if (!isFifo) return openSync(host, flags, CREATE_FILE_MODE);
  for (;;) {
    try {
      return openSync(host, flags | constants.O_NONBLOCK, CREATE_FILE_MODE);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENXIO') throw err;
      if (!ctx.host.sleep(FIFO_WRITER_RETRY_MS)) throw new WasiError(Errno.INTR);
    }
  }
}

/** How the table treats a newly opened host fd. */
function entryShape(hostFd: number, st: Stats, readable: boolean): { kind: FdKind; flags: number } {
  if (st.isDirectory()) return { kind: FdKind.DIRECTORY, flags: 0 };
  if (st.isFile()) return { kind: FdKind.FILE, flags: 0 };
  // Pipes, sockets and devices have no offset of ours; reads that can block forever are served.
  const blocks = st.isFIFO() || st.isSocket() || isatty(hostFd);
  return { kind: FdKind.STREAM, flags: blocks && readable ? EntryFlags.SERVED_READS : 0 };
}

function pathOpen(ctx: WasiContext, dirfd: number, dirflags: number, ptr: number, len: number, oflags: number,
  rightsBase: bigint, rightsInheriting: bigint, fdflags: number, fdPtr: number): Errno {
  const dir = ctx.table.get(dirfd);
  const host = resolveAt(ctx, dirfd, ptr, len, follows(dirflags));
  const base = BigInt.asUintN(64, rightsBase) & dir.rightsInheriting;
  const before = lstatOrUndefined(host);
  const flags = hostOpenFlags(oflags, base, before?.isDirectory() ?? false);
  const hostFd = openHost(ctx, host, flags, before?.isFIFO() ?? false);
  let fd: number;
  let shape: { kind: FdKind; flags: number };
  try {
    shape = entryShape(hostFd, fstatSync(hostFd), (flags & (constants.O_WRONLY | constants.O_RDWR)) !== constants.O_WRONLY);
    fd = ctx.table.insert({
      kind: shape.kind, hostFd, filetype: filetypeOf(fstatSync(hostFd)),
      fdflags: fdflags & (Fdflags.APPEND | Fdflags.NONBLOCK | Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC),
      path: host.replace(/\/+$/, ''), preopen: -1, flags: shape.flags,
      rightsBase: base, rightsInheriting: BigInt.asUintN(64, rightsInheriting) & dir.rightsInheriting,
    });
  } catch (err) {
    closeSync(hostFd); // the table is full: do not leak the host fd
    throw err;
  }
  // The supervisor starts reading now, so a writer that comes and goes before the first read
  // still leaves its data and its end of file behind.
  if (shape.flags & EntryFlags.SERVED_READS) ctx.host.callSupervisor(WASI_PLUGIN_NAME, ServiceOp.ATTACH, encodeFdRequest(hostFd));
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
