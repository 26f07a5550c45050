// A real pthreads program for spawn-join-libc.mjs, built twice: against a threaded wasi-libc (for
// wasmthreads) and with emcc 3.1.6 -pthread. Each cycle is pthread_create + pthread_join of a
// thread that touches its _Thread_local and mallocs; the join frees the thread's block, which the
// next create gets back (as in real programs). Prints, for each batch of BATCH cycles, the mean µs
// per cycle, then "total <ms from main's start>".
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 250

static _Thread_local int tls_val = 7;

static void *work(void *arg) {
  tls_val += (int)(long)arg;
  char *p = malloc(100);
  memset(p, 1, 100);
  free(p);
  return (void *)(long)tls_val;
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  int batches = argc > 1 ? atoi(argv[1]) : 16;
  double start = now_us();
  for (int b = 0; b < batches; b++) {
    double s = now_us();
    for (long i = 0; i < BATCH; i++) {
      pthread_t t;
      void *r;
      if (pthread_create(&t, NULL, work, (void *)i) != 0 || pthread_join(t, &r) != 0 || (long)r != 7 + i) {
        printf("cycle %ld failed\n", i);
        return 1;
      }
    }
    printf("%.1f\n", (now_us() - s) / BATCH);
  }
  printf("total %.1f\n", (now_us() - start) / 1000);
  return 0;
}
