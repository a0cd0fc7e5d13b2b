// ELF64 kernel validation and load planning (docs/limine-protocol.md §1-2). Pure logic:
// works on the file's bytes, computes where each PT_LOAD goes; the UEFI side
// then allocates one contiguous physical block and copies.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace loader {

inline constexpr uint64_t kHigherHalfKernelBase = 0xffffffff80000000ULL;
inline constexpr size_t kMaxLoadSegments = 16;

enum SegmentFlags : uint32_t { kSegmentExecute = 1, kSegmentWrite = 2, kSegmentRead = 4 };  // ELF p_flags

struct LoadSegment {
    uint64_t virtual_address;  // p_vaddr (+ slide for ET_DYN), page-aligned down
    uint64_t memory_size;      // bytes to map, page-rounded, covering p_memsz
    uint64_t file_offset;      // where the initialised bytes start in the file
    uint64_t file_size;        // initialised bytes (the rest is zeroed BSS)
    uint64_t copy_offset;      // offset of those bytes inside the mapped pages
    uint32_t flags;            // SegmentFlags
};

struct LoadPlan {
    uint64_t entry;         // virtual entry point (after slide)
    uint64_t virtual_base;  // lowest mapped virtual address (page aligned)
    uint64_t image_size;    // bytes of one contiguous block covering all segments
    uint64_t alignment;     // physical alignment wanted (max p_align, at least 4 KiB)
    bool relocatable;       // ET_DYN
    uint64_t slide;         // virtual_base minus the linked base (0 for ET_EXEC); pass to apply_relocations
    LoadSegment segments[kMaxLoadSegments];
    size_t segment_count = 0;
};

// Validates the header and program headers: ELF64, little-endian, x86_64,
// ET_EXEC or ET_DYN, every offset and size inside the file, PT_LOAD segments
// that do not overlap and (for ET_EXEC) lie at or above kHigherHalfKernelBase,
// p_filesz <= p_memsz. For ET_DYN the image is placed at `dyn_base` (e.g.
// kHigherHalfKernelBase), keeping its internal layout.
lib::Expected<LoadPlan> plan_kernel_load(lib::Bytes file, uint64_t dyn_base = kHigherHalfKernelBase);

// Copies the segments of a validated file into `image` (image_size bytes,
// the block at virtual_base), zeroing gaps and BSS.
void copy_segments(lib::Bytes file, const LoadPlan& plan, uint8_t* image);

// For ET_DYN: applies R_X86_64_RELATIVE relocations from PT_DYNAMIC
// (DT_RELA/DT_RELASZ/DT_RELAENT) to the copied image. Any other relocation
// type is kUnsupported. A no-op for ET_EXEC.
lib::Expected<void> apply_relocations(lib::Bytes file, const LoadPlan& plan, uint8_t* image, uint64_t slide);

}  // namespace loader
