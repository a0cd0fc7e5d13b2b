#include "loader/kaslr.hpp"

namespace loader {

uint64_t kaslr_base(uint64_t image_size, uint64_t alignment, uint64_t random) {
    constexpr uint64_t kRegionSize = 0ULL - kKaslrRegionBase;  // 2 GiB
    if (alignment < 4096 || (alignment & (alignment - 1)) != 0 || image_size == 0 || image_size > kRegionSize)
        return kKaslrRegionBase;
    // Slots k with base = region + k * alignment and base + image_size <= 2^64.
    uint64_t slots = (kRegionSize - image_size) / alignment + 1;
    return kKaslrRegionBase + (random % slots) * alignment;
}

}  // namespace loader
