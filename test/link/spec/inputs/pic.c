// Position-independent code (-fPIC): a local function's address is R_WASM_TABLE_INDEX_REL_SLEB
// (added to __table_base), a local datum's is R_WASM_MEMORY_ADDR_REL_SLEB (added to
// __memory_base), an extern datum and an extern function go through the GOT.
static int local_fn(int x) { return x * 2; }
int (*get_fn(void))(int) { return local_fn; }
static int local_data = 11;
int *get_data(void) { return &local_data; }
extern int ext_data;
int *get_ext(void) { return &ext_data; }
extern int ext_fn(int);
int (*get_ext_fn(void))(int) { return ext_fn; }
