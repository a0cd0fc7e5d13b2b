// Where a relocatable (ET_DYN) kernel goes when the entry has `kaslr: yes`
// (docs/limine-protocol.md §5): a random, aligned base inside the top 2 GiB, so code
// built for the kernel code model (-mcmodel=kernel) still reaches itself.
// Pure logic; the caller supplies the random number.
#pragma once

#include <stdint.h>

namespace loader {

inline constexpr uint64_t kKaslrRegionBase = 0xffffffff80000000ULL;  // the top 2 GiB

// A base in [kKaslrRegionBase, 2^64 - image_size], a multiple of `alignment`
// (a power of two, at least 4 KiB), picked by `random`. Returns
// kKaslrRegionBase when the image does not fit (or nothing else would).
uint64_t kaslr_base(uint64_t image_size, uint64_t alignment, uint64_t random);

}  // namespace loader
