// Escape attempts against the preopen sandbox: `..`, absolute paths, symlinks pointing outside
// (directly, through chains, from subdirectories, created by the guest or by the host during the
// run), renames and hard links out of the preopen. Each must fail with the errno wasmtime gives
// (EPERM for an escape, ELOOP for a symlink opened without following) and leave the outside alone.

import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lookupflags, Oflags, Rights } from '../../src/wasi/abi.js';
import { Errno } from '../../src/wasi/errno.js';
import { guestPath, setupWasi, view, type Imports } from './fake-host.js';

const PREOPEN = 3;
const RW = Rights.FD_READ | Rights.FD_WRITE;

function world() {
  const root = mkdtempSync(join(tmpdir(), 'wasi-sandbox-'));
  const box = join(root, 'box');
  mkdirSync(join(box, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'secret.txt'), 'secret');
  writeFileSync(join(box, 'file.txt'), 'inside');
  writeFileSync(join(box, 'sub', 'inner.txt'), 'inner');
  symlinkSync('/etc', join(box, 'link_abs'));
  symlinkSync('../outside', join(box, 'link_up'));
  symlinkSync('chain2', join(box, 'chain1'));
  symlinkSync('sub/../link_up', join(box, 'chain2'));
  symlinkSync('../../outside', join(box, 'sub', 'link_upup'));
  symlinkSync('sub', join(box, 'ok_link'));
  symlinkSync('deeper/../inner.txt', join(box, 'sub', 'ok_chain'));
  symlinkSync('loop2', join(box, 'loop1'));
  symlinkSync('loop1', join(box, 'loop2'));
  const { wasi, host } = setupWasi({ preopens: [{ host: box, guest: '/sandbox' }] });
  return { root, box, wasi, host };
}

function open(w: ReturnType<typeof world>, path: string, opts: { dirfd?: number; follow?: boolean; oflags?: number } = {}): number {
  const [p, l] = guestPath(w.host, path);
  const dirflags = opts.follow === false ? 0 : Lookupflags.SYMLINK_FOLLOW;
  return w.wasi.path_open!(opts.dirfd ?? PREOPEN, dirflags, p, l, opts.oflags ?? 0, RW, RW, 0, 100);
}

function call2(w: ReturnType<typeof world>, name: keyof Imports & string, a: string, b: string): number {
  const [p1, l1] = guestPath(w.host, a, 40_000);
  const [p2, l2] = guestPath(w.host, b, 41_000);
  if (name === 'path_rename') return w.wasi.path_rename!(PREOPEN, p1, l1, PREOPEN, p2, l2);
  if (name === 'path_link') return w.wasi.path_link!(PREOPEN, 0, p1, l1, PREOPEN, p2, l2);
  return w.wasi.path_symlink!(p1, l1, PREOPEN, p2, l2);
}

t.test('escapes through path_open are refused', async (t) => {
  const w = world();
  const refused: Array<[string, Errno, { follow?: boolean; oflags?: number }?]> = [
    ['..', Errno.PERM],
    ['../outside/secret.txt', Errno.PERM],
    ['sub/../../outside/secret.txt', Errno.PERM],
    ['sub/deeper/../../../outside', Errno.PERM],
    ['/etc/passwd', Errno.PERM],
    ['/', Errno.PERM],
    ['link_abs/passwd', Errno.PERM],
    ['link_abs', Errno.PERM],
    ['link_up/secret.txt', Errno.PERM],
    ['link_up', Errno.PERM],
    ['chain1/secret.txt', Errno.PERM],
    ['sub/link_upup/secret.txt', Errno.PERM],
    ['link_up/new.txt', Errno.PERM, { oflags: Oflags.CREAT }],
    ['link_up', Errno.LOOP, { follow: false }],
    ['loop1', Errno.LOOP],
    ['missing/x', Errno.NOENT],
    ['file.txt/x', Errno.NOTDIR],
    ['', Errno.NOENT],
  ];
  for (const [path, errno, opts] of refused) t.equal(open(w, path, opts), errno, `open ${JSON.stringify(path)}`);
  t.notOk(existsSync(join(w.root, 'outside', 'new.txt')), 'nothing created outside');
});

t.test('paths that stay inside still work', async (t) => {
  const w = world();
  for (const path of ['file.txt', 'sub/../file.txt', './sub/./inner.txt', 'ok_link/inner.txt', 'sub/ok_chain', 'sub/deeper/..', '.']) {
    t.equal(open(w, path), Errno.SUCCESS, `open ${path}`);
  }
});

t.test('a directory fd is its own capability: no `..` above it', async (t) => {
  const w = world();
  t.equal(open(w, 'sub'), Errno.SUCCESS);
  const sub = view(w.host).getUint32(100, true);
  t.equal(open(w, 'inner.txt', { dirfd: sub }), Errno.SUCCESS);
  t.equal(open(w, '../file.txt', { dirfd: sub }), Errno.PERM);
  t.equal(open(w, 'link_upup', { dirfd: sub }), Errno.PERM);
});

t.test('renames, links and symlinks cannot leave the preopen', async (t) => {
  const w = world();
  t.equal(call2(w, 'path_rename', 'file.txt', '../outside/stolen.txt'), Errno.PERM);
  t.equal(call2(w, 'path_rename', '../outside/secret.txt', 'got.txt'), Errno.PERM);
  t.equal(call2(w, 'path_rename', 'file.txt', 'link_up/stolen.txt'), Errno.PERM);
  t.equal(call2(w, 'path_link', '../outside/secret.txt', 'hard.txt'), Errno.PERM);
  t.equal(call2(w, 'path_link', 'file.txt', '../outside/hard.txt'), Errno.PERM);
  t.equal(call2(w, 'path_symlink', '/etc/passwd', 'abs_link'), Errno.PERM, 'absolute symlink targets');
  t.notOk(existsSync(join(w.root, 'outside', 'stolen.txt')));
  t.notOk(existsSync(join(w.root, 'outside', 'hard.txt')));
  t.equal(readFileSync(join(w.root, 'outside', 'secret.txt'), 'utf8'), 'secret');
  t.equal(call2(w, 'path_rename', 'file.txt', 'sub/moved.txt'), Errno.SUCCESS, 'inside is fine');
  t.ok(existsSync(join(w.box, 'sub', 'moved.txt')));
});

t.test('symlinks created during the run are checked when used', async (t) => {
  const w = world();
  t.equal(call2(w, 'path_symlink', '../outside', 'made_by_guest'), Errno.SUCCESS, 'creating a dangling-outside link is allowed');
  t.equal(open(w, 'made_by_guest/secret.txt'), Errno.PERM, 'following it is not');
  symlinkSync('../outside/secret.txt', join(w.box, 'made_by_host'));
  t.equal(open(w, 'made_by_host'), Errno.PERM);
  const [p, l] = guestPath(w.host, 'made_by_host');
  t.equal(w.wasi.path_filestat_get!(PREOPEN, Lookupflags.SYMLINK_FOLLOW, p, l, 200), Errno.PERM);
  t.equal(w.wasi.path_filestat_get!(PREOPEN, 0, p, l, 200), Errno.SUCCESS, 'the link itself is inside');
  t.equal(w.wasi.path_unlink_file!(PREOPEN, p, l), Errno.SUCCESS, 'and can be removed');
  t.ok(existsSync(join(w.root, 'outside', 'secret.txt')), 'unlinking a link never touches its target');
});

t.test('a bad preopen is one clear error naming the directory', async (t) => {
  t.throws(() => setupWasi({ preopens: [{ host: '/no/such/dir', guest: 'x' }] }), { message: /\/no\/such\/dir: cannot preopen directory/ });
});
