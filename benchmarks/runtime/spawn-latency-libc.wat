;; spawn-latency.wat with wasi-libc's thread trampoline: `wasi_thread_start(tid, arg)` first loads the
;; new thread's stack pointer and TLS base from its start argument into __stack_pointer and
;; __tls_base, as wasi-libc's does, so the host checks the thread's memory isolation on every spawn
;; (a 1 KiB stack floor and a __tls_size-byte TLS block, compared with the main thread's and every
;; live thread's). Each thread gets the same block [0xbc00, 0xc010), as a libc whose allocator hands
;; a joined thread's block to the next one does. The start argument of spawn i is at 8192 + 8i:
;; { stack top, TLS base }. Otherwise as spawn-latency.wat: the clock pairs at 4096 + 16i.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (global $sp (export "__stack_pointer") (mut i32) (i32.const 0x8000))
  (global $tls (export "__tls_base") (mut i32) (i32.const 0))
  (global (export "__tls_size") i32 (i32.const 16))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (global.set $sp (i32.load (local.get $arg)))
    (global.set $tls (i32.load offset=4 (local.get $arg)))
    (drop (call $clock (i32.const 1) (i64.const 1)
      (i32.add (i32.const 4104) (i32.shl (i32.shr_u (i32.sub (local.get $arg) (i32.const 8192)) (i32.const 3)) (i32.const 4)))))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "_start") (local $i i32) (local $v i32) (local $arg i32)
    ;; let the pool come up before measuring
    (drop (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const 1000000000)))
    (loop $each
      (local.set $arg (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 3))))
      (i32.store (local.get $arg) (i32.const 0xc000))
      (i32.store offset=4 (local.get $arg) (i32.const 0xc000))
      (drop (call $clock (i32.const 1) (i64.const 1) (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 4)))))
      (if (i32.le_s (call $spawn (local.get $arg)) (i32.const 0)) (then (call $proc_exit (i32.const 2))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
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
