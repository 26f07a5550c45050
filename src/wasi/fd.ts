// fd_* syscalls. They run in the calling thread's worker on host fds (OS fds are process-wide),
// against the shared fd table. Files opened by path_open use positional I/O with the offset kept
// in the table, moved under the entry's lock, so threads share offsets as POSIX threads do. Stdio
// uses the kernel position. Reads that could block forever (stdin, FIFOs, ttys) go to the
// supervisor's read service; writes to stdout/stderr retry on EAGAIN (a pipe that Node made
// non-blocking) and are issued as one `write` per call so lines stay whole.

import { closeSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, futimesSync, lstatSync,
  readdirSync, readSync, writeSync } from 'node:fs';
import { Advice, Dirent, Fdflags, Fdstat, Filetype, Prestat, Whence } from './abi.js';
import type { WasiContext } from './context.js';
import { check, Errno, WasiError } from './errno.js';
import { EntryFlags, FdKind, type FdEntry } from './fd-table.js';
import { filetypeOf, timesToSet, writeFilestat } from './filestat.js';
import { encodeFdRequest, encodeReadRequest, encodeWriteRequest, ServiceOp } from './stdio-service.js';
import { heldDirectoryName } from './sandbox.js';
import { WASI_PLUGIN_NAME } from './context.js';

/** Backoff between retries of a write that hit EAGAIN, in ms. */
const EAGAIN_BACKOFF_MS = 1;
/** Host fds below this are the process's own stdio: a guest `fd_close` never closes them. */
const FIRST_NON_STDIO_HOST_FD = 3;
const FDFLAGS_SETTABLE = Fdflags.APPEND | Fdflags.NONBLOCK;

function isAgain(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EAGAIN';
}

/** Writes all of `data` to a stream fd at the kernel position, retrying partial writes and EAGAIN. */
function writeStream(ctx: WasiContext, hostFd: number, data: Uint8Array): number {
  let done = 0;
  while (done < data.length) {
    try {
      done += writeSync(hostFd, data, done, data.length - done, null);
    } catch (err) {
      if (!isAgain(err)) throw err;
      if (!ctx.host.sleep(EAGAIN_BACKOFF_MS)) break;
    }
  }
  return done;
}

/**
 * The guest's iovecs as one byte range, so one call becomes one host `write`. A single iovec is
 * written straight from guest memory (no copy: as with a native write, a thread that changes the
 * bytes meanwhile races with itself); several are copied once into one buffer.
 */
function gather(ctx: WasiContext, iovsPtr: number, iovsLen: number): Uint8Array {
  const iovs = ctx.mem.iovecs(iovsPtr, iovsLen);
  if (iovs.length === 1) return ctx.mem.bytes(iovs[0][0], iovs[0][1]);
  let total = 0;
  for (const [, len] of iovs) total += len;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const [buf, len] of iovs) {
    out.set(ctx.mem.bytes(buf, len), at);
    at += len;
  }
  return out;
}

/** Reads into the guest's iovecs from `pos` (or the kernel position if null); stops on a short read. */
function scatterRead(ctx: WasiContext, hostFd: number, iovsPtr: number, iovsLen: number, pos: bigint | null): number {
  let total = 0;
  for (const [buf, len] of ctx.mem.iovecs(iovsPtr, iovsLen)) {
    if (len === 0) continue;
    const n = readSync(hostFd, ctx.mem.bytes(buf, len), 0, len, pos === null ? null : pos + BigInt(total));
    total += n;
    if (n < len) break;
  }
  return total;
}

/** A read served by the supervisor (blocking fds): waits interruptibly, then scatters the answer. */
function servedRead(ctx: WasiContext, entry: FdEntry, iovsPtr: number, iovsLen: number): number {
  const iovs = ctx.mem.iovecs(iovsPtr, iovsLen);
  const want = iovs.reduce((n, [, len]) => n + len, 0);
  if (want === 0) return 0;
  const answer = ctx.host.callSupervisor(WASI_PLUGIN_NAME, ServiceOp.READ, encodeReadRequest(entry.hostFd, want));
  if (answer.status !== Errno.SUCCESS) throw new WasiError(answer.status);
  let at = 0;
  for (const [buf, len] of iovs) {
    const piece = answer.data.subarray(at, at + len);
    ctx.mem.write(buf, piece);
    at += piece.length;
    if (at >= answer.data.length) break;
  }
  return answer.data.length;
}

function fileEntry(ctx: WasiContext, fd: number): FdEntry {
  const e = ctx.table.get(fd);
  if (e.kind === FdKind.DIRECTORY) throw new WasiError(Errno.ISDIR);
  return e;
}

/**
 * Closes an entry's host fd. A FIFO or tty the supervisor reads is detached from its read service
 * first, so the service's own descriptor goes too (writers then see the reader gone) and a later
 * file that reuses the host fd number never meets the old buffer.
 */
function closeHostFd(ctx: WasiContext, entry: FdEntry): void {
  if (entry.hostFd < FIRST_NON_STDIO_HOST_FD) return;
  if (entry.flags & EntryFlags.SERVED_READS) {
    ctx.host.callSupervisor(WASI_PLUGIN_NAME, ServiceOp.DETACH, encodeFdRequest(entry.hostFd));
  }
  closeSync(entry.hostFd);
}

function fdRead(ctx: WasiContext, fd: number, iovsPtr: number, iovsLen: number, nreadPtr: number): Errno {
  const e = fileEntry(ctx, fd);
  let n: number;
  if (e.flags & EntryFlags.SERVED_READS) n = servedRead(ctx, e, iovsPtr, iovsLen);
  else if (e.kind === FdKind.STREAM) n = scatterRead(ctx, e.hostFd, iovsPtr, iovsLen, null);
  else {
    n = ctx.table.withEntryLock(fd, () => {
      const got = scatterRead(ctx, e.hostFd, iovsPtr, iovsLen, ctx.table.offset(fd));
      ctx.table.setOffset(fd, ctx.table.offset(fd) + BigInt(got));
      return got;
    });
  }
  ctx.mem.setU32(nreadPtr, n);
  return Errno.SUCCESS;
}

/** Bytes of guest output per request to the supervisor (its channel holds 64 KiB with the header). */
const SERVED_WRITE_CHUNK = 60 * 1024;

/**
 * A write to captured stdout/stderr: handed to the embedder's sink by the supervisor. A write larger
 * than one request goes in several, under the fd's lock, so no other thread's write lands between.
 */
function servedWrite(ctx: WasiContext, fd: number, data: Uint8Array): number {
  const send = (part: Uint8Array): void => {
    const a = ctx.host.callSupervisor(WASI_PLUGIN_NAME, ServiceOp.WRITE, encodeWriteRequest(fd, part));
    if (a.status !== Errno.SUCCESS) throw new WasiError(a.status);
  };
  // Every served write holds the lock, so a small write cannot land between a large one's requests.
  ctx.table.withEntryLock(fd, () => {
    for (let at = 0; at === 0 || at < data.length; at += SERVED_WRITE_CHUNK) send(data.subarray(at, at + SERVED_WRITE_CHUNK));
  });
  return data.length;
}

function fdWrite(ctx: WasiContext, fd: number, iovsPtr: number, iovsLen: number, nwrittenPtr: number): Errno {
  const e = ctx.table.get(fd);
  check(e.kind !== FdKind.DIRECTORY, Errno.BADF);
  const data = gather(ctx, iovsPtr, iovsLen);
  let n: number;
  if (e.flags & EntryFlags.SERVED_WRITES) n = servedWrite(ctx, fd, data);
  else if (e.kind === FdKind.STREAM) n = writeStream(ctx, e.hostFd, data);
  else {
    n = ctx.table.withEntryLock(fd, () => {
      const pos = e.fdflags & Fdflags.APPEND ? fstatSync(e.hostFd, { bigint: true }).size : ctx.table.offset(fd);
      const wrote = data.length === 0 ? 0 : writeSync(e.hostFd, data, 0, data.length, Number(pos));
      ctx.table.setOffset(fd, pos + BigInt(wrote));
      return wrote;
    });
  }
  ctx.mem.setU32(nwrittenPtr, n);
  return Errno.SUCCESS;
}

function positional(ctx: WasiContext, fd: number): FdEntry {
  const e = fileEntry(ctx, fd);
  check(e.kind === FdKind.FILE, Errno.SPIPE);
  return e;
}

function fdSeek(ctx: WasiContext, fd: number, delta: bigint, whence: number, newoffPtr: number): Errno {
  const e = ctx.table.get(fd);
  check(e.kind !== FdKind.DIRECTORY, Errno.BADF);
  check(e.kind === FdKind.FILE, Errno.SPIPE);
  const next = ctx.table.withEntryLock(fd, () => {
    let base: bigint;
    if (whence === Whence.SET) base = 0n;
    else if (whence === Whence.CUR) base = ctx.table.offset(fd);
    else if (whence === Whence.END) base = fstatSync(e.hostFd, { bigint: true }).size;
    else throw new WasiError(Errno.INVAL);
    const off = base + delta;
    check(off >= 0n, Errno.INVAL);
    ctx.table.setOffset(fd, off);
    return off;
  });
  ctx.mem.setU64(newoffPtr, next);
  return Errno.SUCCESS;
}

/** One directory listing entry as fd_readdir reports it. */
interface Listed { name: Buffer; ino: bigint; type: Filetype }

/**
 * `.` and `..` first (as wasmtime lists them), then the host's entries in the host's order. `path`
 * names the directory through its held fd (`/proc/self/fd/N` on Linux, sandbox.ts), never by a
 * host path that a rename could have pointed elsewhere.
 */
function listDirectory(path: string): Listed[] {
  const entry = (name: string, p: string): Listed => {
    try {
      const st = lstatSync(p, { bigint: true });
      return { name: Buffer.from(name, 'utf8'), ino: st.ino, type: filetypeOf(st) };
    } catch {
      return { name: Buffer.from(name, 'utf8'), ino: 0n, type: Filetype.UNKNOWN }; // removed meanwhile
    }
  };
  const names = readdirSync(`${path}/.`);
  return [entry('.', `${path}/.`), entry('..', `${path}/..`), ...names.map((n) => entry(n, `${path}/${n}`))];
}

/**
 * fd_readdir: cookie n means "start at entry n" of a fresh listing (stateless, so any thread may
 * continue another's scan). Entries are packed header+name; the last may be cut at `bufLen`, which
 * tells libc to call again with a bigger buffer.
 */
function fdReaddir(ctx: WasiContext, fd: number, buf: number, bufLen: number, cookie: bigint, bufusedPtr: number): Errno {
  const list = ctx.table.pinned(fd, (e) => {
    check(e.kind === FdKind.DIRECTORY, Errno.NOTDIR);
    return listDirectory(heldDirectoryName(e.hostFd, e.path));
  });
  // Never more than the entries from `cookie` on take: `bufLen` is the guest's word (up to 4 GiB).
  const first = Number(cookie);
  let total = 0;
  for (let i = first; i < list.length && total < bufLen; i++) total += Dirent.SIZE + list[i]!.name.length;
  const out = Buffer.alloc(Math.min(bufLen, total));
  let used = 0;
  for (let i = first; i < list.length && used < bufLen; i++) {
    const item = list[i]!;
    const rec = Buffer.alloc(Dirent.SIZE + item.name.length);
    rec.writeBigUInt64LE(BigInt(i + 1), Dirent.d_next);
    rec.writeBigUInt64LE(item.ino, Dirent.d_ino);
    rec.writeUInt32LE(item.name.length, Dirent.d_namlen);
    rec.writeUInt8(item.type, Dirent.d_type);
    item.name.copy(rec, Dirent.SIZE);
    used += rec.copy(out, used, 0, Math.min(rec.length, bufLen - used));
  }
  ctx.mem.write(buf, out.subarray(0, used));
  ctx.mem.setU32(bufusedPtr, used);
  return Errno.SUCCESS;
}

function fdFdstatGet(ctx: WasiContext, fd: number, ptr: number): Errno {
  const e = ctx.table.get(fd);
  ctx.mem.zero(ptr, Fdstat.SIZE);
  ctx.mem.setU8(ptr + Fdstat.fs_filetype, e.filetype);
  ctx.mem.setU16(ptr + Fdstat.fs_flags, e.fdflags);
  ctx.mem.setU64(ptr + Fdstat.fs_rights_base, e.rightsBase);
  ctx.mem.setU64(ptr + Fdstat.fs_rights_inheriting, e.rightsInheriting);
  return Errno.SUCCESS;
}

function fdPrestatGet(ctx: WasiContext, fd: number, ptr: number): Errno {
  const e = ctx.table.get(fd);
  check(e.preopen >= 0, Errno.BADF);
  ctx.mem.setU32(ptr + Prestat.tag, Prestat.TAG_DIR); // tag is a u8; the u32 store zeroes the padding
  ctx.mem.setU32(ptr + Prestat.pr_name_len, Buffer.byteLength(ctx.shared.preopenNames[e.preopen]!, 'utf8'));
  return Errno.SUCCESS;
}

function fdPrestatDirName(ctx: WasiContext, fd: number, pathPtr: number, pathLen: number): Errno {
  const e = ctx.table.get(fd);
  check(e.preopen >= 0, Errno.BADF);
  const name = Buffer.from(ctx.shared.preopenNames[e.preopen]!, 'utf8');
  check(pathLen >= name.length, Errno.NAMETOOLONG);
  ctx.mem.write(pathPtr, name);
  return Errno.SUCCESS;
}

export function fdImports(ctx: WasiContext) {
  const t = ctx.table;
  return {
    fd_read: (fd: number, iovs: number, n: number, out: number) => fdRead(ctx, fd, iovs, n, out),
    fd_write: (fd: number, iovs: number, n: number, out: number) => fdWrite(ctx, fd, iovs, n, out),
    fd_pread(fd: number, iovs: number, n: number, offset: bigint, out: number): Errno {
      const e = positional(ctx, fd);
      ctx.mem.setU32(out, scatterRead(ctx, e.hostFd, iovs, n, BigInt.asUintN(64, offset)));
      return Errno.SUCCESS;
    },
    fd_pwrite(fd: number, iovs: number, n: number, offset: bigint, out: number): Errno {
      const e = positional(ctx, fd);
      const data = gather(ctx, iovs, n);
      ctx.mem.setU32(out, data.length === 0 ? 0 : writeSync(e.hostFd, data, 0, data.length, Number(BigInt.asUintN(64, offset))));
      return Errno.SUCCESS;
    },
    fd_seek: (fd: number, delta: bigint, whence: number, out: number) => fdSeek(ctx, fd, delta, whence, out),
    fd_tell(fd: number, out: number): Errno {
      positional(ctx, fd);
      ctx.mem.setU64(out, t.offset(fd));
      return Errno.SUCCESS;
    },
    fd_close(fd: number): Errno {
      const entry = t.remove(fd);
      t.awaitUnpinned(fd);
      closeHostFd(ctx, entry);
      return Errno.SUCCESS;
    },
    fd_renumber(from: number, to: number): Errno {
      const replaced = t.renumber(from, to);
      if (from === to) return Errno.SUCCESS;
      t.awaitUnpinned(to);
      closeHostFd(ctx, replaced);
      return Errno.SUCCESS;
    },
    fd_readdir: (fd: number, buf: number, len: number, cookie: bigint, out: number) => fdReaddir(ctx, fd, buf, len, cookie, out),
    fd_fdstat_get: (fd: number, ptr: number) => fdFdstatGet(ctx, fd, ptr),
    fd_fdstat_set_flags(fd: number, flags: number): Errno {
      check((flags & ~FDFLAGS_SETTABLE) === 0, Errno.NOTSUP);
      t.setFdflags(fd, flags);
      return Errno.SUCCESS;
    },
    // Rights are advisory (abi.ts): as wasmtime, narrowing them is not supported.
    fd_fdstat_set_rights(fd: number): Errno {
      t.get(fd);
      return Errno.NOTSUP;
    },
    fd_filestat_get(fd: number, ptr: number): Errno {
      writeFilestat(ctx.mem, ptr, fstatSync(t.get(fd).hostFd, { bigint: true }));
      return Errno.SUCCESS;
    },
    fd_filestat_set_size(fd: number, size: bigint): Errno {
      ftruncateSync(positional(ctx, fd).hostFd, Number(BigInt.asUintN(64, size)));
      return Errno.SUCCESS;
    },
    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, fst: number): Errno {
      const e = t.get(fd);
      const [a, m] = timesToSet(atim, mtim, fst, fstatSync(e.hostFd, { bigint: true }));
      futimesSync(e.hostFd, a, m);
      return Errno.SUCCESS;
    },
    fd_advise(fd: number, _offset: bigint, _len: bigint, advice: number): Errno {
      fileEntry(ctx, fd);
      check(advice >= Advice.NORMAL && advice <= Advice.NOREUSE, Errno.INVAL);
      return Errno.SUCCESS; // advice only; Node has no posix_fadvise
    },
    fd_allocate(fd: number, offset: bigint, len: bigint): Errno {
      const e = positional(ctx, fd);
      const end = BigInt.asUintN(64, offset) + BigInt.asUintN(64, len);
      if (fstatSync(e.hostFd, { bigint: true }).size < end) ftruncateSync(e.hostFd, Number(end));
      return Errno.SUCCESS;
    },
    fd_datasync(fd: number): Errno {
      fdatasyncSync(t.get(fd).hostFd);
      return Errno.SUCCESS;
    },
    fd_sync(fd: number): Errno {
      fsyncSync(t.get(fd).hostFd);
      return Errno.SUCCESS;
    },
    fd_prestat_get: (fd: number, ptr: number) => fdPrestatGet(ctx, fd, ptr),
    fd_prestat_dir_name: (fd: number, ptr: number, len: number) => fdPrestatDirName(ctx, fd, ptr, len),
  };
}
