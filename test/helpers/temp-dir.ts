// Temporary directories for tests: each is removed when the test that asked for it ends (by default
// the whole test file: tap's root test), so a test run leaves nothing behind in the system's temp
// directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

/**
 * A new directory in the system's temp directory, named `prefix` and a random suffix, removed
 * when `owner` (a test; default the file's root test) ends.
 */
export function tempDir(prefix: string, owner: { teardown(fn: () => void): void } = t): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  owner.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
