;; A wasi-threads program without a libc, following the ABI as wasi-libc does: the start argument
;; points at { stack pointer @0, TLS base @4 }, loaded by wasi_thread_start into __stack_pointer and
;; __tls_base before any other code. Four threads each print a line with fd_write; main waits for
;; all four on a futex (memory.atomic.wait32) and exits with proc_exit(0).
;;   wat2wasm --enable-threads examples/wasi-threads.wat -o examples/wasi-threads.wasm
;;   node bin/wasmthreads.js run examples/wasi-threads.wasm
(module
  (import "wasi" "thread-spawn" (func $thread_spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "memory" (memory 2 2 shared))
  (global $__stack_pointer (mut i32) (i32.const 0x8000))
  (global $__tls_base (mut i32) (i32.const 0))
  ;; "hello from thread N\n" (N patched per thread) at 0x100; done counter at 0x10.
  (data (i32.const 0x100) "hello from thread N\n")
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (global.set $__stack_pointer (i32.load offset=0 (local.get $arg)))
    (global.set $__tls_base (i32.load offset=4 (local.get $arg)))
    (call $say (local.get $tid)))
  ;; Each thread builds its own line and iovec on its own stack, so nothing is shared but the text.
  (func $say (param $tid i32) (local $line i32)
    (local.set $line (i32.sub (global.get $__stack_pointer) (i32.const 64)))
    (memory.copy (local.get $line) (i32.const 0x100) (i32.const 20))
    (i32.store8 (i32.add (local.get $line) (i32.const 18)) (i32.add (i32.const 0x30) (local.get $tid)))
    (i32.store (i32.add (local.get $line) (i32.const 32)) (local.get $line))
    (i32.store (i32.add (local.get $line) (i32.const 36)) (i32.const 20))
    (drop (call $fd_write (i32.const 1) (i32.add (local.get $line) (i32.const 32)) (i32.const 1) (i32.add (local.get $line) (i32.const 40))))
    (drop (i32.atomic.rmw.add (i32.const 0x10) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0x10) (i32.const 1))))
  (func (export "_start") (local $i i32) (local $arg i32) (local $done i32)
    (loop $spawn
      ;; Thread i gets 4 KiB of stack ending at 0x9000 + i * 0x1000; its start argument sits at the top.
      (local.set $arg (i32.add (i32.const 0x9000) (i32.mul (local.get $i) (i32.const 0x1000))))
      (i32.store offset=0 (local.get $arg) (i32.sub (local.get $arg) (i32.const 16)))
      (i32.store offset=4 (local.get $arg) (i32.const 0))
      (if (i32.le_s (call $thread_spawn (local.get $arg)) (i32.const 0)) (then (call $proc_exit (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spawn (i32.lt_u (local.get $i) (i32.const 4))))
    (block $all
      (loop $wait
        (local.set $done (i32.atomic.load (i32.const 0x10)))
        (br_if $all (i32.eq (local.get $done) (i32.const 4)))
        (drop (memory.atomic.wait32 (i32.const 0x10) (local.get $done) (i64.const -1)))
        (br $wait)))
    (call $proc_exit (i32.const 0))))
