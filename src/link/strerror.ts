// Why a file could not be opened or written, in the words of the C library's strerror: wasm-ld
// prints those ("cannot open output file x.wasm: Is a directory"), and so does wasmthreads link.

const MESSAGES: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EFBIG: 'File too large',
  ENOTREG: 'not a regular file',
};

/** strerror's text for a Node file-system error, or what Node said when it is not a known one. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && MESSAGES[code]) return MESSAGES[code];
  return code ? `cannot be read or written (${code})` : String((e as Error | undefined)?.message ?? e);
}
