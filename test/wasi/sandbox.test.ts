// Escape attempts against the preopen sandbox: `..`, absolute paths, symlinks pointing outside
// (directly, through chains, from subdirectories, created by the guest or by the host during the
// run), renames and hard links out of the preopen. Each must fail with the errno wasmtime gives
// (EPERM for an escape, ELOOP for a symlink opened without following) and leave the outside alone.

import t, { type Test } from 'tap';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lookupflags, Oflags, Rights } from '../../src/wasi/abi.js';
import { Errno } from '../../src/wasi/errno.js';
import { getBytes, guestPath, setupWasi, view, type Imports } from './fake-host.js';
import { tempDir } from '../helpers/temp-dir.js';

const PREOPEN = 3;
const RW = Rights.FD_READ | Rights.FD_WRITE;

function world() {
  const root = tempDir('wasi-sandbox-');
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
  // Read-only unless creating: wasmtime refuses to open a directory for writing (EISDIR).
  const rights = (opts.oflags ?? 0) & Oflags.CREAT ? RW : Rights.FD_READ;
  return w.wasi.path_open!(opts.dirfd ?? PREOPEN, dirflags, p, l, opts.oflags ?? 0, rights, rights, 0, 100);
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

/** Opens `path` (a directory) read-only and returns the new fd. */
function openDir(t: Test, w: ReturnType<typeof world>, path: string, dirfd = PREOPEN): number {
  t.equal(open(w, path, { dirfd, oflags: Oflags.DIRECTORY }), Errno.SUCCESS, `open directory ${path}`);
  return view(w.host).getUint32(100, true);
}

/** Reads up to 64 bytes of an open file fd as text. */
function readAll(w: ReturnType<typeof world>, fd: number): string {
  const v = view(w.host);
  v.setUint32(300, 50_000, true);
  v.setUint32(304, 64, true);
  const r = w.wasi.fd_read!(fd, 300, 1, 308);
  if (r !== Errno.SUCCESS) return `errno ${Errno[r]}`;
  return getBytes(w.host, 50_000, v.getUint32(308, true)).toString();
}

t.test('a directory fd outlives its name: renamed and replaced by a symlink out, it still means the same directory', async (t) => {
  const w = world();
  writeFileSync(join(w.box, 'sub', 'passwd'), 'inside passwd');
  const d = openDir(t, w, 'sub');
  // The attack: move the directory away and put a symlink that climbs out where it was.
  renameSync(join(w.box, 'sub'), join(w.box, 'moved'));
  symlinkSync('../../../../../../../../..', join(w.box, 'sub'));
  t.equal(open(w, 'etc/passwd', { dirfd: d }), Errno.NOENT, "no etc/ in the held directory (the host's /etc is not reachable)");
  t.equal(open(w, 'passwd', { dirfd: d }), Errno.SUCCESS);
  t.equal(readAll(w, view(w.host).getUint32(100, true)), 'inside passwd', 'the fd still names the moved directory');
  // Listing it lists the moved directory, not the host's root.
  const v = view(w.host);
  t.equal(w.wasi.fd_readdir!(d, 60_000, 4096, 0n, 400), Errno.SUCCESS);
  const listing = getBytes(w.host, 60_000, v.getUint32(400, true)).toString('latin1');
  t.match(listing, /passwd/);
  t.notMatch(listing, /etc|proc|usr/, "no entry of the host's root");
  // Files created through it land in the moved directory.
  t.equal(open(w, 'created.txt', { dirfd: d, oflags: Oflags.CREAT }), Errno.SUCCESS);
  t.ok(existsSync(join(w.box, 'moved', 'created.txt')), 'created inside the moved directory');
  t.notOk(existsSync('/created.txt'));
  const [p, l] = guestPath(w.host, 'newdir');
  t.equal(w.wasi.path_create_directory!(d, p, l), Errno.SUCCESS);
  t.ok(existsSync(join(w.box, 'moved', 'newdir')));
});

t.test('an intermediate directory swapped for a symlink out is never followed', async (t) => {
  const w = world();
  mkdirSync(join(w.box, 'd', 'outside'), { recursive: true });
  writeFileSync(join(w.box, 'd', 'outside', 'secret.txt'), 'inside');
  t.equal(open(w, 'd/outside/secret.txt'), Errno.SUCCESS);
  t.equal(readAll(w, view(w.host).getUint32(100, true)), 'inside');
  renameSync(join(w.box, 'd'), join(w.box, 'd_real'));
  symlinkSync('..', join(w.box, 'd'));
  t.equal(open(w, 'd/outside/secret.txt'), Errno.PERM, 'd -> .. climbs out of the preopen');
  t.equal(open(w, 'd/box/file.txt'), Errno.PERM);
});

t.test('the preopened directory cannot be removed, moved or replaced through the guest', async (t) => {
  const w = world();
  const empty = tempDir('wasi-empty-');
  const { wasi, host } = setupWasi({ preopens: [{ host: empty, guest: '/e' }, { host: w.box, guest: '/b' }] });
  const call = (name: 'path_remove_directory' | 'path_unlink_file', fd: number, path: string): number => {
    const [p, l] = guestPath(host, path);
    return wasi[name]!(fd, p, l);
  };
  const rename = (fromFd: number, from: string, toFd: number, to: string): number => {
    const [p1, l1] = guestPath(host, from, 40_000);
    const [p2, l2] = guestPath(host, to, 41_000);
    return wasi.path_rename!(fromFd, p1, l1, toFd, p2, l2);
  };
  t.equal(call('path_remove_directory', 3, '.'), Errno.INVAL, 'rmdir . of an empty preopen');
  t.equal(call('path_remove_directory', 3, './'), Errno.INVAL);
  t.equal(call('path_remove_directory', 4, 'sub/..'), Errno.INVAL, 'rmdir of the preopen through a subdirectory');
  t.equal(call('path_remove_directory', 3, '..'), Errno.PERM);
  t.equal(call('path_unlink_file', 3, '.'), Errno.ISDIR);
  t.ok(existsSync(empty), 'the empty preopen still exists');
  t.equal(rename(3, '.', 4, 'x'), Errno.BUSY, 'rename . of a preopen');
  t.equal(rename(4, 'sub', 3, '.'), Errno.BUSY, 'rename onto a preopen');
  t.equal(rename(4, 'file.txt', 4, 'sub/..'), Errno.BUSY);
  t.notOk(existsSync(join(w.box, 'x')));
  t.ok(existsSync(join(w.box, 'sub')) && existsSync(join(w.box, 'file.txt')));
  const [p, l] = guestPath(host, '.');
  t.equal(wasi.path_create_directory!(3, p, l), Errno.EXIST);
  const [tp, tl] = guestPath(host, 'target', 42_000);
  t.equal(wasi.path_symlink!(tp, tl, 3, p, l), Errno.EXIST);
});

t.test('directory and preopen rights are what wasmtime reports; set_rights is ENOTSUP', async (t) => {
  const w = world();
  const v = view(w.host);
  t.equal(w.wasi.fd_fdstat_get!(PREOPEN, 500), Errno.SUCCESS);
  const preopenBase = v.getBigUint64(508, true);
  t.equal(preopenBase & Rights.FD_SEEK, 0n, 'a preopen has no FD_SEEK');
  t.equal(preopenBase & Rights.FD_READ, 0n, 'nor FD_READ (wasmtime hard-codes the path rights)');
  t.not(preopenBase & Rights.PATH_OPEN, 0n);
  const d = openDir(t, w, 'sub');
  t.equal(w.wasi.fd_fdstat_get!(d, 500), Errno.SUCCESS);
  const dirBase = v.getBigUint64(508, true);
  t.equal(dirBase & (Rights.FD_SEEK | Rights.FD_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_SIZE), 0n, 'a directory has no seek or size rights');
  t.equal(dirBase & Rights.FD_WRITE, 0n, 'opened read-only: no FD_WRITE');
  t.equal(w.wasi.fd_fdstat_set_rights!(d, 0n, 0n), Errno.NOTSUP);
  t.equal(w.wasi.fd_fdstat_set_rights!(999, 0n, 0n), Errno.BADF);
  t.equal(w.wasi.fd_fdstat_get!(1, 500), Errno.SUCCESS);
  t.equal(v.getBigUint64(508, true), Rights.FD_WRITE, 'stdout: FD_WRITE');
  t.equal(w.wasi.sock_shutdown!(1, 0), Errno.NOTSOCK, 'sock_shutdown on stdio: ENOTSOCK whatever the host fd is');
  t.equal(w.wasi.sock_shutdown!(999, 0), Errno.BADF);
});

t.test('a trailing slash on a created or removed name keeps the kernel rules', async (t) => {
  const w = world();
  t.equal(call2(w, 'path_symlink', 'file.txt', 'dest/'), Errno.NOENT, 'symlink to "dest/" fails (wasi-testsuite path_symlink_trailing_slashes)');
  t.equal(call2(w, 'path_link', 'file.txt', 'hard/'), Errno.NOENT, 'link to "hard/" fails (wasi-testsuite path_link)');
  t.notOk(existsSync(join(w.box, 'dest')) || existsSync(join(w.box, 'hard')));
  const [p, l] = guestPath(w.host, 'made/');
  t.equal(w.wasi.path_create_directory!(PREOPEN, p, l), Errno.SUCCESS, 'mkdir "made/"');
  t.equal(w.wasi.path_remove_directory!(PREOPEN, p, l), Errno.SUCCESS, 'rmdir "made/"');
  const [fp, fl] = guestPath(w.host, 'file.txt/');
  t.equal(w.wasi.path_unlink_file!(PREOPEN, fp, fl), Errno.NOTDIR, 'unlink "file.txt/"');
});
