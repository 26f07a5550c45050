// C++ names for the name section: a member function, a static data member, two template
// instances, a file-local function and an exported C entry point.
namespace ns { struct Widget { int v; int get() const; static int count; }; int Widget::get() const { return v + count; } int Widget::count = 3; }
template <typename T> T twice(T x) { return x + x; }
static int hidden(int x) { return x * 3; }
extern "C" int entry(int x) { ns::Widget w{x}; return twice(w.get()) + twice<long>(x) + hidden(x); }
