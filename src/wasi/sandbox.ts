// Path resolution inside a directory capability (a preopen, or a directory opened below one).
// Node has no `openat`, so a guest path is resolved here component by component against the
// directory's host path, following symlinks ourselves:
// - absolute paths are refused;
// - `..` may climb back up inside the directory, never above it;
// - a symlink is read and its target spliced into the remaining components: an absolute target
//   is refused, a relative one is resolved by the same rules (so chains are checked link by link);
// - every intermediate component must be a real directory (checked with lstat);
// - the last component is followed only when the caller asks (SYMLINK_FOLLOW); the syscall then
//   opens it with O_NOFOLLOW, so a symlink swapped in after the check fails with ELOOP.
// Escapes fail with EPERM, the errno wasmtime gives (WASI filesystem: "not-permitted").
// What this does not promise: another host process that swaps an intermediate directory for a
// symlink between our check and the operation can win that race (README, section wasi).

import { lstatSync, readlinkSync } from 'node:fs';
import { Errno, errnoFromHostError, WasiError } from './errno.js';

/** Symlinks followed in one resolution before ELOOP (Linux's MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

export interface Resolved {
  /** The host path to operate on; all but its last component are real directories. */
  hostPath: string;
  /** The guest path ended in `/` (or `.`/`..`): the target must be a directory. */
  mustBeDirectory: boolean;
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

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

function lstatOrMissing(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw new WasiError(errnoFromHostError(err) ?? Errno.IO);
  }
}

/** Resolves `guestPath` relative to the directory at host path `root` (see the file comment). */
export function resolveInside(root: string, guestPath: string, followFinal: boolean): Resolved {
  if (guestPath === '') throw new WasiError(Errno.NOENT);
  if (guestPath.startsWith('/')) throw new WasiError(Errno.PERM);
  const mustBeDirectory = /(^|\/)\.{0,2}\/*$/.test(guestPath) || guestPath.endsWith('/');
  const work = components(guestPath).reverse(); // a stack: next component on top
  const stack: string[] = [];
  let links = 0;
  while (work.length > 0) {
    const c = work.pop()!;
    if (c === '..') {
      if (stack.length === 0) throw new WasiError(Errno.PERM);
      stack.pop();
      continue;
    }
    const isFinal = work.length === 0;
    if (isFinal && !followFinal && !mustBeDirectory) {
      stack.push(c);
      break;
    }
    const host = [root, ...stack, c].join('/');
    const st = lstatOrMissing(host);
    if (st === undefined) {
      if (!isFinal) throw new WasiError(Errno.NOENT);
      stack.push(c);
      break;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw new WasiError(Errno.LOOP);
      const target = readlinkSync(host, 'utf8');
      if (target.startsWith('/')) throw new WasiError(Errno.PERM);
      work.push(...components(target).reverse());
      continue;
    }
    if (!isFinal && !st.isDirectory()) throw new WasiError(Errno.NOTDIR);
    stack.push(c);
  }
  const hostPath = [root, ...stack].join('/') + (mustBeDirectory && stack.length > 0 ? '/' : '');
  return { hostPath, mustBeDirectory };
}
