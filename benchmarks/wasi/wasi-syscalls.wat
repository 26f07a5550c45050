;; Guest for benchmarks/wasi/wasi-syscalls.mjs: times WASI calls from inside a wasmthreads worker.
;; Opens "null" in preopen fd 3 (the script preopens /dev), then for each of SAMPLES batches of
;; ITERS calls measures the mean ns per call of fd_write (one 20-byte iovec to /dev/null) and of
;; clock_time_get(MONOTONIC), with clock_time_get around each batch. Writes the 2 × SAMPLES means
;; as little-endian u64s to stdout (fd_write batches first).
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))

  (global $SAMPLES i32 (i32.const 21))
  (global $ITERS i32 (i32.const 2000))
  ;; Memory: 100 "null"; 120 the null fd; 128 ciovec {200, 20}; 160 clock out; 168 nwritten;
  ;; 1024.. results (u64 each); 900 ciovec over the results.

  (func $now (result i64)
    (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 160)))
    (i64.load (i32.const 160)))

  ;; Mean ns per call of one batch; $which 0 = fd_write, 1 = clock_time_get.
  (func $batch (param $which i32) (result i64)
    (local $i i32) (local $t0 i64)
    (local.set $t0 (call $now))
    (loop $again
      (if (local.get $which)
        (then (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 176))))
        (else (drop (call $fd_write (i32.load (i32.const 120)) (i32.const 128) (i32.const 1) (i32.const 168)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (global.get $ITERS))))
    (i64.div_u (i64.sub (call $now) (local.get $t0)) (i64.extend_i32_u (global.get $ITERS))))

  (func (export "_start")
    (local $k i32) (local $which i32)
    (i32.store (i32.const 100) (i32.const 0x6c6c756e)) ;; "null"
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 4) (i32.const 0)
          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 120))
      (then (call $proc_exit (i32.const 1))))
    (i32.store (i32.const 128) (i32.const 200))
    (i32.store (i32.const 132) (i32.const 20))
    (loop $kinds
      (local.set $k (i32.const 0))
      (loop $samples
        (i64.store
          (i32.add (i32.const 1024) (i32.shl (i32.add (i32.mul (local.get $which) (global.get $SAMPLES)) (local.get $k)) (i32.const 3)))
          (call $batch (local.get $which)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $samples (i32.lt_u (local.get $k) (global.get $SAMPLES))))
      (local.set $which (i32.add (local.get $which) (i32.const 1)))
      (br_if $kinds (i32.lt_u (local.get $which) (i32.const 2))))
    (i32.store (i32.const 900) (i32.const 1024))
    (i32.store (i32.const 904) (i32.mul (global.get $SAMPLES) (i32.const 16)))
    (drop (call $fd_write (i32.const 1) (i32.const 900) (i32.const 1) (i32.const 168)))
    (call $proc_exit (i32.const 0))))
