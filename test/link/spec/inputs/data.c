// Initialized data, zero data, a string and two constructors with priorities: segment layout,
// __wasm_init_memory under shared memory, and the order __wasm_call_ctors calls them in. The
// constructors store through volatile so that the compiler cannot run them at compile time.
int initialized = 42;
int zeroed[64];
const char *greeting = "hello";
volatile int order[4];
volatile int n;
__attribute__((constructor(200))) static void second(void) { order[n++] = 2; }
__attribute__((constructor(101))) static void first(void) { order[n++] = 1; }
int get(int i) { return order[i] + initialized + zeroed[i] + greeting[0]; }
void _start(void) {}
