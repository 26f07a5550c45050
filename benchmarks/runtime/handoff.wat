;; Raw futex hand-off, the anchor for spawn-latency.mjs: the same measurement as spawn-latency.wat
;; with the spawn replaced by a plain `memory.atomic.notify` to a thread that is already running and
;; blocked in `memory.atomic.wait32`. One waiter thread is spawned first; for i < 200 main reads
;; CLOCK_MONOTONIC into 4096+16i, stores i+1 at @32 and notifies it; the waiter, woken, reads the
;; clock into 4096+16i+8 first thing, stores i+1 at @0 and notifies main. Main waits for it, sleeps
;; 2 ms (as between warm spawns, so the waiter has been asleep as long as a pool worker has), and
;; repeats. At the end main writes the 200 pairs (3200 bytes) to stdout and exits 0.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32) (local $i i32)
    (loop $next
      (block $go
        (loop $wait
          (br_if $go (i32.ne (i32.atomic.load (i32.const 32)) (local.get $i)))
          (drop (memory.atomic.wait32 (i32.const 32) (local.get $i) (i64.const -1)))
          (br $wait)))
      (drop (call $clock (i32.const 1) (i64.const 1) (i32.add (i32.const 4104) (i32.shl (local.get $i) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.atomic.store (i32.const 0) (local.get $i))
      (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (i32.const 200)))))
  (func (export "_start") (local $i i32) (local $v i32)
    (if (i32.le_s (call $spawn (i32.const 0)) (i32.const 0)) (then (call $proc_exit (i32.const 2))))
    ;; let the pool come up before measuring, as spawn-latency.wat does
    (drop (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const 1000000000)))
    (loop $each
      (drop (call $clock (i32.const 1) (i64.const 1) (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.atomic.store (i32.const 32) (local.get $i))
      (drop (memory.atomic.notify (i32.const 32) (i32.const 1)))
      (block $done
        (loop $wait
          (local.set $v (i32.atomic.load (i32.const 0)))
          (br_if $done (i32.eq (local.get $v) (local.get $i)))
          (drop (memory.atomic.wait32 (i32.const 0) (local.get $v) (i64.const -1)))
          (br $wait)))
      (drop (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const 2000000)))
      (br_if $each (i32.lt_u (local.get $i) (i32.const 200))))
    (i32.store (i32.const 16) (i32.const 4096)) (i32.store (i32.const 20) (i32.const 3200))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $proc_exit (i32.const 0))))
