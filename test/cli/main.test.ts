import t from 'tap';
import { main } from '../../src/cli/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err };
}

t.test('unknown command is a usage error', async (t) => {
  const c = capture();
  t.equal(await main(['frobnicate'], c.io), 2);
  t.match(c.err.join(''), /unknown command 'frobnicate'/);
});

t.test('--help lists the commands', async (t) => {
  const c = capture();
  t.equal(await main(['--help'], c.io), 0);
  t.match(c.out.join(''), /run/);
  t.match(c.out.join(''), /link/);
  t.match(c.out.join(''), /inspect/);
});

t.test('run: absurd or malformed numbers are one clear usage error each, before anything runs', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--max-threads', '1000000'], /--max-threads needs a decimal integer from 1 to 4096, got '1000000'/],
    [['--max-threads', '0'], /--max-threads needs a decimal integer from 1 to 4096/],
    [['--max-threads', '1e3'], /got '1e3'/],
    [['--max-threads', '0x10'], /got '0x10'/],
    [['--pool-size', '-1'], /--pool-size needs a decimal integer from 0 to 4096/],
    [['--stack-size', '12'], /--stack-size needs a decimal integer from 1024 to 1073741824/],
    [['--stack-size', '99999999999'], /--stack-size needs a decimal integer/],
    [['--max-host-memory', '5'], /--max-host-memory needs a size of at least 1MiB/],
    [['--max-host-memory', '2TB'], /--max-host-memory needs a size/],
  ];
  for (const [flags, message] of cases) {
    const c = capture();
    t.equal(await main(['run', ...flags, 'never-read.wasm'], c.io), 2, flags.join(' '));
    t.match(c.err.join(''), message);
    t.equal(c.err.join('').trim().split('\n').length, 1, 'one line');
  }
});

t.test('the library refuses the same limits with a clear error', async (t) => {
  const { run } = await import('../../src/host/run.js');
  await t.rejects(run({ module: new URL('../fixtures/wat/runtime/spawn.wasm', import.meta.url).pathname, maxThreads: 1_000_000 }), { message: /--max-threads must be an integer from 1 to 4096/ });
});
