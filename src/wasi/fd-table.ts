// The one WASI fd table of a program, in a SharedArrayBuffer so that every thread (each its own
// worker and instance) sees the same descriptors: a file opened by one thread can be read, seeked
// and closed by another. Host fds are OS fds, valid in every worker of the process.
//
// Layout (one SharedArrayBuffer, `capacity` entries):
//   Int32 header[HEADER_WORDS]             table lock word, capacity
//   Int32 meta[capacity * META_WORDS]       per-entry words, see `Meta`
//   BigInt64 big[capacity * BIG_WORDS]      per-entry offset and rights, see `Big`
//   Uint8 paths[capacity * PATH_SLOT]       per-entry host path (UTF-8), for directories and files
// Mutations (allocate, close, renumber, flag changes) hold the table lock; reads of an entry are
// lock-free snapshots (using an fd while another thread closes it is a race in POSIX too). Reads and
// writes that move a file's offset hold the entry's own lock so offsets stay POSIX-like.

import { FutexMutex } from '../shared/mutex.js';
import { Filetype } from './abi.js';
import { Errno, WasiError } from './errno.js';

/** What kind of object an entry is; FREE entries are unused fds. */
export enum FdKind {
  FREE = 0,
  /** stdio: reads/writes use the kernel's own position (pipes, ttys, redirected files). */
  STREAM = 1,
  /** A file opened by `path_open`: the offset lives in the table and I/O is positional. */
  FILE = 2,
  DIRECTORY = 3,
}

/** Words of `meta` per entry. */
const Meta = {
  kind: 0,
  hostFd: 1,
  filetype: 2,
  fdflags: 3,
  /** Futex word serialising offset-moving I/O on this entry. */
  lock: 4,
  pathLength: 5,
  /** 1 + index into the preopen name list, or 0 if this is not a preopened directory. */
  preopen: 6,
  /** Bit set of `EntryFlags`. */
  flags: 7,
  /** Threads using this entry's host fd right now (`pin`); its close waits for them. */
  users: 8,
  /** Even, so the BigInt64 area after `meta` stays 8-byte aligned. */
  WORDS: 10,
} as const;

/** Words of `big` per entry. */
const Big = { offset: 0, rightsBase: 1, rightsInheriting: 2, WORDS: 3 } as const;

export const EntryFlags = {
  /** Reads may block without a timeout (stdin, FIFOs, ttys): the supervisor serves them. */
  SERVED_READS: 1,
  /** Writes go to an embedder's sink through the supervisor (captured stdout/stderr). */
  SERVED_WRITES: 2,
} as const;

const HEADER_WORDS = 2;
const HEADER_LOCK = 0;
const HEADER_CAPACITY = 1;
/** Longest host path an entry can hold (Linux PATH_MAX). */
export const PATH_SLOT = 4096;
/**
 * Guest fds a program can hold open at once. wasmtime's own limit is the host's (RLIMIT_NOFILE,
 * which Node raises to its hard limit at start-up), and programs that keep thousands of files
 * open work there. The table costs address space, not memory: a SharedArrayBuffer's pages are
 * zero until written, and only the entries in use are (16,384 entries: about 65 MiB reserved; a
 * program with a few fds open touches a few pages).
 */
export const DEFAULT_FD_CAPACITY = 16384;

export interface FdEntry {
  fd: number;
  kind: FdKind;
  hostFd: number;
  filetype: Filetype;
  fdflags: number;
  /** Host path of directories and files (empty for stdio). */
  path: string;
  /** Index into the preopen name list, or -1. */
  preopen: number;
  flags: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
}

export type NewFdEntry = Omit<FdEntry, 'fd'>;

export function createFdTableBuffer(capacity = DEFAULT_FD_CAPACITY): SharedArrayBuffer {
  const bytes = (HEADER_WORDS + capacity * Meta.WORDS) * 4 + capacity * Big.WORDS * 8 + capacity * PATH_SLOT;
  const sab = new SharedArrayBuffer(bytes);
  new Int32Array(sab, 0, HEADER_WORDS)[HEADER_CAPACITY] = capacity;
  return sab;
}

export class FdTable {
  private readonly header: Int32Array;
  private readonly meta: Int32Array;
  private readonly big: BigInt64Array;
  private readonly paths: Uint8Array;
  readonly capacity: number;
  private readonly tableLock: FutexMutex;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_WORDS);
    this.capacity = this.header[HEADER_CAPACITY]!;
    const metaBytes = this.capacity * Meta.WORDS * 4;
    this.meta = new Int32Array(buffer, HEADER_WORDS * 4, this.capacity * Meta.WORDS);
    const bigStart = HEADER_WORDS * 4 + metaBytes; // a multiple of 8: HEADER_WORDS and Meta.WORDS are even
    this.big = new BigInt64Array(buffer, bigStart, this.capacity * Big.WORDS);
    this.paths = new Uint8Array(buffer, bigStart + this.capacity * Big.WORDS * 8, this.capacity * PATH_SLOT);
    this.tableLock = new FutexMutex(this.header, HEADER_LOCK);
  }

  /** The entry for `fd`, or EBADF. */
  get(fd: number): FdEntry {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.capacity) throw new WasiError(Errno.BADF);
    const m = fd * Meta.WORDS;
    const kind = Atomics.load(this.meta, m + Meta.kind) as FdKind;
    if (kind === FdKind.FREE) throw new WasiError(Errno.BADF);
    const b = fd * Big.WORDS;
    const table = this;
    const pathLength = this.meta[m + Meta.pathLength]!;
    return {
      fd,
      kind,
      hostFd: this.meta[m + Meta.hostFd]!,
      filetype: this.meta[m + Meta.filetype]! as Filetype,
      fdflags: Atomics.load(this.meta, m + Meta.fdflags),
      // Decoded only when asked for: most syscalls never look at it (fd_write measured 1 µs faster).
      get path(): string { return table.readPath(fd, pathLength); },
      preopen: this.meta[m + Meta.preopen]! - 1,
      flags: this.meta[m + Meta.flags]!,
      rightsBase: BigInt.asUintN(64, this.big[b + Big.rightsBase]!),
      rightsInheriting: BigInt.asUintN(64, this.big[b + Big.rightsInheriting]!),
    };
  }

  /**
   * Puts `entry` at the lowest free fd (or exactly `at`, used for stdio and preopens at setup).
   * Needs no lock on the supervisor before any worker runs; otherwise call it from a worker.
   */
  insert(entry: NewFdEntry, at?: number): number {
    const place = (): number => {
      const fd = at ?? this.lowestFree();
      // The process's table is full: EMFILE, as open(2) says it (ENFILE is the whole system's).
      if (fd < 0) throw new WasiError(Errno.MFILE);
      this.write(fd, entry);
      return fd;
    };
    return at !== undefined ? place() : this.tableLock.with(place);
  }

  /** Frees `fd` and returns its entry (the caller closes the host fd outside the lock). */
  remove(fd: number): FdEntry {
    return this.tableLock.with(() => {
      const entry = this.get(fd);
      Atomics.store(this.meta, fd * Meta.WORDS + Meta.kind, FdKind.FREE);
      return entry;
    });
  }

  /** `fd_renumber`: moves `from` onto `to`, returning the entry that `to` held (to be closed). */
  renumber(from: number, to: number): FdEntry {
    return this.tableLock.with(() => {
      const moving = this.get(from);
      const replaced = this.get(to);
      if (from === to) return replaced;
      this.write(to, moving);
      this.big[to * Big.WORDS + Big.offset] = this.big[from * Big.WORDS + Big.offset]!;
      Atomics.store(this.meta, from * Meta.WORDS + Meta.kind, FdKind.FREE);
      return replaced;
    });
  }

  setFdflags(fd: number, fdflags: number): void {
    this.tableLock.with(() => {
      this.get(fd);
      Atomics.store(this.meta, fd * Meta.WORDS + Meta.fdflags, fdflags);
    });
  }

  offset(fd: number): bigint {
    return Atomics.load(this.big, fd * Big.WORDS + Big.offset);
  }

  setOffset(fd: number, offset: bigint): void {
    Atomics.store(this.big, fd * Big.WORDS + Big.offset, offset);
  }

  /**
   * Runs `fn` with `fd`'s entry, its host fd kept open meanwhile: a guest thread that closes `fd`
   * at the same time waits (in `awaitUnpinned`) until `fn` returned, so the host fd number cannot
   * be closed and handed to another file while `fn` uses it.
   */
  pinned<T>(fd: number, fn: (e: FdEntry) => T): T {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.capacity) throw new WasiError(Errno.BADF);
    const at = fd * Meta.WORDS + Meta.users;
    Atomics.add(this.meta, at, 1);
    try {
      return fn(this.get(fd));
    } finally {
      if (Atomics.sub(this.meta, at, 1) === 1) Atomics.notify(this.meta, at);
    }
  }

  /** After `remove`/`renumber` freed `fd`: waits until no `pinned` call still uses its host fd. */
  awaitUnpinned(fd: number): void {
    const at = fd * Meta.WORDS + Meta.users;
    for (let n = Atomics.load(this.meta, at); n !== 0; n = Atomics.load(this.meta, at)) Atomics.wait(this.meta, at, n, 50);
  }

  /** Runs `fn` holding `fd`'s entry lock (for read-modify-write of its offset). */
  withEntryLock<T>(fd: number, fn: () => T): T {
    return new FutexMutex(this.meta, fd * Meta.WORDS + Meta.lock).with(fn);
  }

  /** Every fd in use, in order (for `fd_prestat_get` scans and tests). */
  used(): number[] {
    const out: number[] = [];
    for (let fd = 0; fd < this.capacity; fd++) {
      if (Atomics.load(this.meta, fd * Meta.WORDS + Meta.kind) !== FdKind.FREE) out.push(fd);
    }
    return out;
  }

  private lowestFree(): number {
    for (let fd = 0; fd < this.capacity; fd++) {
      if (Atomics.load(this.meta, fd * Meta.WORDS + Meta.kind) === FdKind.FREE) return fd;
    }
    return -1;
  }

  private write(fd: number, e: NewFdEntry): void {
    const pathBytes = Buffer.from(e.path, 'utf8');
    if (pathBytes.length > PATH_SLOT) throw new WasiError(Errno.NAMETOOLONG);
    this.paths.set(pathBytes, fd * PATH_SLOT);
    const m = fd * Meta.WORDS;
    this.meta[m + Meta.hostFd] = e.hostFd;
    this.meta[m + Meta.filetype] = e.filetype;
    this.meta[m + Meta.fdflags] = e.fdflags;
    this.meta[m + Meta.pathLength] = pathBytes.length;
    this.meta[m + Meta.preopen] = e.preopen + 1;
    this.meta[m + Meta.flags] = e.flags;
    const b = fd * Big.WORDS;
    this.big[b + Big.offset] = 0n;
    this.big[b + Big.rightsBase] = BigInt.asIntN(64, e.rightsBase);
    this.big[b + Big.rightsInheriting] = BigInt.asIntN(64, e.rightsInheriting);
    // Publish last: a reader that sees the kind sees the fields written before it.
    Atomics.store(this.meta, m + Meta.kind, e.kind);
  }

  private readPath(fd: number, length: number): string {
    if (length === 0) return '';
    return Buffer.from(this.paths.subarray(fd * PATH_SLOT, fd * PATH_SLOT + length)).toString('utf8');
  }
}
