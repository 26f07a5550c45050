// sock_*: preview1 has no way to create a socket, and wasmthreads preopens none, so the only
// sockets a guest could hold are inherited stdio. These answer EBADF for a bad fd, ENOTSOCK for
// any fd that is not a socket, and ENOTSUP for a socket (Node has no synchronous socket I/O on a
// raw fd that a worker could use without blocking exit).

import { Filetype } from './abi.js';
import type { WasiContext } from './context.js';
import { Errno } from './errno.js';

function refuse(ctx: WasiContext, fd: number): Errno {
  const e = ctx.table.get(fd);
  const isSocket = e.filetype === Filetype.SOCKET_STREAM || e.filetype === Filetype.SOCKET_DGRAM;
  return isSocket ? Errno.NOTSUP : Errno.NOTSOCK;
}

export function sockImports(ctx: WasiContext) {
  return {
    sock_accept: (fd: number, _flags: number, _outFd: number) => refuse(ctx, fd),
    sock_recv: (fd: number, _ri: number, _riLen: number, _flags: number, _roLen: number, _roFlags: number) => refuse(ctx, fd),
    sock_send: (fd: number, _si: number, _siLen: number, _flags: number, _soLen: number) => refuse(ctx, fd),
    sock_shutdown: (fd: number, _how: number) => refuse(ctx, fd),
  };
}
