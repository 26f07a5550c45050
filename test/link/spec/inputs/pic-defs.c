// The definitions pic.c refers to through the GOT.
int ext_data = 3;
int ext_fn(int x) { return x + 1; }
