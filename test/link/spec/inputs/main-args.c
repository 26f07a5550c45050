// A C main that takes arguments: clang names it __main_argc_argv (the caller must know its
// signature); wasm-ld names it main in the name section.
int main(int argc, char **argv) { return argc + (argv != 0); }
