// The same measurements with emscripten pthreads, for comparison. Built by build.sh with
// -DMODE=SPAWN, PINGPONG, THROUGHPUT, STARTUP or EXIT. Output: the ns timestamps the matching .wat writes, in the
// same order, as decimal text (emscripten 3.1.6 without a filesystem prints stdout as text lines).
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static _Atomic int word;
static uint64_t stamps[200][2];

static void wait_for(int want) {
  int v;
  while ((v = atomic_load(&word)) != want) __builtin_wasm_memory_atomic_wait32((int *)&word, v, -1);
}
static void set_and_wake(int value) {
  atomic_store(&word, value);
  __builtin_wasm_memory_atomic_notify((int *)&word, 1);
}

#if MODE == SPAWN
static void *spawned(void *arg) {
  stamps[(intptr_t)arg][1] = now_ns();
  return 0;
}
int main(void) {
  usleep(1000000);
  for (intptr_t i = 0; i < 200; i++) {
    pthread_t t;
    stamps[i][0] = now_ns();
    pthread_create(&t, 0, spawned, (void *)i);
    pthread_join(t, 0);
    usleep(2000);
  }
  for (int i = 0; i < 200; i++) printf("%llu %llu\n", (unsigned long long)stamps[i][0], (unsigned long long)stamps[i][1]);
  return 0;
}
#elif MODE == PINGPONG
static void *peer(void *arg) {
  for (;;) { wait_for(1); set_and_wake(2); }
}
int main(void) {
  pthread_t t;
  uint64_t batches[21];
  pthread_create(&t, 0, peer, 0);
  for (int k = 0; k < 1000; k++) { set_and_wake(1); wait_for(2); }
  for (int b = 0; b < 20; b++) {
    batches[b] = now_ns();
    for (int k = 0; k < 500; k++) { set_and_wake(1); wait_for(2); }
  }
  batches[20] = now_ns();
  for (int b = 0; b < 21; b++) printf("%llu\n", (unsigned long long)batches[b]);
  fflush(stdout);
  _exit(0);
}
#elif MODE == EXIT
// exit-latency.mjs: exit(5) from main while one thread is blocked in a futex wait and another
// spins; prints CLOCK_REALTIME (ns) just before exiting.
static _Atomic int spin;
static void *blocked(void *arg) { wait_for(1); return 0; }
static void *busy(void *arg) { for (;;) atomic_fetch_add(&spin, 1); return 0; }
int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, blocked, 0);
  pthread_create(&b, 0, busy, 0);
  while (atomic_load(&spin) == 0) usleep(1000);
  usleep(200000);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  printf("%llu\n", (unsigned long long)ts.tv_sec * 1000000000u + (unsigned long long)ts.tv_nsec);
  fflush(stdout);
  exit(5);
}
#elif MODE == THROUGHPUT
static void *joined(void *arg) { return arg; }
static void cycles(int n) {
  for (int i = 0; i < n; i++) {
    pthread_t t;
    pthread_create(&t, 0, joined, 0);
    pthread_join(t, 0);
  }
}
int main(void) {
  uint64_t batches[6];
  cycles(100);
  for (int b = 0; b < 5; b++) {
    batches[b] = now_ns();
    cycles(200);
  }
  batches[5] = now_ns();
  for (int b = 0; b < 6; b++) printf("%llu\n", (unsigned long long)batches[b]);
  fflush(stdout);
  return 0;
}
#else
static void *spawned(void *arg) {
  set_and_wake(1);
  return 0;
}
int main(void) {
  pthread_t t;
  pthread_create(&t, 0, spawned, 0);
  wait_for(1);
  pthread_join(t, 0);
  return 0;
}
#endif
