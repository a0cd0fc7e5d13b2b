// What lld-link wants of a C runtime that the loader does not have. The
// memory functions clang emits calls to come from lib/memory_symbols.cpp.
extern "C" {
// clang emits a reference to _fltused when floating point appears anywhere
// in a Windows-target object; the loader uses none (-mgeneral-regs-only),
// but defining it keeps lld-link quiet if a header ever does.
int _fltused = 0;
}
