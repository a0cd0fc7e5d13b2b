#include "loader/gdt.hpp"

namespace loader {
namespace {

// A flat segment descriptor (SDM Vol. 3A §3.4.5): base 0, the given 20-bit
// limit, access byte (P, DPL, S, type) and flags nibble (G, D/B, L, AVL).
constexpr uint64_t descriptor(uint32_t limit, uint8_t access, uint8_t flags) {
    return (uint64_t(limit) & 0xffff) | (uint64_t(access) << 40) | (uint64_t((limit >> 16) & 0xf) << 48) |
           (uint64_t(flags & 0xf) << 52);
}

constexpr uint8_t kCodeAccess = 0x9a;          // present, DPL 0, code/data, execute/read
constexpr uint8_t kDataAccess = 0x92;          // present, DPL 0, code/data, read/write
constexpr uint8_t kTssAvailableAccess = 0x89;  // present, DPL 0, system, 64-bit TSS (available)
constexpr uint8_t kFlags16 = 0x0;              // byte granularity, 16-bit
constexpr uint8_t kFlags32 = 0xc;              // G=1 (4 KiB units), D/B=1
constexpr uint8_t kFlags64Code = 0xa;          // G=1, L=1 (D must be 0 with L)

}  // namespace

void fill_limine_gdt(uint64_t* gdt) {
    gdt[0] = 0;
    gdt[1] = descriptor(0xffff, kCodeAccess, kFlags16);
    gdt[2] = descriptor(0xffff, kDataAccess, kFlags16);
    gdt[3] = descriptor(0xfffff, kCodeAccess, kFlags32);
    gdt[4] = descriptor(0xfffff, kDataAccess, kFlags32);
    gdt[5] = descriptor(0xfffff, kCodeAccess, kFlags64Code);
    gdt[6] = descriptor(0xfffff, kDataAccess, kFlags32);
    // SDM Vol. 3A §8.2.3: a 64-bit TSS descriptor, system type 9 (available;
    // LTR makes it 0xB, busy), present, DPL 0; base 0, limit 0; its upper
    // half (base bits 63:32) is 0.
    gdt[7] = descriptor(0, kTssAvailableAccess, 0);
    gdt[8] = 0;
}

}  // namespace loader
