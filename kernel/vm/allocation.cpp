// vm::allocate_bytes: the kernel heap in the kernel, malloc in host tests.
#include "kernel/vm/allocation.hpp"

#if defined(HOST_TEST)
#include <stdlib.h>
#else
#include "kernel/mm/mm.hpp"
#endif

namespace vm {

#if defined(HOST_TEST)
namespace {
long allocations_until_failure = -1;
}

void fail_allocation_after(long count) {
    allocations_until_failure = count;
}

void* allocate_bytes(size_t size, size_t alignment) {
    if (allocations_until_failure >= 0 && allocations_until_failure-- == 0) return nullptr;
    if (alignment < sizeof(void*)) alignment = sizeof(void*);
    void* memory = nullptr;
    return posix_memalign(&memory, alignment, size) == 0 ? memory : nullptr;
}

void free_bytes(void* pointer) {
    free(pointer);
}
#else
void* allocate_bytes(size_t size, size_t alignment) {
    return mm::kmalloc_aligned(size, alignment);
}

void free_bytes(void* pointer) {
    mm::kfree(pointer);
}
#endif

}  // namespace vm
