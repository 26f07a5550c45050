// The linker's C++ demangler: LLVM's Itanium demangler as libc++abi exports it (`__cxa_demangle`),
// behind three exports the host calls (src/link/demangle/index.ts). Built by build.sh beside it.
typedef __SIZE_TYPE__ size_t;
void *malloc(size_t n);
void free(void *p);
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

/** The previous result, freed by the next call: the host copies it out before calling again. */
static char *last;

__attribute__((export_name("alloc"))) char *alloc(size_t n) { return malloc(n); }
__attribute__((export_name("release"))) void release(void *p) { free(p); }

/** The demangled form of the NUL-terminated `name`, or 0 when it is not a valid Itanium name. */
__attribute__((export_name("demangle"))) const char *demangle(const char *name) {
  free(last);
  int status = 0;
  last = __cxa_demangle(name, 0, 0, &status);
  return status == 0 ? last : 0;
}
