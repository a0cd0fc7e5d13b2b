// Allocation of the VM's own small objects (regions, shared-memory pages
// indexes, address spaces) that fails instead of panicking: a user program
// decides how many regions exist, so running out of kernel heap must become
// ENOMEM for that program, not a kernel panic (the kernel's operator new
// panics on failure).
//
//   Vma* vma = vm::create<Vma>();        // nullptr when the heap is exhausted
//   vm::destroy(vma);
//
// Host tests can make the N-th next allocation fail (fail_allocation_after)
// to drive every ENOMEM path.
#pragma once

#include <stddef.h>

#include "lib/placement_new.hpp"
#include "lib/utility.hpp"

namespace vm {

void* allocate_bytes(size_t size, size_t alignment);
void free_bytes(void* pointer);

template <typename T, typename... Args>
T* create(Args&&... args) {
    void* memory = allocate_bytes(sizeof(T), alignof(T));
    if (!memory) return nullptr;
    return new (memory) T(lib::forward<Args>(args)...);
}

template <typename T>
void destroy(T* object) {
    if (!object) return;
    object->~T();
    free_bytes(object);
}

#if defined(HOST_TEST)
// The `count`-th allocation from now (0 = the next) fails, and only it;
// a negative count turns failure injection off.
void fail_allocation_after(long count);
#endif

}  // namespace vm
