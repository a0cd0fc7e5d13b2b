#include "loader/gdt.hpp"

#include "lib/x86_64/descriptors.hpp"

namespace loader {

// The assembly's selectors (gdt_selectors.h) name the protocol's layout.
static_assert(kCode32Selector == x86_64::limine_gdt::kCode32);
static_assert(kData32Selector == x86_64::limine_gdt::kData32);
static_assert(kKernelCodeSelector == x86_64::limine_gdt::kCode64);
static_assert(kKernelDataSelector == x86_64::limine_gdt::kData64);
static_assert(kTssSelector / 8 == x86_64::limine_gdt::kSegmentCount);

void fill_limine_gdt(uint64_t* gdt) {
    for (size_t i = 0; i < x86_64::limine_gdt::kSegmentCount; ++i) gdt[i] = x86_64::limine_gdt::kSegments[i];
    // SDM Vol. 3A §8.2.3: the empty TSS, base 0 and limit 0, available (LTR
    // makes it busy); its upper half (base bits 63:32) is 0.
    x86_64::SystemDescriptor tss = x86_64::tss_descriptor(0, 0);
    gdt[kTssSelector / 8] = tss.low;
    gdt[kTssSelector / 8 + 1] = tss.high;
}

}  // namespace loader
