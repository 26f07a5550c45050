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
