// The four C memory functions clang may emit calls to on its own (struct
// copies, zeroing large objects), Windows target or not. The loader links
// with -nostdlib, so they come from lib/memory.
#include <stddef.h>
#include <stdint.h>

#include "lib/memory.hpp"

extern "C" {
void* memcpy(void* destination, const void* source, size_t size) {
    lib::copy_bytes(destination, source, size);
    return destination;
}
void* memmove(void* destination, const void* source, size_t size) {
    lib::move_bytes(destination, source, size);
    return destination;
}
void* memset(void* destination, int value, size_t size) {
    lib::fill_bytes(destination, static_cast<uint8_t>(value), size);
    return destination;
}
int memcmp(const void* a, const void* b, size_t size) {
    return lib::compare_bytes(a, b, size);
}
// clang emits a reference to _fltused when floating point appears anywhere
// in a Windows-target object; the loader uses none (-mgeneral-regs-only),
// but defining it keeps lld-link quiet if a header ever does.
int _fltused = 0;
}
