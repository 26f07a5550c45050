// Bundles the CLI, the public API and the worker entry with esbuild. Type checking is separate
// (`npm run typecheck`): esbuild only strips types.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entryPoints = {
  cli: 'src/cli/main.ts',
  index: 'src/index.ts',
};
// The worker entry is a separate bundle: workers load it by path.
if (existsSync('src/host/thread-entry.ts')) entryPoints['thread-worker'] = 'src/host/thread-entry.ts';

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
