// A file read at offsets as needed (`pread`), for archives the link only picks members from: the
// headers are walked and the extracted members read, never the whole file into memory. Small reads
// (headers) are served from a 16 KiB window of the file read ahead: walking the ~750 headers of
// wasi-libc's 2.3 MB libc.a (3 KB members) takes ~150 reads instead of one per header (each read
// is a system call, and one per header cost as much as reading the whole file); libc++'s 42
// members of ~130 KB cost one small read each (a 64 KiB window cost 3% more of an em++ link).
// Once the headers are read, the file stays open for the members the link extracts, but only
// while it is among the `OpenFiles` limit's most recently read archives: a link line may name
// hundreds of archives (a Rust program's rlibs), more than a process may hold open (macOS allows
// 256), and one evicted is opened again when a member is read from it. em++'s C++ link extracts
// 170 members from its archives: 38 files opened instead of 207 when each member read opened its
// own (a few ms on this 2-core VM, within its noise).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ArchiveSource, Span } from '../binary/archive.js';
import { WasmthreadsError } from '../diagnostics.js';

/** Reads up to this size are served from the read-ahead window; larger ones go to the file. */
const SMALL_READ = 4096;
const WINDOW_SIZE = 16 * 1024;

export interface FileSource extends ArchiveSource {
  /**
   * The headers are read: drops the read-ahead window; the file stays open, under `files`' limit,
   * for the members read later.
   */
  release(): void;
  close(): void;
}

/**
 * The files one link reads at offsets: every source opened (closed together when the link ends,
 * `closeAll`), and among the archives whose headers were read those whose file is open, most
 * recently read last; past `limit`, the least recently read one is closed.
 */
export class OpenFiles {
  private readonly sources = new Set<FileSource>();
  private readonly open = new Map<object, () => void>();
  constructor(readonly limit = 64) {}

  opened(source: FileSource): void {
    this.sources.add(source);
  }

  /** `key` was just read from; `close` closes its file. */
  touch(key: object, close: () => void): void {
    this.open.delete(key);
    this.open.set(key, close);
    if (this.open.size <= this.limit) return;
    const [oldest, closeOldest] = this.open.entries().next().value!;
    this.open.delete(oldest);
    closeOldest();
  }

  /** `source` was closed. */
  closed(source: FileSource): void {
    this.sources.delete(source);
    this.open.delete(source);
  }

  closeAll(): void {
    for (const source of [...this.sources]) source.close();
  }
}

/**
 * Opens `path` for reading at offsets; throws when it cannot be opened or is not a regular file.
 * `files` holds it open after `release` (with the link's other archives) and closes it at the
 * link's end.
 */
export function openFileSource(path: string, files: OpenFiles): FileSource {
  let fd: number | undefined = openSync(path, 'r');
  let length: number;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: stat.isDirectory() ? 'EISDIR' : 'ENOTREG' });
    length = stat.size;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  const fail = (why: string): never => {
    throw new WasmthreadsError({ severity: 'error', code: 'missing-input', message: `cannot read ${path}: ${why}`, file: path });
  };
  const reopen = (): number => {
    try {
      return openSync(path, 'r');
    } catch (e) {
      return fail(`it could not be opened again (${(e as NodeJS.ErrnoException).code ?? String(e)}) after its headers were read`);
    }
  };
  let released = false;
  const closeFd = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  const fill = (into: Uint8Array, offset: number): void => {
    fd ??= reopen();
    if (released) files.touch(source, closeFd);
    for (let done = 0; done < into.length; ) {
      const got = readSync(fd, into, done, into.length - done, offset + done);
      if (got === 0) fail(`the file shrank while being read (${offset + done} of ${length} bytes)`);
      done += got;
    }
  };
  // The read-ahead window serves the header walk; after `release` every read goes to the file.
  // A Buffer: the headers' names are decoded from it natively (archive.ts ascii).
  let window: Uint8Array | undefined = Buffer.allocUnsafe(WINDOW_SIZE);
  let windowStart = 0;
  let windowEnd = 0;
  /** Where bytes [offset, offset + n) are in the window, read ahead from `offset` if need be. */
  const inWindow = (w: Uint8Array, offset: number, n: number): number => {
    if (offset < windowStart || offset + n > windowEnd) {
      windowStart = offset;
      windowEnd = Math.min(length, offset + WINDOW_SIZE);
      fill(w.subarray(0, windowEnd - windowStart), offset);
    }
    return offset - windowStart;
  };
  /** How many of `want` bytes from `offset` the file has. */
  const available = (offset: number, want: number): number => Math.max(0, Math.min(want, length - offset));
  const source: FileSource = {
    length,
    read(offset, want) {
      const n = available(offset, want);
      const out = Buffer.allocUnsafe(n);
      if (n > SMALL_READ || window === undefined) fill(out, offset);
      else {
        const at = inWindow(window, offset, n);
        out.set(window.subarray(at, at + n));
      }
      return new Uint8Array(out.buffer, out.byteOffset, n);
    },
    peek(offset: number, want: number, span: Span) {
      const n = available(offset, want);
      if (n > SMALL_READ || window === undefined) {
        span.bytes = source.read(offset, n);
        span.at = 0;
      } else {
        span.bytes = window;
        span.at = inWindow(window, offset, n);
      }
    },
    release() {
      window = undefined;
      released = true;
      if (fd !== undefined) files.touch(source, closeFd);
    },
    close() {
      window = undefined;
      files.closed(source);
      closeFd();
    },
  };
  files.opened(source);
  return source;
}
