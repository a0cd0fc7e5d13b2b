// A class with a virtual destructor makes clang emit a "deleting destructor"
// that references operator delete, whether or not anything is ever deleted.
// These weak definitions satisfy the linker until the kernel heap provides
// the real (strong) ones; reaching one means a delete without a heap.
#include <stddef.h>

#include "kernel/debug/panic.hpp"

[[gnu::weak]] void operator delete(void* pointer) noexcept {
    PANIC("operator delete({}) called, but the kernel has no heap yet", pointer);
}

[[gnu::weak]] void operator delete(void* pointer, size_t size) noexcept {
    PANIC("operator delete({}, {}) called, but the kernel has no heap yet", pointer, size);
}
