// The C memory functions that the compiler emits calls to on its own (struct
// copies, zero-initialisation, __builtin_mem*) even in freestanding code.
// Compiled into the kernel and the loader, which both link without a C
// library; host tests use the C library's and test lib/memory.cpp directly.
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
    lib::fill_bytes(destination, uint8_t(value), size);
    return destination;
}

int memcmp(const void* a, const void* b, size_t size) { return lib::compare_bytes(a, b, size); }

// clang may lower an equality-only memcmp to bcmp (any non-zero means differ).
int bcmp(const void* a, const void* b, size_t size) { return lib::compare_bytes(a, b, size); }

}  // extern "C"
