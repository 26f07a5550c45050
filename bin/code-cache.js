// Loading a CommonJS bundle with V8's code cache kept on disk, for `wasmthreads link` (start.js).
//
// V8 compiles a function when it is first called. A link calls a few hundred of the linker's
// functions once each, so compiling them is a fixed cost of every link. A code cache made at the
// end of a link holds the bytecode of every function that link compiled, and the next process
// skips compiling them. Node's own compile cache (module.enableCompileCache, Node >= 22.1) is
// written when a module is loaded, before most of its functions have run. Node 20 has none.
// Measured on the C hello world against wasi-libc, 31 runs each: 171 → 154 ms of CPU on Node 20,
// 138 → 125 on Node 22 (against Node's compile cache), 154 → 141 on Node 26.
//
// Where it is kept: $TMPDIR/wasmthreads-code-cache-UID/, made mode 0700 and used only while it is
// a directory owned by this user that no one else can write (cached code is run as it stands).
// One file per bundle (by its path: two installs do not take turns replacing each other's cache)
// and Node version, whose first line is the key: the Node version and architecture, and the
// bundle's device, inode, size, modification and change times, so that a rebuilt or edited bundle
// never meets code cached for another. V8 also rejects a cache made by another V8, under other
// flags or for a source of another length. A rejected or stale cache is compiled from source as
// if there were none, and replaced. NODE_DISABLE_COMPILE_CACHE, Node's own switch, turns this off
// too.
//
// The cache records V8's flags as they were when it was made, and is rejected under any others:
// the caller sets its flags before `loadBundle` and calls `save` only if they are unchanged.

'use strict';

const { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { tmpdir } = require('node:os');
const { basename, dirname, join } = require('node:path');
const { Script } = require('node:vm');

/** The cache directory, made if missing; undefined when it is off or not safely ours. */
function cacheDirectory() {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const dir = join(tmpdir(), uid === undefined ? 'wasmthreads-code-cache' : `wasmthreads-code-cache-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (e?.code !== 'EEXIST') return undefined;
  }
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory()) return undefined;
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
  } catch {
    return undefined;
  }
  return dir;
}

/** The cache file's name for the bundle at `file` under this Node. */
function cacheFileName(file) {
  // FNV-1a over the path's UTF-16 units: a name, not a check (the key line is the check).
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193);
  return `${basename(file, '.cjs')}-${(h >>> 0).toString(16).padStart(8, '0')}-${process.version}-${process.arch}.bin`;
}

/** The file's contents and the key that names this version of it (both from one open file). */
function readSource(file) {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd, { bigint: true });
    const key = `${process.version} ${process.arch} ${st.dev} ${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
    return { key, source: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

/** The cached code stored under `key`, or undefined. */
function readCache(path, key) {
  let data;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  const newline = data.indexOf(10);
  if (newline === -1 || data.toString('latin1', 0, newline) !== key) return undefined;
  return data.subarray(newline + 1);
}

/**
 * Loads the CommonJS bundle `file`, with its cached code when there is a valid cache. Returns its
 * exports and `save()`, which stores the code compiled so far when the cache was missing, stale
 * or rejected. Nothing here fails the caller: without a usable cache the bundle loads as usual.
 */
function loadBundle(file) {
  const { key, source } = readSource(file);
  const dir = cacheDirectory();
  const cachePath = dir === undefined ? undefined : join(dir, cacheFileName(file));
  const cachedData = cachePath === undefined ? undefined : readCache(cachePath, key);
  // Node's CommonJS wrapper, on the source's first line so that its line numbers are unchanged.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {}, filename: file, id: file };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const fresh = cachedData !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    save() {
      if (cachePath === undefined || fresh) return;
      const temporary = `${cachePath}.${process.pid}.tmp`;
      try {
        writeFileSync(temporary, Buffer.concat([Buffer.from(`${key}\n`, 'latin1'), script.createCachedData()]), { mode: 0o600 });
        // Renamed into place: a process reading it meanwhile sees the old file or the new, whole.
        renameSync(temporary, cachePath);
      } catch {
        try {
          unlinkSync(temporary);
        } catch {
          // Never written.
        }
      }
    },
  };
}

module.exports = { cacheFileName, loadBundle };
