// Two thread-locals (one initialized: .tdata; one zero: .tbss) and a static: TLS layout,
// __wasm_init_tls and the TLS base relocations.
_Thread_local int counter = 5;
_Thread_local char buf[32];
static int shared_total = 7;
int bump(int x) {
  counter += x;
  buf[0] = (char)x;
  return counter + shared_total;
}
