;; Futex ping-pong: main and one thread hand a turn word (@0) back and forth with
;; memory.atomic.wait32/notify, 20 batches of 500 round trips; main reads CLOCK_MONOTONIC around
;; each batch into 4096+8b and writes the 21 timestamps (168 bytes) to stdout.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  ;; waits until @0 == want, then stores next and wakes the peer
  (func $turn (param $want i32) (param $next i32) (local $v i32)
    (block $mine
      (loop $wait
        (local.set $v (i32.atomic.load (i32.const 0)))
        (br_if $mine (i32.eq (local.get $v) (local.get $want)))
        (drop (memory.atomic.wait32 (i32.const 0) (local.get $v) (i64.const -1)))
        (br $wait)))
    (i32.atomic.store (i32.const 0) (local.get $next))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "wasi_thread_start") (param i32 i32)
    (loop $forever (call $turn (i32.const 1) (i32.const 2)) (br $forever)))
  (func (export "_start") (local $b i32) (local $k i32)
    (if (i32.le_s (call $spawn (i32.const 0)) (i32.const 0)) (then (call $proc_exit (i32.const 2))))
    ;; warm-up
    (loop $warm (call $turn (i32.const 0) (i32.const 1)) (call $turn (i32.const 2) (i32.const 0))
      (local.set $k (i32.add (local.get $k) (i32.const 1))) (br_if $warm (i32.lt_u (local.get $k) (i32.const 1000))))
    (loop $batch
      (drop (call $clock (i32.const 1) (i64.const 1) (i32.add (i32.const 4096) (i32.shl (local.get $b) (i32.const 3)))))
      (local.set $k (i32.const 0))
      (loop $rt (call $turn (i32.const 0) (i32.const 1)) (call $turn (i32.const 2) (i32.const 0))
        (local.set $k (i32.add (local.get $k) (i32.const 1))) (br_if $rt (i32.lt_u (local.get $k) (i32.const 500))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $batch (i32.lt_u (local.get $b) (i32.const 20))))
    (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 4256)))
    (i32.store (i32.const 16) (i32.const 4096)) (i32.store (i32.const 20) (i32.const 168))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $proc_exit (i32.const 0))))
