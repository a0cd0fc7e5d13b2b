// Where exec puts the parts of a new address space, with address space
// layout randomisation as Linux 6.1 does it on x86_64 (docs/vm.md, "Layout"):
//
//   stack top     STACK_TOP (0x7ffffffff000) minus up to 16 GiB, page aligned
//   mmap base     below the stack: the stack rlimit plus the stack's random
//                 range and guard gap (at least 128 MiB, at most 5/6 of user
//                 space), minus up to 1 TiB (28 random bits of pages)
//   PIE base      2/3 of user space plus up to 1 TiB (programs with an interpreter)
//   heap start    just above the program's BSS, plus up to 32 MiB
//
// With randomisation off (the aslr=off command-line switch, or a program
// run with ADDR_NO_RANDOMIZE) every random term is zero, so a program sees
// exactly the addresses it gets on Linux under `setarch -R`.
#pragma once

#include <stdint.h>

namespace vm {

// Where the random numbers come from: RDRAND/RDSEED-fed in the kernel,
// seeded in tests.
class RandomSource {
public:
    virtual uint64_t next() = 0;
    void fill(void* buffer, unsigned size);

protected:
    ~RandomSource() = default;
};

struct LayoutChoice {
    bool randomize = true;
    RandomSource* random = nullptr;     // needed when randomize is set
    uint64_t stack_limit = 8ULL << 20;  // RLIMIT_STACK (soft)
};

// Linux's constants for x86_64 with 4-level paging.
inline constexpr uint64_t kStackRandomMask = 0x3fffff;                 // STACK_RND_MASK: 22 bits of pages
inline constexpr unsigned kMmapRandomBits = 28;                        // vm.mmap_rnd_bits default
inline constexpr uint64_t kHeapRandomRange = 0x02000000;               // arch_randomize_brk: 32 MiB
inline constexpr uint64_t kDynBase = (((1ULL << 47) - 4096) / 3) * 2;  // ELF_ET_DYN_BASE

// The top of the stack (randomize_stack_top, then arch_align_stack and
// PAGE_ALIGN as setup_arg_pages does).
uint64_t choose_stack_top(const LayoutChoice& choice);
// The mmap bases (arch_pick_mmap_layout): top-down below `mmap_base`; the
// bottom-up fallback from `legacy_base`; MAP_32BIT from `map32_base`.
struct MmapBases {
    uint64_t mmap_base;
    uint64_t legacy_base;
    uint64_t map32_base;
};
MmapBases choose_mmap_bases(const LayoutChoice& choice);
// The load bias of a position-independent program that has an
// interpreter (before aligning it to the program's largest p_align).
uint64_t choose_dyn_base(const LayoutChoice& choice);
// The heap start after the program's end (arch_randomize_brk).
uint64_t choose_heap_start(const LayoutChoice& choice, uint64_t program_end);
// How far below its strings the initial stack starts (arch_align_stack's
// random part, 0..8191 bytes, before the 16-byte alignment).
uint64_t choose_stack_shuffle(const LayoutChoice& choice);

}  // namespace vm
