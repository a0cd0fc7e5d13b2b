// Segment and system descriptors as typed constexpr values (Intel SDM Vol. 3A
// §3.4.2 "Segment Selectors", §3.4.5 "Segment Descriptors" with Figure 3-8 and
// Table 3-1, §8.2.3 / Figure 8-4 "TSS Descriptor in 64-bit Mode"), and the GDT
// the Limine boot protocol hands over (docs/limine-protocol.md §3).
//
// Written once for everyone who builds a GDT: the loader (the GDT the kernel
// is entered with, and the APs' temporary GDT in the start-up trampoline),
// the kernel's AP hand-off (its copy of the protocol's GDT) and arch/x86_64
// (the kernel's own per-CPU GDT). Host-tested in descriptors_test.cpp.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace x86_64 {

// ---------------------------------------------------------------------------
// Selectors (SDM §3.4.2, Figure 3-6): index << 3 | TI << 2 | RPL.

enum class PrivilegeLevel : uint8_t { kKernel = 0, kUser = 3 };

constexpr uint16_t make_selector(uint16_t index, PrivilegeLevel rpl = PrivilegeLevel::kKernel) {
    return uint16_t((index << 3) | uint16_t(rpl));
}

// ---------------------------------------------------------------------------
// Code and data segment descriptors (SDM §3.4.5, Figure 3-8; the type field
// in Table 3-1). In 64-bit mode base and limit are ignored for CS/DS/ES/SS,
// but flat values (base 0, limit 4 GiB, G=1) keep the descriptors meaningful
// to anything that does read them (a debugger, compatibility mode, the
// 16/32-bit code of an AP start-up).
namespace descriptor_bits {
inline constexpr uint64_t kAccessed = 1ULL << 40;    // type bit 0: set up front, so the CPU never writes the GDT
inline constexpr uint64_t kReadWrite = 1ULL << 41;   // type bit 1: readable code / writable data
inline constexpr uint64_t kExecutable = 1ULL << 43;  // type bit 3: code segment
inline constexpr uint64_t kCodeOrData = 1ULL << 44;  // S: 1 = code/data, 0 = system (TSS, gates)
inline constexpr unsigned kDplShift = 45;            // bits 45..46
inline constexpr uint64_t kPresent = 1ULL << 47;
inline constexpr uint64_t kLongMode = 1ULL << 53;                 // L: 64-bit code segment
inline constexpr uint64_t kDefaultBig = 1ULL << 54;               // D/B: 32-bit; must be 0 when L = 1
inline constexpr uint64_t kGranularity = 1ULL << 55;              // G: limit counts 4 KiB units
inline constexpr uint64_t kFlatLimit = 0x000f'0000'0000'ffffULL;  // limit 0xfffff in bits 0..15 and 48..51
inline constexpr uint64_t k64KiBLimit = 0x0000'0000'0000'ffffULL; // limit 0xffff, byte granular: real-mode size
inline constexpr uint64_t kTypeTss64Available = 0x9ULL << 40;     // system type 1001b (SDM Table 3-2)
inline constexpr uint64_t kTypeTss64Busy = 0xbULL << 40;          // 1011b: set by LTR
}  // namespace descriptor_bits

// The operand size a code or data segment describes.
enum class SegmentWidth : uint8_t { k16, k32, k64 };

namespace detail {
constexpr uint64_t segment_shape(SegmentWidth width, bool code) {
    using namespace descriptor_bits;
    switch (width) {
        case SegmentWidth::k16:
            return k64KiBLimit;  // byte granular, D/B = 0
        case SegmentWidth::k32:
            return kFlatLimit | kGranularity | kDefaultBig;
        case SegmentWidth::k64:
            // L applies to code only; a "64-bit" data segment is the flat
            // 32-bit one (SS/DS attributes are ignored in 64-bit mode).
            return code ? (kFlatLimit | kGranularity | kLongMode) : (kFlatLimit | kGranularity | kDefaultBig);
    }
    return 0;
}
}  // namespace detail

// A present, accessed, base-0 code segment (execute/read) of the given width.
constexpr uint64_t code_segment(SegmentWidth width, PrivilegeLevel dpl) {
    using namespace descriptor_bits;
    return detail::segment_shape(width, true) | kAccessed | kReadWrite | kExecutable | kCodeOrData |
           (uint64_t(dpl) << kDplShift) | kPresent;
}

// A present, accessed, base-0 data segment (read/write) of the given width.
constexpr uint64_t data_segment(SegmentWidth width, PrivilegeLevel dpl) {
    using namespace descriptor_bits;
    return detail::segment_shape(width, false) | kAccessed | kReadWrite | kCodeOrData |
           (uint64_t(dpl) << kDplShift) | kPresent;
}

// The DPL field of a code/data or system descriptor.
constexpr unsigned descriptor_dpl(uint64_t descriptor) {
    return unsigned(descriptor >> descriptor_bits::kDplShift) & 3;
}

// ---------------------------------------------------------------------------
// A system-segment descriptor in 64-bit mode is 16 bytes (SDM Figure 8-4):
// the usual 8 with base bits 0..31, then base bits 32..63.
struct SystemDescriptor {
    uint64_t low;
    uint64_t high;
};

// A present, available 64-bit TSS descriptor, DPL 0.
constexpr SystemDescriptor tss_descriptor(uint64_t base, uint32_t limit) {
    using namespace descriptor_bits;
    uint64_t low = (uint64_t(limit) & 0xffff) | ((base & 0xffffff) << 16) | kTypeTss64Available | kPresent |
                   ((uint64_t(limit) >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
    return SystemDescriptor{low, base >> 32};
}

// Decoding, for tests and for checking what the CPU sees.
constexpr uint64_t system_descriptor_base(SystemDescriptor d) {
    return (d.low >> 16 & 0xffffff) | ((d.low >> 56 & 0xff) << 24) | (d.high << 32);
}
constexpr uint32_t system_descriptor_limit(SystemDescriptor d) {
    return uint32_t((d.low & 0xffff) | ((d.low >> 48 & 0xf) << 16));
}

// ---------------------------------------------------------------------------
// The GDT of the Limine boot protocol (docs/limine-protocol.md §3): null,
// 16-bit code and data, 32-bit code and data, 64-bit code (0x28) and data
// (0x30), all DPL 0, base 0; the loader adds an empty TSS descriptor after
// them (base revision 5, docs/limine-protocol.md §7).
namespace limine_gdt {
inline constexpr uint16_t kCode16 = make_selector(1);
inline constexpr uint16_t kData16 = make_selector(2);
inline constexpr uint16_t kCode32 = make_selector(3);
inline constexpr uint16_t kData32 = make_selector(4);
inline constexpr uint16_t kCode64 = make_selector(5);
inline constexpr uint16_t kData64 = make_selector(6);
inline constexpr size_t kSegmentCount = 7;  // the null descriptor and the six above

inline constexpr uint64_t kSegments[kSegmentCount] = {
    0,
    code_segment(SegmentWidth::k16, PrivilegeLevel::kKernel),
    data_segment(SegmentWidth::k16, PrivilegeLevel::kKernel),
    code_segment(SegmentWidth::k32, PrivilegeLevel::kKernel),
    data_segment(SegmentWidth::k32, PrivilegeLevel::kKernel),
    code_segment(SegmentWidth::k64, PrivilegeLevel::kKernel),
    data_segment(SegmentWidth::k64, PrivilegeLevel::kKernel),
};
}  // namespace limine_gdt

}  // namespace x86_64
