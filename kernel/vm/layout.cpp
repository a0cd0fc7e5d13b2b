// Address space layout and its randomisation (see layout.hpp). The
// formulas are Linux 6.1's: arch/x86/mm/mmap.c (arch_pick_mmap_layout,
// mmap_base, arch_randomize_brk), fs/binfmt_elf.c (randomize_stack_top,
// ELF_ET_DYN_BASE) and arch/x86/kernel/process.c (arch_align_stack).
#include "kernel/vm/layout.hpp"

#include "kernel/abi/linux_mm.hpp"
#include "lib/utility.hpp"

namespace vm {
namespace {

constexpr uint64_t kPage = uapi::kPageSize;
constexpr uint64_t page_align(uint64_t value) {
    return (value + kPage - 1) & ~(kPage - 1);
}

uint64_t random_pages(const LayoutChoice& choice, unsigned bits) {
    if (!choice.randomize) return 0;
    return (choice.random->next() & ((1ULL << bits) - 1)) * kPage;
}

// A page-aligned address in [start, start + range) (randomize_page).
uint64_t randomize_page(const LayoutChoice& choice, uint64_t start, uint64_t range) {
    if (!choice.randomize) return start;
    if (start & (kPage - 1)) {
        range -= page_align(start) - start;
        start = page_align(start);
    }
    if (start > ~0ULL - range) range = ~0ULL - start;
    range /= kPage;
    if (range == 0) return start;
    return start + (choice.random->next() % range) * kPage;
}

}  // namespace

void RandomSource::fill(void* buffer, unsigned size) {
    auto* bytes = static_cast<uint8_t*>(buffer);
    while (size) {
        uint64_t value = next();
        unsigned n = size < 8 ? size : 8;
        __builtin_memcpy(bytes, &value, n);
        bytes += n;
        size -= n;
    }
}

uint64_t choose_stack_top(const LayoutChoice& choice) {
    uint64_t top = uapi::kStackTop;
    if (choice.randomize) {
        top -= (choice.random->next() & kStackRandomMask) * kPage;
        top -= choice.random->next() % 8192;
    }
    return page_align(top & ~15ULL);
}

MmapBases choose_mmap_bases(const LayoutChoice& choice) {
    uint64_t random = random_pages(choice, kMmapRandomBits);
    uint64_t task = uapi::kTaskSize;
    // Room for the stack to grow: its limit, its random range and guard gap,
    // but at least 128 MiB and at most 5/6 of user space.
    uint64_t gap = choice.stack_limit;
    uint64_t pad = (choice.randomize ? kStackRandomMask * kPage : 0) + uapi::kStackGuardGap;
    if (gap + pad > gap) gap += pad;
    gap = lib::max<uint64_t>(gap, 128ULL << 20);
    gap = lib::min<uint64_t>(gap, task / 6 * 5);
    MmapBases bases;
    bases.mmap_base = page_align(task - gap - random);
    bases.legacy_base = page_align(task / 3) + random;
    bases.map32_base = randomize_page(choice, 0x40000000, 0x02000000);
    return bases;
}

uint64_t choose_dyn_base(const LayoutChoice& choice) {
    return kDynBase + random_pages(choice, kMmapRandomBits);
}

uint64_t choose_heap_start(const LayoutChoice& choice, uint64_t program_end) {
    return randomize_page(choice, program_end, kHeapRandomRange);
}

uint64_t choose_stack_shuffle(const LayoutChoice& choice) {
    return choice.randomize ? choice.random->next() % 8192 : 0;
}

}  // namespace vm
