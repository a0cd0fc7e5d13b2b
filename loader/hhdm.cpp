#include "loader/hhdm.hpp"

#include "loader/paging.hpp"

namespace loader::hhdm {
namespace {
uint64_t g_offset = paging::kHhdmOffset4Level;
}  // namespace

uint64_t random_hhdm_offset(unsigned levels, uint64_t random) {
    constexpr uint64_t kGiB = 1ULL << 30;
    uint64_t base = levels == 5 ? paging::kHhdmOffset5Level : paging::kHhdmOffset4Level;
    // 64 TiB of 1 GiB slots from the fixed base: with up to 32 TiB of RAM
    // the map ends below base + 96 TiB, far from the top 2 TiB (4-level
    // PML4 slots 510 and 511) where kernels put their image and stacks.
    constexpr uint64_t kSlots = (1ULL << 46) / kGiB;
    return base + (random % kSlots) * kGiB;
}

void set_offset(uint64_t offset) {
    g_offset = offset;
}
uint64_t offset() {
    return g_offset;
}

}  // namespace loader::hhdm
