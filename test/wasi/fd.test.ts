// fd_* and path_* semantics on real files: open/read/seek/tell/close, an fd shared by two thread
// contexts (same table, one offset), fd_readdir cookies, prestat, filestat, renumber, directories.

import t from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Filetype, Lookupflags, Oflags, Rights, Whence } from '../../src/wasi/abi.js';
import { Errno } from '../../src/wasi/errno.js';
import { wasiImports } from '../../src/wasi/index.js';
import { fakeHost, getBytes, guestPath, putIovec, putString, setupWasi, view } from './fake-host.js';
import { tempDir } from '../helpers/temp-dir.js';

const PREOPEN = 3;
const RW = Rights.FD_READ | Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_TELL;
/** What wasi-libc asks for when it opens a directory (O_RDONLY | O_DIRECTORY). */
const DIR = Rights.FD_READ | Rights.FD_READDIR;

function world() {
  const box = tempDir('wasi-fd-');
  writeFileSync(join(box, 'data.txt'), '0123456789');
  mkdirSync(join(box, 'dir'));
  writeFileSync(join(box, 'dir', 'a'), 'A');
  writeFileSync(join(box, 'dir', 'b'), 'BB');
  const s = setupWasi({ preopens: [{ host: box, guest: 'sandbox' }] });
  return { box, ...s };
}

function openAt(w: ReturnType<typeof world>, path: string, oflags = 0, fdflags = 0): number {
  const [p, l] = guestPath(w.host, path);
  const rights = oflags & Oflags.DIRECTORY ? DIR : RW;
  const r = w.wasi.path_open!(PREOPEN, Lookupflags.SYMLINK_FOLLOW, p, l, oflags, rights, rights, fdflags, 100);
  if (r !== Errno.SUCCESS) throw new Error(`path_open ${path}: ${Errno[r]}`);
  return view(w.host).getUint32(100, true);
}

function read(w: { wasi: Record<string, any>; host: ReturnType<typeof fakeHost> }, fd: number, n: number): string {
  putIovec(w.host, 0, 1000, n);
  const r = w.wasi.fd_read(fd, 0, 1, 50);
  if (r !== Errno.SUCCESS) throw new Error(`fd_read: ${Errno[r]}`);
  return getBytes(w.host, 1000, view(w.host).getUint32(50, true)).toString();
}

t.test('prestat names the preopen in UTF-8 bytes', async (t) => {
  const w = world();
  t.equal(w.wasi.fd_prestat_get!(PREOPEN, 8), Errno.SUCCESS);
  t.equal(view(w.host).getUint8(8), 0);
  t.equal(view(w.host).getUint32(12, true), 7);
  t.equal(w.wasi.fd_prestat_dir_name!(PREOPEN, 16, 7), Errno.SUCCESS);
  t.equal(getBytes(w.host, 16, 7).toString(), 'sandbox');
  t.equal(w.wasi.fd_prestat_dir_name!(PREOPEN, 16, 3), Errno.NAMETOOLONG);
  t.equal(w.wasi.fd_prestat_get!(4, 8), Errno.BADF, 'end of the preopen list');
  t.equal(w.wasi.fd_prestat_get!(1, 8), Errno.BADF, 'stdio is not a preopen');
});

t.test('read, seek, tell, close', async (t) => {
  const w = world();
  const fd = openAt(w, 'data.txt');
  t.equal(fd, 4, 'lowest free fd');
  t.equal(read(w, fd, 3), '012');
  t.equal(w.wasi.fd_seek!(fd, 2n, Whence.CUR, 60), Errno.SUCCESS);
  t.equal(view(w.host).getBigUint64(60, true), 5n);
  t.equal(read(w, fd, 100), '56789');
  t.equal(read(w, fd, 100), '', 'end of file');
  t.equal(w.wasi.fd_seek!(fd, -3n, Whence.END, 60), Errno.SUCCESS);
  t.equal(w.wasi.fd_tell!(fd, 68), Errno.SUCCESS);
  t.equal(view(w.host).getBigUint64(68, true), 7n);
  t.equal(w.wasi.fd_seek!(fd, -30n, Whence.SET, 60), Errno.INVAL);
  t.equal(w.wasi.fd_seek!(fd, 0n, 7, 60), Errno.INVAL);
  t.equal(w.wasi.fd_seek!(1, 0n, Whence.CUR, 60), Errno.SPIPE, 'stdio cannot seek');
  t.equal(w.wasi.fd_fdstat_get!(fd, 200), Errno.SUCCESS);
  t.equal(view(w.host).getUint8(200), Filetype.REGULAR_FILE);
  t.equal(w.wasi.fd_filestat_get!(fd, 300), Errno.SUCCESS);
  t.equal(view(w.host).getBigUint64(300 + 32, true), 10n, 'size');
  t.equal(view(w.host).getUint8(300 + 16), Filetype.REGULAR_FILE);
  t.equal(w.wasi.fd_close!(fd), Errno.SUCCESS);
  t.equal(w.wasi.fd_close!(fd), Errno.BADF);
  t.equal(read.bind(null, w, fd, 1) && w.wasi.fd_read!(fd, 0, 1, 50), Errno.BADF);
});

t.test('two threads share one fd and its offset', async (t) => {
  const w = world();
  const fd = openAt(w, 'data.txt');
  const other = { host: fakeHost(), wasi: {} as Record<string, any> };
  other.wasi = wasiImports(w.shared, other.host);
  t.equal(read(w, fd, 4), '0123');
  t.equal(read(other, fd, 3), '456', 'the other thread continues at the shared offset');
  t.equal(other.wasi.fd_close(fd), Errno.SUCCESS, 'and may close it');
  t.equal(w.wasi.fd_read!(fd, 0, 1, 50), Errno.BADF, 'closed for everyone');
});

t.test('write, append, truncate, pwrite/pread', async (t) => {
  const w = world();
  const fd = openAt(w, 'new.txt', Oflags.CREAT | Oflags.EXCL);
  const n = putString(w.host, 1000, 'héllo');
  putIovec(w.host, 0, 1000, n);
  t.equal(w.wasi.fd_write!(fd, 0, 1, 50), Errno.SUCCESS);
  t.equal(view(w.host).getUint32(50, true), 6);
  t.equal(w.wasi.fd_pwrite!(fd, 0, 1, 100n, 50), Errno.SUCCESS);
  t.equal(w.wasi.fd_filestat_set_size!(fd, 3n), Errno.SUCCESS);
  t.equal(readFileSync(join(w.box, 'new.txt'), 'latin1').length, 3);
  t.throws(() => openAt(w, 'new.txt', Oflags.CREAT | Oflags.EXCL), /EXIST/);
  const app = openAt(w, 'data.txt', 0, 1 /* APPEND */);
  t.equal(w.wasi.fd_write!(app, 0, 1, 50), Errno.SUCCESS);
  t.equal(readFileSync(join(w.box, 'data.txt'), 'utf8'), '0123456789héllo');
  putIovec(w.host, 0, 2000, 4);
  t.equal(w.wasi.fd_pread!(app, 0, 1, 2n, 50), Errno.SUCCESS);
  t.equal(getBytes(w.host, 2000, 4).toString(), '2345');
});

t.test('fd_readdir lists . and .. and the entries, resumable by cookie', async (t) => {
  const w = world();
  const dir = openAt(w, 'dir', Oflags.DIRECTORY);
  t.equal(w.wasi.fd_readdir!(dir, 5000, 4096, 0n, 50), Errno.SUCCESS);
  const used = view(w.host).getUint32(50, true);
  const names: string[] = [];
  let at = 5000;
  let lastCookie = 0n;
  while (at < 5000 + used) {
    const v = view(w.host);
    const namlen = v.getUint32(at + 16, true);
    lastCookie = v.getBigUint64(at, true);
    names.push(getBytes(w.host, at + 24, namlen).toString());
    at += 24 + namlen;
  }
  t.same(names.slice(0, 2), ['.', '..']);
  t.same(names.slice(2).sort(), ['a', 'b']);
  t.equal(lastCookie, 4n);
  t.equal(w.wasi.fd_readdir!(dir, 5000, 4096, 4n, 50), Errno.SUCCESS);
  t.equal(view(w.host).getUint32(50, true), 0, 'nothing after the last cookie');
  t.equal(w.wasi.fd_readdir!(dir, 5000, 10, 0n, 50), Errno.SUCCESS);
  t.equal(view(w.host).getUint32(50, true), 10, 'a small buffer is filled completely');
  t.equal(w.wasi.fd_readdir!(1, 5000, 100, 0n, 50), Errno.NOTDIR);
});

t.test('renumber, directories, unlink, rmdir, readlink', async (t) => {
  const w = world();
  const a = openAt(w, 'data.txt');
  const b = openAt(w, 'dir/a');
  t.equal(w.wasi.fd_renumber!(a, b), Errno.SUCCESS);
  t.equal(read(w, b, 3), '012', 'b now is data.txt');
  t.equal(w.wasi.fd_close!(a), Errno.BADF, 'a is gone');
  const [p, l] = guestPath(w.host, 'newdir');
  t.equal(w.wasi.path_create_directory!(PREOPEN, p, l), Errno.SUCCESS);
  t.equal(w.wasi.path_create_directory!(PREOPEN, p, l), Errno.EXIST);
  t.equal(w.wasi.path_remove_directory!(PREOPEN, p, l), Errno.SUCCESS);
  const [dp, dl] = guestPath(w.host, 'dir');
  t.equal(w.wasi.path_remove_directory!(PREOPEN, dp, dl), Errno.NOTEMPTY);
  t.equal(w.wasi.path_unlink_file!(PREOPEN, dp, dl), Errno.ISDIR);
  const [sp, sl] = guestPath(w.host, 'dir/a', 41_000);
  const [np, nl] = guestPath(w.host, 'ln', 42_000);
  t.equal(w.wasi.path_symlink!(sp, sl, PREOPEN, np, nl), Errno.SUCCESS);
  t.equal(w.wasi.path_readlink!(PREOPEN, np, nl, 6000, 100, 50), Errno.SUCCESS);
  t.equal(getBytes(w.host, 6000, view(w.host).getUint32(50, true)).toString(), 'dir/a');
  t.equal(w.wasi.path_open!(PREOPEN, 0, np, nl, 0, RW, RW, 0, 100), Errno.LOOP, 'O_NOFOLLOW on a symlink');
  t.equal(w.wasi.path_open!(PREOPEN, 0, dp, dl, Oflags.DIRECTORY, DIR, DIR, 0, 100), Errno.SUCCESS);
  t.equal(w.wasi.path_open!(PREOPEN, 0, dp, dl, Oflags.DIRECTORY, RW, RW, 0, 100), Errno.ISDIR, 'a directory opened for writing (wasmtime)');
  t.equal(w.wasi.path_open!(PREOPEN, 0, dp, dl, 0, RW, RW, 0, 100), Errno.ISDIR, 'also without O_DIRECTORY');
  t.equal(w.wasi.path_open!(PREOPEN, 0, dp, dl, Oflags.DIRECTORY | Oflags.CREAT, DIR, DIR, 0, 100), Errno.INVAL, 'O_DIRECTORY with O_CREAT');
  const [fp, fl] = guestPath(w.host, 'data.txt');
  t.equal(w.wasi.path_open!(PREOPEN, 0, fp, fl, Oflags.DIRECTORY, RW, RW, 0, 100), Errno.NOTDIR);
});

// Wasm hands i32 and i64 arguments to JavaScript signed: a length or count of 0xffffffff arrives
// as -1. Preview1 declares them unsigned, so each must mean 4 GiB (EFAULT where that much is read),
// never a negative number that skips a loop (success with nothing done), waits forever
// (poll_oneoff with no subscriptions) or reaches a host allocation (fd_readdir).
t.test('lengths and counts of 0xffffffff are 4 GiB, not -1', async (t) => {
  const w = world();
  const dir = openAt(w, 'dir', Oflags.DIRECTORY);
  putIovec(w.host, 0, 1000, 4);
  t.equal(w.wasi.fd_write!(1, 0, -1, 50), Errno.FAULT, 'fd_write iovs_len');
  t.equal(w.wasi.fd_read!(openAt(w, 'data.txt'), 0, -1, 50), Errno.FAULT, 'fd_read iovs_len');
  t.equal(w.wasi.random_get!(1000, -1), Errno.FAULT, 'random_get buf_len');
  t.equal(w.wasi.poll_oneoff!(0, 1000, -1, 50), Errno.FAULT, 'poll_oneoff nsubscriptions (returns at once)');
  const [p] = guestPath(w.host, 'data.txt');
  t.equal(w.wasi.path_open!(PREOPEN, 0, p, -1, 0, 0n, 0n, 0, 100), Errno.FAULT, 'path_open path_len');
  // Where only what is written must fit (as in wasmtime), a huge length is just room enough.
  t.equal(w.wasi.fd_prestat_dir_name!(PREOPEN, 16, -1), Errno.SUCCESS, 'fd_prestat_dir_name path_len: 7 bytes written');
  t.equal(w.wasi.fd_readdir!(dir, 1000, -1, 0n, 50), Errno.SUCCESS, 'fd_readdir buf_len: the whole listing written');
  t.ok(view(w.host).getUint32(50, true) < 200, 'of a few dozen bytes');
  t.equal(w.wasi.fd_readdir!(dir, 1000, 200, -1n, 50), Errno.SUCCESS, 'a cookie of 2^64-1: past the end');
  t.equal(view(w.host).getUint32(50, true), 0, 'nothing listed');
  t.equal(w.wasi.fd_seek!(openAt(w, 'data.txt'), -1n, Whence.END, 60), Errno.SUCCESS, 'fd_seek delta stays signed');
  t.equal(view(w.host).getBigUint64(60, true), 9n, 'one before the end');
});

t.test('fd_readdir sizes its buffer by the entries, not by the guest length', async (t) => {
  const w = world();
  const dir = openAt(w, 'dir', Oflags.DIRECTORY);
  // A guest-sized length the memory holds (16 pages): the listing is a few dozen bytes.
  t.equal(w.wasi.fd_readdir!(dir, 1000, 16 * 65536 - 1000, 0n, 50), Errno.SUCCESS);
  t.ok(view(w.host).getUint32(50, true) < 200, 'four short entries');
});

t.test('positions and sizes Node cannot pass on are EINVAL; undefined flag bits are EINVAL', async (t) => {
  const w = world();
  const fd = openAt(w, 'data.txt');
  putIovec(w.host, 0, 1000, 4);
  t.equal(w.wasi.fd_pread!(fd, 0, 1, -1n, 50), Errno.INVAL, 'fd_pread at 2^64-1');
  t.equal(w.wasi.fd_filestat_set_size!(fd, -1n), Errno.INVAL, 'fd_filestat_set_size to 2^64-1');
  t.equal(w.wasi.fd_allocate!(fd, -1n, -1n), Errno.INVAL, 'fd_allocate past 2^64');
  const [p, l] = guestPath(w.host, 'data.txt');
  t.equal(w.wasi.path_open!(PREOPEN, 0, p, l, 0, BigInt(RW), BigInt(RW), 0x20, 100), Errno.INVAL, 'fdflags bit 5');
  t.equal(w.wasi.path_open!(PREOPEN, 2, p, l, 0, BigInt(RW), BigInt(RW), 0, 100), Errno.INVAL, 'lookupflags bit 1');
  t.equal(w.wasi.path_filestat_get!(PREOPEN, 0x80, p, l, 200), Errno.INVAL, 'lookupflags bit 7');
});

t.test('thousands of fds stay open at once; a full table is EMFILE, and a close makes room', async (t) => {
  const box = tempDir('wasi-fd-many-');
  writeFileSync(join(box, 'f'), 'x');
  const [p, l] = [200, 1];
  const open = (w: ReturnType<typeof setupWasi>): number => w.wasi.path_open!(PREOPEN, 0, p, l, 0, RW, RW, 0, 100);
  // The default table: more than Linux's default soft limit of 1,024 (wasmtime's limit is the host's).
  const w = setupWasi({ preopens: [{ host: box, guest: 'sandbox' }] });
  putString(w.host, p, 'f');
  const fds: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const r = open(w);
    if (r !== Errno.SUCCESS) return t.fail(`open #${i + 1}: ${Errno[r]}`);
    fds.push(view(w.host).getUint32(100, true));
  }
  t.equal(fds.at(-1), 3003, 'fd 3003 is the 3,000th file (4 is the first)');
  for (const fd of fds) w.wasi.fd_close!(fd);
  // A small table fills up: the process's table is full (EMFILE), not the system's (ENFILE).
  const small = setupWasi({ preopens: [{ host: box, guest: 'sandbox' }], fdCapacity: 8 });
  putString(small.host, p, 'f');
  for (let fd = 4; fd < 8; fd++) t.equal(open(small), Errno.SUCCESS, `fd ${fd}`);
  t.equal(open(small), Errno.MFILE, 'table full');
  t.equal(small.wasi.fd_close!(5), Errno.SUCCESS);
  t.equal(open(small), Errno.SUCCESS, 'room again after a close');
  t.equal(view(small.host).getUint32(100, true), 5, 'the freed fd');
});
