// hello-threads: the example `npm run example` runs. Four threads on the host-managed ABI, each with
// its own _Thread_local block, adding to one shared atomic counter; main waits for them on a futex
// and prints what every thread saw. Freestanding C: no libc, so it links in memory with the built-in
// linker (`wasmthreads run hello-threads.o`). Rebuild with ./build.sh.
#include <stdint.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
IMPORT("wasmthreads", "thread_spawn") int thread_spawn(int func, int arg);
IMPORT("wasmthreads", "thread_join") int thread_join(int tid);
typedef struct { const char *buf; unsigned long len; } ciovec;
IMPORT("wasi_snapshot_preview1", "fd_write") int fd_write(int fd, const ciovec *iovs, int n, unsigned long *written);

#define THREADS 4

static _Thread_local int greeting_count = 1000;  // every thread starts from .tdata's 1000
static int shared_total;                          // one word for everybody, updated atomically
static int finished;                              // futex word: threads that are done
static int seen[THREADS + 1];

static void worker(int index) {
  for (int i = 0; i < index; i++) greeting_count++;  // private: no other thread sees this
  seen[index] = greeting_count;
  __atomic_fetch_add(&shared_total, index, __ATOMIC_SEQ_CST);
  __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
  __builtin_wasm_memory_atomic_notify(&finished, 1);
}

static char *put(char *p, const char *s) { while (*s) *p++ = *s++; return p; }
static char *put_int(char *p, int v) {
  char tmp[12]; int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}
static void say(char *start, char *end) {
  *end++ = '\n';
  ciovec iov = { start, (unsigned long)(end - start) };
  unsigned long written;
  fd_write(1, &iov, 1, &written);
}

void _start(void) {
  int tids[THREADS + 1];
  for (int i = 1; i <= THREADS; i++) tids[i] = thread_spawn((int)(uintptr_t)&worker, i);
  // Wait on the futex until every worker has checked in (thread_join would do too; this shows the
  // memory.atomic.wait32 path the runtime serves for real programs' mutexes and condvars).
  int done;
  while ((done = __atomic_load_n(&finished, __ATOMIC_SEQ_CST)) < THREADS)
    __builtin_wasm_memory_atomic_wait32(&finished, done, -1);
  for (int i = 1; i <= THREADS; i++) thread_join(tids[i]);
  char line[80];
  for (int i = 1; i <= THREADS; i++) {
    char *p = put(line, "thread ");
    p = put_int(p, tids[i]);
    p = put(p, ": my greeting_count is ");
    say(line, put_int(p, seen[i]));
  }
  char *p = put(line, "main: my greeting_count is still ");
  say(line, put_int(p, greeting_count));
  p = put(line, "shared total: ");
  say(line, put_int(p, shared_total));
}
