// The one table of WASI preview1 errno values (witx `$errno`, in spec order) and the mapping from
// Node's `err.code` strings to them. Every syscall returns one of these; nothing else in `src/wasi/`
// writes an errno number.
// Spec: https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/witx/typenames.witx

export enum Errno {
  SUCCESS = 0, TOOBIG = 1, ACCES = 2, ADDRINUSE = 3, ADDRNOTAVAIL = 4, AFNOSUPPORT = 5, AGAIN = 6,
  ALREADY = 7, BADF = 8, BADMSG = 9, BUSY = 10, CANCELED = 11, CHILD = 12, CONNABORTED = 13,
  CONNREFUSED = 14, CONNRESET = 15, DEADLK = 16, DESTADDRREQ = 17, DOM = 18, DQUOT = 19, EXIST = 20,
  FAULT = 21, FBIG = 22, HOSTUNREACH = 23, IDRM = 24, ILSEQ = 25, INPROGRESS = 26, INTR = 27,
  INVAL = 28, IO = 29, ISCONN = 30, ISDIR = 31, LOOP = 32, MFILE = 33, MLINK = 34, MSGSIZE = 35,
  MULTIHOP = 36, NAMETOOLONG = 37, NETDOWN = 38, NETRESET = 39, NETUNREACH = 40, NFILE = 41,
  NOBUFS = 42, NODEV = 43, NOENT = 44, NOEXEC = 45, NOLCK = 46, NOLINK = 47, NOMEM = 48, NOMSG = 49,
  NOPROTOOPT = 50, NOSPC = 51, NOSYS = 52, NOTCONN = 53, NOTDIR = 54, NOTEMPTY = 55,
  NOTRECOVERABLE = 56, NOTSOCK = 57, NOTSUP = 58, NOTTY = 59, NXIO = 60, OVERFLOW = 61,
  OWNERDEAD = 62, PERM = 63, PIPE = 64, PROTO = 65, PROTONOSUPPORT = 66, PROTOTYPE = 67, RANGE = 68,
  ROFS = 69, SPIPE = 70, SRCH = 71, TIME = 72, TIMEDOUT = 73, TXTBSY = 74, XDEV = 75,
  NOTCAPABLE = 76,
}

/** Host error codes whose name differs from the WASI one (Linux aliases). */
const HOST_ALIASES: Record<string, Errno> = {
  EWOULDBLOCK: Errno.AGAIN,
  EOPNOTSUPP: Errno.NOTSUP,
  EDEADLOCK: Errno.DEADLK,
  ENOTBLK: Errno.NOTDIR,
  ENOTSUPP: Errno.NOTSUP,
};

/**
 * A failed host call as an errno, or undefined if `err` is not a WASI or host system error (so the
 * caller rethrows it: the runtime's exit unwind and real bugs must pass through untouched).
 * Node's `code` (`ENOENT`) names the errno after its `E`; an unknown code is EIO.
 */
export function errnoFromHostError(err: unknown): Errno | undefined {
  if (err instanceof WasiError) return err.errno;
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  // Node refuses a number it cannot pass to the system call (a file position or size from the
  // guest past 2^53 or 2^63): where Linux would say EINVAL (or EFBIG), before any system call.
  if (code === 'ERR_OUT_OF_RANGE') return Errno.INVAL;
  const isSystem = 'syscall' in err || typeof (err as { errno?: unknown }).errno === 'number';
  if (typeof code !== 'string' || !isSystem) return undefined;
  const alias = HOST_ALIASES[code];
  if (alias !== undefined) return alias;
  const name = code.startsWith('E') ? code.slice(1) : code;
  const value = (Errno as unknown as Record<string, number | undefined>)[name];
  return typeof value === 'number' ? value : Errno.IO;
}

/** Thrown inside a syscall to return `errno` to the guest; never escapes the import wrapper. */
export class WasiError extends Error {
  constructor(readonly errno: Errno, message?: string) {
    super(message ?? `WASI errno ${Errno[errno]}`);
    this.name = 'WasiError';
  }
}

/** Throws `WasiError(errno)` unless `cond`; keeps argument checks to one line each. */
export function check(cond: boolean, errno: Errno): asserts cond {
  if (!cond) throw new WasiError(errno);
}
