// End-to-end tests run the built CLI and worker bundle in dist/. A dist/ older than any file in
// src/ would test stale code and pass or fail for the wrong reason, so those tests stop at once,
// loudly, until `npm run build` (which `npm test` and `npm run test:fast` run first).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newest(dir: string): number {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return m;
}

export function assertDistFresh(): void {
  const built = ['dist/cli.js', 'dist/index.js', 'dist/thread-worker.cjs'].map((f) => join(ROOT, f));
  const missing = built.find((f) => !existsSync(f));
  if (missing) throw new Error(`${missing} does not exist: run \`npm run build\` first`);
  const oldest = Math.min(...built.map((f) => statSync(f).mtimeMs));
  if (oldest < newest(join(ROOT, 'src'))) throw new Error('dist/ is older than src/: run `npm run build` first (the end-to-end tests run dist/)');
}
