// path_* syscalls: every guest path is resolved inside its directory fd by sandbox.ts, then the
// operation runs, in the calling worker, on a host path that names its target through directory
// handles the walk holds. path_open enters the new fd in the
// shared table (under its lock), so every thread can use it at once.

import { closeSync, constants, fstatSync, type Stats, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readlinkSync,
  realpathSync, renameSync, rmdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { Fdflags, Lookupflags, Oflags, openedRights, Rights } from './abi.js';
import { isatty } from 'node:tty';
import { WASI_PLUGIN_NAME, type WasiContext } from './context.js';
import { check, Errno, WasiError } from './errno.js';
import { EntryFlags, FdKind } from './fd-table.js';
import { filetypeOf, timesToSet, writeFilestat } from './filestat.js';
import { decodeGuestPath, HELD_HANDLES, withResolved, type Resolved, type ResolveOptions } from './sandbox.js';
import { encodeFdRequest, ServiceOp } from './stdio-service.js';

/** Rights whose presence opens the host file for writing (wasmtime: FD_WRITE). */
const WRITE_RIGHTS = Rights.FD_WRITE;
/** Mode of files and directories the guest creates (before the umask), as wasmtime uses. */
const CREATE_FILE_MODE = 0o666;
const CREATE_DIR_MODE = 0o777;
/** How often a FIFO writer's open looks for a reader, in ms. */
const FIFO_WRITER_RETRY_MS = 5;

/**
 * Resolves the guest path at (`ptr`, `len`) inside directory fd `fd` and runs `op` on the host path
 * while the walk's directory handles are held (sandbox.ts); the directory fd itself stays open
 * meanwhile even if another guest thread closes it.
 */
function atPath<T>(ctx: WasiContext, fd: number, ptr: number, len: number, opts: ResolveOptions, op: (r: Resolved) => T): T {
  const guestPath = decodeGuestPath(ctx.mem.bytes(ptr, len));
  return ctx.table.pinned(fd, (dir) => {
    check(dir.kind === FdKind.DIRECTORY, Errno.NOTDIR);
    return withResolved(dir.hostFd, dir.path, guestPath, opts, op);
  });
}

/** Whether `lookupflags` asks to follow a final symlink; bits preview1 does not define are EINVAL. */
function follows(lookupflags: number): boolean {
  check((lookupflags & ~Lookupflags.SYMLINK_FOLLOW) === 0, Errno.INVAL);
  return (lookupflags & Lookupflags.SYMLINK_FOLLOW) !== 0;
}

/** Host open(2) flags for a path_open; O_NOFOLLOW always (sandbox.ts). */
function hostOpenFlags(oflags: number, rights: bigint, isDirectory: boolean): number {
  const write = (rights & WRITE_RIGHTS) !== 0n;
  const read = (rights & Rights.FD_READ) !== 0n || !write;
  // As wasmtime: a directory cannot be opened for writing, nor created, truncated or exclusive.
  if (write && isDirectory) throw new WasiError(Errno.ISDIR);
  if (oflags & Oflags.DIRECTORY && oflags & (Oflags.CREAT | Oflags.EXCL | Oflags.TRUNC)) throw new WasiError(Errno.INVAL);
  let flags = constants.O_NOFOLLOW;
  if (isDirectory || oflags & Oflags.DIRECTORY) flags |= constants.O_RDONLY | constants.O_DIRECTORY;
  else flags |= read && write ? constants.O_RDWR : write ? constants.O_WRONLY : constants.O_RDONLY;
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
  rightsBase: bigint, fdflags: number, fdPtr: number): Errno {
  // Flags with bits preview1 does not define are EINVAL, as wasmtime decodes them.
  check((fdflags & ~(Fdflags.APPEND | Fdflags.NONBLOCK | Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC)) === 0, Errno.INVAL);
  const rights = BigInt.asUintN(64, rightsBase);
  const fd = atPath(ctx, dirfd, ptr, len, { follow: follows(dirflags) }, (r) => {
    const before = r.stat ?? lstatOrUndefined(r.hostPath);
    const flags = hostOpenFlags(oflags, rights, r.mustBeDirectory || (before?.isDirectory() ?? false));
    const hostFd = openHost(ctx, r.hostPath, flags, before?.isFIFO() ?? false);
    try {
      const st = fstatSync(hostFd);
      const accmode = flags & (constants.O_WRONLY | constants.O_RDWR);
      const shape = entryShape(hostFd, st, accmode !== constants.O_WRONLY);
      const granted = openedRights(st.isDirectory(), accmode !== constants.O_WRONLY, accmode !== constants.O_RDONLY);
      const fd = ctx.table.insert({
        kind: shape.kind, hostFd, filetype: filetypeOf(st),
        fdflags,
        // The host path a directory was opened at: used only where no /proc/self/fd exists (sandbox.ts).
        path: shape.kind === FdKind.DIRECTORY ? realDirectoryPath(r.hostPath) : '', preopen: -1, flags: shape.flags,
        rightsBase: granted, rightsInheriting: granted,
      });
      return { fd, hostFd, served: (shape.flags & EntryFlags.SERVED_READS) !== 0 };
    } catch (err) {
      closeSync(hostFd); // the table is full: do not leak the host fd
      throw err;
    }
  });
  // The supervisor starts reading now, so a writer that comes and goes before the first read
  // still leaves its data and its end of file behind.
  if (fd.served) ctx.host.callSupervisor(WASI_PLUGIN_NAME, ServiceOp.ATTACH, encodeFdRequest(fd.hostFd));
  ctx.mem.setU32(fdPtr, fd.fd);
  return Errno.SUCCESS;
}

/** Where no /proc/self/fd exists, the host path of a directory the guest opened; else unused. */
function realDirectoryPath(hostPath: string): string {
  return HELD_HANDLES ? '' : realpathSync(hostPath);
}

function pathReadlink(ctx: WasiContext, fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number): Errno {
  const target = atPath(ctx, fd, ptr, len, { follow: false }, (r) => readlinkSync(r.hostPath, 'buffer'));
  const n = Math.min(target.length, bufLen);
  ctx.mem.write(buf, target.subarray(0, n));
  ctx.mem.setU32(usedPtr, n);
  return Errno.SUCCESS;
}

function pathSymlink(ctx: WasiContext, oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number): Errno {
  const target = decodeGuestPath(ctx.mem.bytes(oldPtr, oldLen));
  // A link to an absolute path could never be followed inside the sandbox; wasmtime refuses it.
  check(!target.startsWith('/'), Errno.PERM);
  atPath(ctx, fd, newPtr, newLen, { follow: false, dotFinal: Errno.EXIST }, (r) => symlinkSync(target, r.hostPath));
  return Errno.SUCCESS;
}

/** Both ends of a rename or link, each resolved in its own directory fd and held during `op`. */
function twoPaths(ctx: WasiContext, oldFd: number, oldPtr: number, oldLen: number, oldOpts: ResolveOptions,
  newFd: number, newPtr: number, newLen: number, newOpts: ResolveOptions, op: (from: string, to: string) => void): void {
  atPath(ctx, oldFd, oldPtr, oldLen, oldOpts, (from) => atPath(ctx, newFd, newPtr, newLen, newOpts, (to) => op(from.hostPath, to.hostPath)));
}

export function pathImports(ctx: WasiContext) {
  return {
    path_open: (dirfd: number, dirflags: number, ptr: number, len: number, oflags: number, base: bigint,
      _inheriting: bigint, fdflags: number, fdPtr: number) =>
      pathOpen(ctx, dirfd, dirflags, ptr, len, oflags, base, fdflags, fdPtr),
    path_create_directory(fd: number, ptr: number, len: number): Errno {
      atPath(ctx, fd, ptr, len, { follow: false, dotFinal: Errno.EXIST }, (r) => mkdirSync(r.hostPath, CREATE_DIR_MODE));
      return Errno.SUCCESS;
    },
    // Linux's answers for a last `.`/`..`: rmdir EINVAL, unlink EISDIR, rename EBUSY. So neither a
    // preopened directory nor one the guest holds can be removed or moved through itself.
    path_remove_directory(fd: number, ptr: number, len: number): Errno {
      atPath(ctx, fd, ptr, len, { follow: false, dotFinal: Errno.INVAL }, (r) => rmdirSync(r.hostPath));
      return Errno.SUCCESS;
    },
    path_unlink_file(fd: number, ptr: number, len: number): Errno {
      atPath(ctx, fd, ptr, len, { follow: false, dotFinal: Errno.ISDIR }, (r) => unlinkSync(r.hostPath));
      return Errno.SUCCESS;
    },
    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number): Errno {
      // lstat: a symlink to follow was already followed by the walk.
      writeFilestat(ctx.mem, buf, atPath(ctx, fd, ptr, len, { follow: follows(flags) }, (r) => lstatSync(r.hostPath, { bigint: true })));
      return Errno.SUCCESS;
    },
    path_filestat_set_times(fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number): Errno {
      atPath(ctx, fd, ptr, len, { follow: follows(flags) }, (r) => {
        const [a, m] = timesToSet(atim, mtim, fst, lstatSync(r.hostPath, { bigint: true }));
        lutimesSync(r.hostPath, a, m);
      });
      return Errno.SUCCESS;
    },
    path_link(oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): Errno {
      // link(2) on Linux does not follow a symlink in its source; SYMLINK_FOLLOW was done by the walk.
      twoPaths(ctx, oldFd, oldPtr, oldLen, { follow: follows(oldFlags) }, newFd, newPtr, newLen,
        { follow: false, dotFinal: Errno.EXIST }, (from, to) => linkSync(from, to));
      return Errno.SUCCESS;
    },
    path_rename(fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number): Errno {
      twoPaths(ctx, fd, oldPtr, oldLen, { follow: false, dotFinal: Errno.BUSY }, newFd, newPtr, newLen,
        { follow: false, dotFinal: Errno.BUSY }, (from, to) => renameSync(from, to));
      return Errno.SUCCESS;
    },
    path_readlink: (fd: number, ptr: number, len: number, buf: number, bufLen: number, used: number) =>
      pathReadlink(ctx, fd, ptr, len, buf, bufLen, used),
    path_symlink: (oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) =>
      pathSymlink(ctx, oldPtr, oldLen, fd, newPtr, newLen),
  };
}
