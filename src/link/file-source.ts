// A file read at offsets as needed (`pread`), for archives the link only picks members from: the
// headers are walked and the extracted members read, never the whole file into memory. Small reads
// (headers) are served from a 16 KiB window of the file read ahead: walking the ~750 headers of
// wasi-libc's 2.3 MB libc.a (3 KB members) takes ~150 reads instead of one per header (each read
// is a system call, and one per header cost as much as reading the whole file); libc++'s 42
// members of ~130 KB cost one small read each (a 64 KiB window cost 3% more of an em++ link). The
// descriptor stays open until the link ends (`close`).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ArchiveSource } from '../binary/archive.js';

/** Reads up to this size are served from the read-ahead window; larger ones go to the file. */
const SMALL_READ = 4096;
const WINDOW_SIZE = 16 * 1024;

export interface FileSource extends ArchiveSource {
  close(): void;
}

/** Opens `path` for reading at offsets; throws like openSync when it cannot be opened. */
export function openFileSource(path: string): FileSource {
  const fd = openSync(path, 'r');
  let open = true;
  try {
    const length = fstatSync(fd).size;
    const fill = (into: Uint8Array, offset: number): void => {
      for (let done = 0; done < into.length; ) {
        const got = readSync(fd, into, done, into.length - done, offset + done);
        if (got === 0) throw new Error(`${path}: file shrank while being read (${offset + done} of ${length} bytes)`);
        done += got;
      }
    };
    const window = new Uint8Array(WINDOW_SIZE);
    let windowStart = 0;
    let windowEnd = 0;
    return {
      length,
      read(offset, want) {
        const n = Math.max(0, Math.min(want, length - offset));
        const out = Buffer.allocUnsafe(n);
        if (n > SMALL_READ) {
          fill(out, offset);
        } else {
          if (offset < windowStart || offset + n > windowEnd) {
            windowStart = offset;
            windowEnd = Math.min(length, offset + WINDOW_SIZE);
            fill(window.subarray(0, windowEnd - windowStart), offset);
          }
          out.set(window.subarray(offset - windowStart, offset - windowStart + n));
        }
        return new Uint8Array(out.buffer, out.byteOffset, n);
      },
      close() {
        if (open) closeSync(fd);
        open = false;
      },
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
