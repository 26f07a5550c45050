;; Guest for benchmarks/wasi/path-open.mjs: the cost of resolving a path in the sandbox. Each of
;; SAMPLES batches runs ITERS × (path_open("a/b/c/file.txt") in preopen fd 3 + fd_close) and
;; measures the mean ns per pair with clock_time_get(MONOTONIC) around the batch. Writes the
;; SAMPLES means as little-endian u64s to stdout. The memory is the module's own (exported, not
;; shared), so node:wasi can run the same binary.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (global $SAMPLES i32 (i32.const 15))
  (global $ITERS i32 (i32.const 1000))
  ;; Memory: 100 the path; 120 the opened fd; 160 clock out; 168 nwritten; 900 ciovec; 1024.. results.
  (data (i32.const 100) "a/b/c/file.txt")

  (func $now (result i64)
    (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 160)))
    (i64.load (i32.const 160)))

  (func $batch (result i64)
    (local $i i32) (local $t0 i64)
    (local.set $t0 (call $now))
    (loop $again
      ;; SYMLINK_FOLLOW, rights FD_READ (as open(path, O_RDONLY) asks).
      (if (call $path_open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 14) (i32.const 0)
            (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 120))
        (then (call $proc_exit (i32.const 1))))
      (drop (call $fd_close (i32.load (i32.const 120))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (global.get $ITERS))))
    (i64.div_u (i64.sub (call $now) (local.get $t0)) (i64.extend_i32_u (global.get $ITERS))))

  (func (export "_start") (local $k i32)
    (loop $samples
      (i64.store (i32.add (i32.const 1024) (i32.shl (local.get $k) (i32.const 3))) (call $batch))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $samples (i32.lt_u (local.get $k) (global.get $SAMPLES))))
    (i32.store (i32.const 900) (i32.const 1024))
    (i32.store (i32.const 904) (i32.shl (global.get $SAMPLES) (i32.const 3)))
    (drop (call $fd_write (i32.const 1) (i32.const 900) (i32.const 1) (i32.const 168)))))
