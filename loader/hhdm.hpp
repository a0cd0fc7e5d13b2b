// The HHDM offset the kernel will see (docs/limine-protocol.md §2) and the conversion of
// the loader's physical (= identity) pointers into it: every pointer handed
// to the kernel is an HHDM address (docs/limine-protocol.md, preamble).
#pragma once

#include <stdint.h>

namespace loader::hhdm {

// A random HHDM offset (randomise_hhdm_base): 1 GiB aligned, within 64 TiB
// above Limine's fixed offset for that paging mode. Pure: `random` is the
// only input.
uint64_t random_hhdm_offset(unsigned levels, uint64_t random);

// Set once, when the paging mode is chosen.
void set_offset(uint64_t offset);
uint64_t offset();

inline uint64_t from_physical(uint64_t physical) {
    return physical + offset();
}

template <typename T>
T* from_pointer(T* pointer) {
    return pointer ? reinterpret_cast<T*>(reinterpret_cast<uint64_t>(pointer) + offset()) : nullptr;
}

}  // namespace loader::hhdm
