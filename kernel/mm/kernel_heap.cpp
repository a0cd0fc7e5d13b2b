// The kernel heap's C-style API and the C++ allocation operators. The strong
// operator delete definitions here replace the weak placeholders in
// kernel/rt/operator_delete.cpp. No exceptions: a failed `new` panics.
#include <stddef.h>

#include "kernel/debug/panic.hpp"
#include "kernel/mm/mm.hpp"

// <new> is not available freestanding; the aligned forms take this type.
namespace std {
enum class align_val_t : size_t {};
}

namespace mm {

void* kmalloc(size_t size) {
    return heap().allocate(size);
}
void* kmalloc_aligned(size_t size, size_t alignment) {
    return heap().allocate(size, alignment);
}
void* kcalloc(size_t count, size_t size) {
    return heap().allocate_zeroed(count, size);
}
void* krealloc(void* pointer, size_t size) {
    return heap().reallocate(pointer, size);
}
void kfree(void* pointer) {
    heap().free(pointer);
}

}  // namespace mm

namespace {

void* allocate_or_panic(size_t size, size_t alignment) {
    if (!mm::heap().ready()) PANIC("operator new({}) before mm::init()", size);
    void* pointer = mm::heap().allocate(size, alignment);
    if (!pointer) PANIC("operator new: out of memory for {} bytes (alignment {})", size, alignment);
    return pointer;
}

}  // namespace

void* operator new(size_t size) {
    return allocate_or_panic(size, mm::Heap::kDefaultAlignment);
}
void* operator new[](size_t size) {
    return allocate_or_panic(size, mm::Heap::kDefaultAlignment);
}
void* operator new(size_t size, std::align_val_t alignment) {
    return allocate_or_panic(size, size_t(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment) {
    return allocate_or_panic(size, size_t(alignment));
}

void operator delete(void* pointer) noexcept {
    mm::kfree(pointer);
}
void operator delete[](void* pointer) noexcept {
    mm::kfree(pointer);
}
void operator delete(void* pointer, size_t) noexcept {
    mm::kfree(pointer);
}
void operator delete[](void* pointer, size_t) noexcept {
    mm::kfree(pointer);
}
void operator delete(void* pointer, std::align_val_t) noexcept {
    mm::kfree(pointer);
}
void operator delete[](void* pointer, std::align_val_t) noexcept {
    mm::kfree(pointer);
}
void operator delete(void* pointer, size_t, std::align_val_t) noexcept {
    mm::kfree(pointer);
}
void operator delete[](void* pointer, size_t, std::align_val_t) noexcept {
    mm::kfree(pointer);
}
