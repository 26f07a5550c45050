;; Guest for spawn-join.mjs: back-to-back spawn + join throughput. It first lets the pool come up
;; (1 s, as spawn-latency.wat does: emscripten's PTHREAD_POOL_SIZE workers are loaded before its
;; main runs, ours boot behind _start, one at a time), then 100 warm-up cycles, then 5 batches of
;; 200 cycles; a cycle spawns a thread, which sets @0 to its argument and wakes main, and
;; main waits for it (what a join waits for) before the next spawn. Writes the 6 batch-boundary
;; timestamps (clock_time_get MONOTONIC, ns) as little-endian u64s to stdout. Exit 2 if a spawn fails.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (i32.atomic.store (i32.const 0) (local.get $arg))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func $cycles (param $from i32) (param $n i32) (local $i i32) (local $v i32) (local $want i32)
    (loop $cycle
      (local.set $want (i32.add (local.get $from) (local.get $i)))
      (if (i32.le_s (call $spawn (local.get $want)) (i32.const 0)) (then (call $proc_exit (i32.const 2))))
      (block $joined
        (loop $wait
          (local.set $v (i32.atomic.load (i32.const 0)))
          (br_if $joined (i32.eq (local.get $v) (local.get $want)))
          (drop (memory.atomic.wait32 (i32.const 0) (local.get $v) (i64.const -1)))
          (br $wait)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $cycle (i32.lt_u (local.get $i) (local.get $n)))))
  (func $stamp (param $k i32)
    (drop (call $clock (i32.const 1) (i64.const 0) (i32.add (i32.const 1024) (i32.shl (local.get $k) (i32.const 3))))))
  (func (export "_start") (local $b i32)
    (drop (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const 1000000000)))
    (call $cycles (i32.const 1) (i32.const 100))
    (loop $batch
      (call $stamp (local.get $b))
      (call $cycles (i32.add (i32.const 1000) (i32.mul (local.get $b) (i32.const 200))) (i32.const 200))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $batch (i32.lt_u (local.get $b) (i32.const 5))))
    (call $stamp (i32.const 5))
    (i32.store (i32.const 900) (i32.const 1024))
    (i32.store (i32.const 904) (i32.const 48))
    (drop (call $fd_write (i32.const 1) (i32.const 900) (i32.const 1) (i32.const 908)))
    (call $proc_exit (i32.const 0))))
