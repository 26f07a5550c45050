// The one table of WASI preview1 struct layouts (byte offsets and sizes, little-endian, wasm32) and
// flag/enum values. Syscalls read and write guest structs only through these names.
// Spec: https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/witx/typenames.witx
// (offsets as wasi-libc's `wasi/api.h` asserts them with `_Static_assert(offsetof(...))`).

/** `iovec` / `ciovec`: a guest buffer. */
export const Iovec = { SIZE: 8, buf: 0, buf_len: 4 } as const;

/** `fdstat` (24 bytes). */
export const Fdstat = { SIZE: 24, fs_filetype: 0, fs_flags: 2, fs_rights_base: 8, fs_rights_inheriting: 16 } as const;

/** `filestat` (64 bytes). */
export const Filestat = {
  SIZE: 64, dev: 0, ino: 8, filetype: 16, nlink: 24, size: 32, atim: 40, mtim: 48, ctim: 56,
} as const;

/** `prestat` (8 bytes): tag 0 = directory, then `prestat_dir.pr_name_len`. */
export const Prestat = { SIZE: 8, tag: 0, pr_name_len: 4, TAG_DIR: 0 } as const;

/** `dirent` header (24 bytes), followed by `d_namlen` bytes of name (no NUL). */
export const Dirent = { SIZE: 24, d_next: 0, d_ino: 8, d_namlen: 16, d_type: 20 } as const;

/** `subscription` (48 bytes): userdata, then a tagged union at offset 8 whose payload is at 16. */
export const Subscription = {
  SIZE: 48, userdata: 0, tag: 8,
  clock_id: 16, clock_timeout: 24, clock_precision: 32, clock_flags: 40,
  fd_readwrite_fd: 16,
} as const;

/** `event` (32 bytes). */
export const Event = { SIZE: 32, userdata: 0, error: 8, type: 10, fd_readwrite_nbytes: 16, fd_readwrite_flags: 24 } as const;

export enum Filetype {
  UNKNOWN = 0, BLOCK_DEVICE = 1, CHARACTER_DEVICE = 2, DIRECTORY = 3, REGULAR_FILE = 4,
  SOCKET_DGRAM = 5, SOCKET_STREAM = 6, SYMBOLIC_LINK = 7,
}

export const Fdflags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
export const Oflags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
export const Lookupflags = { SYMLINK_FOLLOW: 1 } as const;
export const Fstflags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
export const Subclockflags = { SUBSCRIPTION_CLOCK_ABSTIME: 1 } as const;
export const Eventrwflags = { FD_READWRITE_HANGUP: 1 } as const;

export enum Whence { SET = 0, CUR = 1, END = 2 }
export enum Clockid { REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME_ID = 2, THREAD_CPUTIME_ID = 3 }
export enum Eventtype { CLOCK = 0, FD_READ = 1, FD_WRITE = 2 }
export enum Advice { NORMAL = 0, SEQUENTIAL = 1, RANDOM = 2, WILLNEED = 3, DONTNEED = 4, NOREUSE = 5 }

/** `rights` bits, in spec order. */
export const Rights = {
  FD_DATASYNC: 1n << 0n, FD_READ: 1n << 1n, FD_SEEK: 1n << 2n, FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n, FD_TELL: 1n << 5n, FD_WRITE: 1n << 6n, FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n, PATH_CREATE_DIRECTORY: 1n << 9n, PATH_CREATE_FILE: 1n << 10n,
  PATH_LINK_SOURCE: 1n << 11n, PATH_LINK_TARGET: 1n << 12n, PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n, PATH_READLINK: 1n << 15n, PATH_RENAME_SOURCE: 1n << 16n,
  PATH_RENAME_TARGET: 1n << 17n, PATH_FILESTAT_GET: 1n << 18n, PATH_FILESTAT_SET_SIZE: 1n << 19n,
  PATH_FILESTAT_SET_TIMES: 1n << 20n, FD_FILESTAT_GET: 1n << 21n, FD_FILESTAT_SET_SIZE: 1n << 22n,
  FD_FILESTAT_SET_TIMES: 1n << 23n, PATH_SYMLINK: 1n << 24n, PATH_REMOVE_DIRECTORY: 1n << 25n,
  PATH_UNLINK_FILE: 1n << 26n, POLL_FD_READWRITE: 1n << 27n, SOCK_SHUTDOWN: 1n << 28n,
  SOCK_ACCEPT: 1n << 29n,
} as const;

/** Every right. */
export const ALL_RIGHTS = (1n << 30n) - 1n;

// Rights are advisory, as in wasmtime's preview1: `fd_fdstat_get` reports what the descriptor can
// do, `fd_fdstat_set_rights` is ENOTSUP, and reads and writes are allowed by how the host file
// was opened (read, write or both), not by rights bits. The sets below are wasmtime's
// (crates/wasi/src/p1.rs, fd_fdstat_get).

/** A preopened directory's base rights (wasmtime's "hard-coded set expected by many userlands"). */
export const PREOPEN_RIGHTS = Rights.PATH_CREATE_DIRECTORY | Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE |
  Rights.PATH_LINK_TARGET | Rights.PATH_OPEN | Rights.FD_READDIR | Rights.PATH_READLINK | Rights.PATH_RENAME_SOURCE |
  Rights.PATH_RENAME_TARGET | Rights.PATH_SYMLINK | Rights.PATH_REMOVE_DIRECTORY | Rights.PATH_UNLINK_FILE |
  Rights.PATH_FILESTAT_GET | Rights.PATH_FILESTAT_SET_TIMES | Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_TIMES;

/** A preopened directory's inheriting rights. */
export const PREOPEN_INHERITING = PREOPEN_RIGHTS | Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK |
  Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE |
  Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES | Rights.POLL_FD_READWRITE;

/** Rights of a descriptor opened by path_open (base = inheriting), from its type and open mode. */
export function openedRights(isDirectory: boolean, read: boolean, write: boolean): bigint {
  let r = ALL_RIGHTS;
  if (isDirectory) r &= ~(Rights.FD_SEEK | Rights.FD_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_SIZE);
  if (!read) r &= ~(Rights.FD_READ | Rights.FD_READDIR);
  if (!write) r &= ~Rights.FD_WRITE;
  return r;
}

/** Nanoseconds per millisecond, for clock conversions. */
export const NS_PER_MS = 1_000_000n;
