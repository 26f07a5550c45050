// sock_*: preview1 has no way to create a socket, and wasmthreads preopens none. As in wasmtime's
// preview1 (crates/wasi/src/p1.rs), each answers EBADF for a bad fd and ENOTSOCK for every other fd
// — also for a stdio fd that is a socket on the host (Node's `spawn(…, {stdio: 'pipe'})` gives the
// child a socketpair), which the guest only ever sees as a stream.

import type { WasiContext } from './context.js';
import { Errno } from './errno.js';

function refuse(ctx: WasiContext, fd: number): Errno {
  ctx.table.get(fd);
  return Errno.NOTSOCK;
}

export function sockImports(ctx: WasiContext) {
  return {
    sock_accept: (fd: number, _flags: number, _outFd: number) => refuse(ctx, fd),
    sock_recv: (fd: number, _ri: number, _riLen: number, _flags: number, _roLen: number, _roFlags: number) => refuse(ctx, fd),
    sock_send: (fd: number, _si: number, _siLen: number, _flags: number, _soLen: number) => refuse(ctx, fd),
    sock_shutdown: (fd: number, _how: number) => refuse(ctx, fd),
  };
}
