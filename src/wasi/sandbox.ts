// Path resolution inside a directory capability (a preopen, or a directory opened below one).
//
// Node has no `openat`. On Linux, `/proc/self/fd/N/name` is the same thing: the kernel resolves
// `/proc/self/fd/N` to the very directory fd N holds (not to a path string), then looks `name` up
// inside it. So a guest path is walked here one component at a time, each step relative to a
// directory *handle* the walk holds open:
// - the walk starts from the directory fd itself; its caller keeps that fd open throughout
//   (`FdTable.pinned`), so a guest thread that closes it meanwhile cannot make it name another file;
// - each intermediate component is opened with O_PATH | O_DIRECTORY | O_NOFOLLOW: a symlink is
//   never followed by the kernel; the walk reads it (relative to the held parent) and splices its
//   target into the remaining components — an absolute target is refused, a relative one resolved
//   by the same rules, at most MAX_SYMLINKS of them;
// - `..` drops back to the handle below; above the start it is an escape;
// - the operation itself names its target as `/proc/self/fd/PARENT/last`, relative to the held
//   parent: a rename or a symlink swapped in anywhere between the check and the use cannot redirect
//   it. The last component is followed only when asked (SYMLINK_FOLLOW), and then by the walk; the
//   operation never follows it (O_NOFOLLOW, lstat, lutimes, link without follow).
// Escapes fail with EPERM, the errno wasmtime gives (WASI filesystem: "not-permitted").
// A last component `.` or `..` names a directory the walk holds: destructive operations on it fail
// as Linux fails them (rmdir EINVAL/ENOTEMPTY, rename EBUSY, unlink EISDIR, create EEXIST), so the
// preopened directory itself can be neither removed nor moved through the guest.
//
// Where there is no /proc/self/fd (macOS, the BSDs), handles are named by host path strings instead,
// and the directory fd's path is checked to still be that directory: a guest (or another process)
// that renames directories while paths are resolved can win that race there (README, "sandbox").

import { closeSync, existsSync, fstatSync, lstatSync, openSync, readlinkSync, statSync } from 'node:fs';
import { Errno, errnoFromHostError, WasiError } from './errno.js';

/** Symlinks followed in one resolution before ELOOP (Linux's MAXSYMLINKS). */
const MAX_SYMLINKS = 40;
/** Linux open(2) flags Node does not export (the same value on every Linux architecture). */
const O_PATH = 0o10000000;
const O_DIRECTORY = 0o200000;
const O_NOFOLLOW = 0o400000;
const O_CLOEXEC = 0o2000000;

/** Linux: directory handles are named through /proc/self/fd. */
export const HELD_HANDLES = process.platform === 'linux' && existsSync('/proc/self/fd');
const OPEN_DIR = HELD_HANDLES ? O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC : 0;

/** What a last component `.` or `..` means to the operation (see the file comment). */
export const enum DotFinal {
  /** The operation uses the directory itself (open, stat, utimes, readlink, link source). */
  USE,
  /** The operation would remove, move or create that name: it fails with this errno. */
  REFUSE,
}

export interface ResolveOptions {
  /** Follow a symlink in the last component (SYMLINK_FOLLOW). */
  follow: boolean;
  /** Errno for a last component `.`/`..` (destructive operations); undefined: use the directory. */
  dotFinal?: Errno;
}

/** A resolved guest path; `release()` closes the handles the walk opened. */
export interface Resolved {
  /** The host path naming the target through the held parent: `/proc/self/fd/P/last`. */
  hostPath: string;
  /** The guest path ended in `/`, `.` or `..`: the target must be a directory. */
  mustBeDirectory: boolean;
  /** lstat of the target when the walk made one (undefined: not looked at, or it does not exist). */
  stat?: ReturnType<typeof lstatSync>;
  release(): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a guest path: invalid UTF-8 is EILSEQ, an embedded NUL is EINVAL. */
export function decodeGuestPath(bytes: Uint8Array): string {
  let s: string;
  try {
    s = utf8.decode(bytes.slice());
  } catch {
    throw new WasiError(Errno.ILSEQ);
  }
  if (s.includes('\0')) throw new WasiError(Errno.INVAL);
  return s;
}

function hostErrno(err: unknown): never {
  const errno = errnoFromHostError(err);
  if (errno === undefined) throw err;
  throw new WasiError(errno);
}

function lstatOrMissing(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    hostErrno(err);
  }
}

/** A directory the walk holds: its fd (closed by the walk if `owned`) and the name to use it by. */
interface Handle {
  fd: number;
  name: string;
  owned: boolean;
}

/**
 * The walk's first handle: the directory behind table entry (`hostFd`, `path`), which the caller
 * keeps open (pinned) until the walk is released. Where there is no /proc/self/fd, the path must
 * still name the directory the fd holds (same device and inode), else EPERM.
 */
function startHandle(hostFd: number, path: string): Handle {
  if (!HELD_HANDLES) {
    try {
      const held = fstatSync(hostFd, { bigint: true });
      const now = statSync(path, { bigint: true });
      if (held.dev !== now.dev || held.ino !== now.ino) throw new WasiError(Errno.PERM);
    } catch (err) {
      hostErrno(err);
    }
    return { fd: hostFd, name: path, owned: false };
  }
  return { fd: hostFd, name: `/proc/self/fd/${hostFd}`, owned: false };
}

/**
 * The name that reaches directory fd `hostFd` itself (`/proc/self/fd/N`, or its checked host path
 * where there is none), for listing it; the caller keeps the fd open (pinned) while using it.
 */
export function heldDirectoryName(hostFd: number, path: string): string {
  return startHandle(hostFd, path).name;
}

/** Opens directory `c` below `parent` without following a symlink; undefined if `c` is not one. */
function openChildDirectory(parent: Handle, c: string): Handle | undefined {
  const path = `${parent.name}/${c}`;
  if (!HELD_HANDLES) {
    const st = lstatOrMissing(path);
    return st?.isDirectory() ? { fd: -1, name: path, owned: false } : undefined;
  }
  try {
    const fd = openSync(path, OPEN_DIR);
    return { fd, name: `/proc/self/fd/${fd}`, owned: true };
  } catch (err) {
    const code = (err as { code?: string }).code;
    // ENOTDIR/ELOOP: a file or a symlink (O_NOFOLLOW); ENOENT: missing. The caller looks closer.
    if (code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENOENT') return undefined;
    hostErrno(err);
  }
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * Resolves `guestPath` inside the directory whose first handle is `start` (see the file comment).
 * The caller performs its operation on `hostPath`, then calls `release()`.
 */
function resolveFrom(start: Handle, guestPath: string, opts: ResolveOptions): Resolved {
  const handles: Handle[] = [start];
  const release = (): void => {
    for (const h of handles) if (h.owned) closeSync(h.fd);
    handles.length = 0;
  };
  try {
    return walk(handles, guestPath, opts, release);
  } catch (err) {
    release();
    throw err;
  }
}

function walk(handles: Handle[], guestPath: string, opts: ResolveOptions, release: () => void): Resolved {
  if (guestPath === '') throw new WasiError(Errno.NOENT);
  if (guestPath.startsWith('/')) throw new WasiError(Errno.PERM);
  const mustBeDirectory = /(^|\/)\.{1,2}\/*$/.test(guestPath) || guestPath.endsWith('/');
  const lastIsDots = /(^|\/)\.{1,2}\/*$/.test(guestPath);
  // A trailing slash stays on a name the operation creates or removes, so the kernel applies its
  // rules for it (link/symlink to "name/" fail, mkdir/rmdir "name/" work).
  const slash = guestPath.endsWith('/') ? '/' : '';
  const work = components(guestPath).reverse(); // a stack: next component on top
  const top = (): Handle => handles[handles.length - 1]!;
  const self = (): Resolved => {
    if (opts.dotFinal !== undefined) throw new WasiError(opts.dotFinal);
    // `name/.`, not the handle's own name: /proc/self/fd/N is a symlink to lstat and O_NOFOLLOW.
    return { hostPath: `${top().name}/.`, mustBeDirectory: true, release };
  };
  let links = 0;
  if (work.length === 0) return self();
  while (work.length > 0) {
    const c = work.pop()!;
    const isFinal = work.length === 0;
    if (c === '..') {
      if (handles.length === 1) throw new WasiError(Errno.PERM);
      const h = handles.pop()!;
      if (h.owned) closeSync(h.fd);
      if (isFinal) return self();
      continue;
    }
    const followThis = !isFinal || opts.follow || mustBeDirectory;
    if (isFinal && !followThis) return { hostPath: `${top().name}/${c}`, mustBeDirectory, release };
    if (!isFinal || mustBeDirectory) {
      const dir = openChildDirectory(top(), c);
      if (dir) {
        handles.push(dir);
        if (isFinal) {
          // "name/" or a path ending in a symlink to a directory: the target is the held directory.
          if (lastIsDots) return self();
          if (opts.dotFinal === undefined) return { hostPath: `${dir.name}/.`, mustBeDirectory, release };
          handles.pop();
          if (dir.owned) closeSync(dir.fd);
          return { hostPath: `${top().name}/${c}${slash}`, mustBeDirectory, release };
        }
        continue;
      }
    }
    const path = `${top().name}/${c}`;
    const st = lstatOrMissing(path);
    if (st === undefined) {
      if (!isFinal) throw new WasiError(Errno.NOENT);
      return { hostPath: path + slash, mustBeDirectory, release };
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
      let target: string;
      try {
        target = readlinkSync(path, 'utf8');
      } catch (err) {
        hostErrno(err);
      }
      if (target.startsWith('/')) throw new WasiError(Errno.PERM);
      work.push(...components(target).reverse());
      if (work.length === 0) return self(); // the link pointed at "." itself
      continue;
    }
    if (!isFinal) {
      if (!st.isDirectory()) throw new WasiError(Errno.NOTDIR);
      // It became a directory between the two looks: look again (bounded like symlinks).
      if (++links > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
      work.push(c);
      continue;
    }
    if (mustBeDirectory && !st.isDirectory()) throw new WasiError(Errno.NOTDIR);
    return { hostPath: path, mustBeDirectory, stat: st, release };
  }
  return self();
}

/**
 * Resolves `guestPath` inside directory (`hostFd`, `path`), runs `op` on the result, releases. The
 * caller keeps `hostFd` open meanwhile (`FdTable.pinned`).
 */
export function withResolved<T>(hostFd: number, dirPath: string, guestPath: string, opts: ResolveOptions, op: (r: Resolved) => T): T {
  const r = resolveFrom(startHandle(hostFd, dirPath), guestPath, opts);
  try {
    return op(r);
  } finally {
    r.release();
  }
}
