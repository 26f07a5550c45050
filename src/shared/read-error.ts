// Why reading an input file failed, in words, for diagnostics that name the file.

/** `err` from a file read, as text: "no such file or directory", "is a directory, not …". */
export function readErrorText(err: unknown, notA: string): string {
  const code = (err as { code?: string }).code;
  if (code === 'EISDIR') return `is a directory, not ${notA}`;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
