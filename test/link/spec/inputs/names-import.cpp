// A call to a C++ function nothing defines: imported under its mangled name.
int ext_mangled(int);
extern "C" int use(int x) { return ext_mangled(x) + 1; }
