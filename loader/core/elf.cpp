// ELF64 kernel validation, load planning, copying and relocation (docs/limine-protocol.md
// §1-2). Field offsets follow the System V ABI gABI "ELF-64 Object File
// Format" (file header, program header) and the x86-64 psABI §4.4
// (relocations). Every offset and size read from the file is checked against
// the file's length before use, with overflow-checked arithmetic, because the
// kernel file is untrusted input read from disk.
#include "loader/core/elf.hpp"

#include "lib/bytes.hpp"
#include "lib/utility.hpp"

namespace loader {
namespace {

using lib::Error;
using lib::ErrorCode;
using lib::range_inside;
using lib::read_u16;
using lib::read_u32;
using lib::read_u64;

constexpr uint64_t kPageSize = 4096;
// An image larger than this is refused: a higher-half kernel has 2 GiB of
// room at most, and a hostile p_memsz must not make the loader ask UEFI for
// absurd amounts of memory.
constexpr uint64_t kMaxImageSize = 1ULL << 30;
constexpr uint64_t kMaxSegmentAlignment = 1ULL << 30;

// e_ident and header fields (gABI "ELF Header").
constexpr size_t kEhdrSize = 64;
constexpr uint8_t kElfClass64 = 2;
constexpr uint8_t kElfData2Lsb = 1;
constexpr uint8_t kEvCurrent = 1;
constexpr uint16_t kEtExec = 2;
constexpr uint16_t kEtDyn = 3;
constexpr uint16_t kEmX86_64 = 62;
constexpr uint16_t kPnXnum = 0xffff;

// Program header (gABI "Program Header").
constexpr size_t kPhdrSize = 56;
constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtDynamic = 2;

// Dynamic section tags (gABI "Dynamic Section") and x86-64 relocations.
constexpr uint64_t kDtNull = 0;
constexpr uint64_t kDtPltRelSz = 2;
constexpr uint64_t kDtRela = 7;
constexpr uint64_t kDtRelaSz = 8;
constexpr uint64_t kDtRelaEnt = 9;
constexpr uint64_t kDtRel = 17;
constexpr uint64_t kDtRelSz = 18;
constexpr uint64_t kDtRelrSz = 35;
constexpr size_t kDynSize = 16;
constexpr size_t kRelaSize = 24;
constexpr uint32_t kRX86_64None = 0;
constexpr uint32_t kRX86_64Relative = 8;

struct ProgramHeader {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};

ProgramHeader read_program_header(lib::Bytes file, uint64_t at) {
    return ProgramHeader{read_u32(file, at + 0),  read_u32(file, at + 4),  read_u64(file, at + 8),
                         read_u64(file, at + 16), read_u64(file, at + 32), read_u64(file, at + 40),
                         read_u64(file, at + 48)};
}

struct HeaderFacts {
    uint16_t type;
    uint64_t entry;
    uint64_t phoff;
    uint16_t phnum;
};

lib::Expected<HeaderFacts> check_header(lib::Bytes file) {
    if (file.size() < kEhdrSize)
        return Error::make(ErrorCode::kENODATA, "ELF: file is shorter than the 64-byte ELF64 header");
    if (!lib::bytes_equal(file, 0,
                          "\x7f"
                          "ELF",
                          4))
        return Error::make(ErrorCode::kEINVAL, "ELF: bad magic (not an ELF file)");
    const uint8_t* h = file.data();
    if (h[4] != kElfClass64) return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: not a 64-bit ELF file (EI_CLASS)");
    if (h[5] != kElfData2Lsb) return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: not little-endian (EI_DATA)");
    if (h[6] != kEvCurrent) return Error::make(ErrorCode::kEINVAL, "ELF: unknown ELF version (EI_VERSION)");

    HeaderFacts facts{read_u16(file, 16), read_u64(file, 24), read_u64(file, 32), read_u16(file, 56)};
    uint16_t machine = read_u16(file, 18);
    uint16_t phentsize = read_u16(file, 54);
    if (machine != kEmX86_64) return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: machine is not x86_64 (e_machine)");
    if (facts.type != kEtExec && facts.type != kEtDyn)
        return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: type is neither ET_EXEC nor ET_DYN (e_type)");
    if (read_u32(file, 20) != kEvCurrent)
        return Error::make(ErrorCode::kEINVAL, "ELF: unknown ELF version (e_version)");
    if (facts.phnum == 0) return Error::make(ErrorCode::kEINVAL, "ELF: no program headers (e_phnum is 0)");
    if (facts.phnum == kPnXnum)
        return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: extended program header count (PN_XNUM) not supported");
    if (phentsize != kPhdrSize) return Error::make(ErrorCode::kEINVAL, "ELF: e_phentsize is not 56");
    if (!range_inside(facts.phoff, static_cast<uint64_t>(facts.phnum) * kPhdrSize, file.size()))
        return Error::make(ErrorCode::kENODATA, "ELF: program headers run past the end of the file");
    return facts;
}

// Messages naming the segment index (static storage, no formatting): index
// into these for the first 16 segments, the last one for any later index.
#define LOADER_ELF_SEGMENT_MESSAGES(what)                                                                       \
    {                                                                                                           \
        "ELF: segment 0 " what, "ELF: segment 1 " what, "ELF: segment 2 " what, "ELF: segment 3 " what,         \
            "ELF: segment 4 " what, "ELF: segment 5 " what, "ELF: segment 6 " what, "ELF: segment 7 " what,     \
            "ELF: segment 8 " what, "ELF: segment 9 " what, "ELF: segment 10 " what, "ELF: segment 11 " what,   \
            "ELF: segment 12 " what, "ELF: segment 13 " what, "ELF: segment 14 " what, "ELF: segment 15 " what, \
            "ELF: a segment after the 15th " what                                                               \
    }

const char* indexed(const char* const (&messages)[17], size_t index) {
    return messages[index < 16 ? index : 16];
}

constexpr const char* kFileszOverMemsz[17] = LOADER_ELF_SEGMENT_MESSAGES("has p_filesz larger than p_memsz");
constexpr const char* kPastEnd[17] = LOADER_ELF_SEGMENT_MESSAGES("has file bytes past the end of the file");
constexpr const char* kWraps[17] = LOADER_ELF_SEGMENT_MESSAGES("wraps around the end of the address space");
constexpr const char* kBadAlign[17] = LOADER_ELF_SEGMENT_MESSAGES("has p_align that is not a power of two");
constexpr const char* kHugeAlign[17] = LOADER_ELF_SEGMENT_MESSAGES("has p_align above 1 GiB");
constexpr const char* kBelowBase[17] = LOADER_ELF_SEGMENT_MESSAGES("lies below 0xffffffff80000000 (ET_EXEC)");
constexpr const char* kOverlapsPrevious[17] = LOADER_ELF_SEGMENT_MESSAGES("overlaps an earlier segment");
constexpr const char* kSharesPage[17] =
    LOADER_ELF_SEGMENT_MESSAGES("shares a 4 KiB page with an earlier segment (permissions are per page)");

#undef LOADER_ELF_SEGMENT_MESSAGES

// "segment 2 overlaps segment 1" for the common small indices; the generic
// message above otherwise.
const char* overlap_message(size_t later, size_t earlier) {
    static constexpr const char* kPairs[4][4] = {
        {nullptr, nullptr, nullptr, nullptr},
        {"ELF: segment 1 overlaps segment 0", nullptr, nullptr, nullptr},
        {"ELF: segment 2 overlaps segment 0", "ELF: segment 2 overlaps segment 1", nullptr, nullptr},
        {"ELF: segment 3 overlaps segment 0", "ELF: segment 3 overlaps segment 1", "ELF: segment 3 overlaps segment 2",
         nullptr},
    };
    if (later < 4 && earlier < later) return kPairs[later][earlier];
    return indexed(kOverlapsPrevious, later);
}

}  // namespace

lib::Expected<LoadPlan> plan_kernel_load(lib::Bytes file, uint64_t dyn_base) {
    HeaderFacts facts = TRY(check_header(file));

    LoadPlan plan{};
    plan.relocatable = facts.type == kEtDyn;
    plan.alignment = kPageSize;

    // Byte ranges [start, end) of the PT_LOAD segments as linked, for the
    // overlap checks; segment index in program-header order among PT_LOADs.
    uint64_t link_starts[kMaxLoadSegments];
    uint64_t link_ends[kMaxLoadSegments];
    uint64_t link_base = UINT64_MAX;
    uint64_t link_end = 0;

    for (size_t i = 0; i < facts.phnum; ++i) {
        ProgramHeader ph = read_program_header(file, facts.phoff + i * kPhdrSize);
        if (ph.type != kPtLoad) continue;
        size_t index = plan.segment_count;
        if (ph.filesz > ph.memsz) return Error::make(ErrorCode::kEINVAL, indexed(kFileszOverMemsz, index));
        if (ph.memsz == 0) continue;  // maps nothing; linkers emit these for empty sections
        if (index == kMaxLoadSegments) return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: more than 16 PT_LOAD segments");
        if (!range_inside(ph.offset, ph.filesz, file.size()))
            return Error::make(ErrorCode::kENODATA, indexed(kPastEnd, index));
        uint64_t end = 0;
        // The page-rounded end must fit too, so the rounding below cannot wrap.
        if (!lib::checked_add(ph.vaddr, ph.memsz, end) || end > UINT64_MAX - (kPageSize - 1))
            return Error::make(ErrorCode::kEINVAL, indexed(kWraps, index));
        if (ph.align > 1) {
            if (!lib::is_power_of_two(ph.align)) return Error::make(ErrorCode::kEINVAL, indexed(kBadAlign, index));
            if (ph.align > kMaxSegmentAlignment) return Error::make(ErrorCode::kEOPNOTSUPP, indexed(kHugeAlign, index));
            plan.alignment = lib::max(plan.alignment, ph.align);
        }
        if (!plan.relocatable && ph.vaddr < kHigherHalfKernelBase)
            return Error::make(ErrorCode::kERANGE, indexed(kBelowBase, index));

        uint64_t page_start = lib::align_down(ph.vaddr, kPageSize);
        uint64_t page_end = lib::align_up(end, kPageSize);
        for (size_t j = 0; j < index; ++j) {
            if (ph.vaddr < link_ends[j] && link_starts[j] < end)
                return Error::make(ErrorCode::kEINVAL, overlap_message(index, j));
            uint64_t other_page_start = lib::align_down(link_starts[j], kPageSize);
            uint64_t other_page_end = lib::align_up(link_ends[j], kPageSize);
            if (page_start < other_page_end && other_page_start < page_end)
                return Error::make(ErrorCode::kEINVAL, indexed(kSharesPage, index));
        }
        link_starts[index] = ph.vaddr;
        link_ends[index] = end;
        link_base = lib::min(link_base, page_start);
        link_end = lib::max(link_end, page_end);

        LoadSegment& segment = plan.segments[index];
        segment.virtual_address = page_start;
        segment.memory_size = page_end - page_start;
        segment.file_offset = ph.offset;
        segment.file_size = ph.filesz;
        segment.copy_offset = ph.vaddr - page_start;
        segment.flags = ph.flags & (kSegmentExecute | kSegmentWrite | kSegmentRead);
        plan.segment_count = index + 1;
    }
    if (plan.segment_count == 0) return Error::make(ErrorCode::kEINVAL, "ELF: no PT_LOAD segment with p_memsz > 0");

    plan.image_size = link_end - link_base;
    if (plan.image_size > kMaxImageSize)
        return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: loaded image would span more than 1 GiB");

    // An entry of 0 is allowed: the kernel may name its entry point through
    // the Entry Point request instead (docs/limine-protocol.md §3). Otherwise it must be
    // inside a loaded segment.
    if (facts.entry != 0) {
        bool inside = false;
        for (size_t j = 0; j < plan.segment_count; ++j)
            inside = inside || (facts.entry >= link_starts[j] && facts.entry < link_ends[j]);
        if (!inside) return Error::make(ErrorCode::kEINVAL, "ELF: entry point is outside every PT_LOAD segment");
    }

    if (plan.relocatable) {
        uint64_t placed_end = 0;
        if (!lib::is_aligned(dyn_base, kPageSize))
            return Error::make(ErrorCode::kEINVAL, "ELF: requested base for ET_DYN is not 4 KiB aligned");
        if (!lib::checked_add(dyn_base, plan.image_size, placed_end))
            return Error::make(ErrorCode::kERANGE, "ELF: ET_DYN image does not fit above the requested base");
        plan.slide = dyn_base - link_base;  // modulo 2^64, as the psABI's B - link base
    } else {
        plan.slide = 0;
    }
    plan.virtual_base = link_base + plan.slide;
    plan.entry = facts.entry == 0 ? 0 : facts.entry + plan.slide;
    for (size_t j = 0; j < plan.segment_count; ++j) plan.segments[j].virtual_address += plan.slide;
    return plan;
}

void copy_segments(lib::Bytes file, const LoadPlan& plan, uint8_t* image) {
    // Plain loops instead of memset/memcpy: the loader has no C library, and
    // -ffreestanding keeps clang from turning these loops into calls.
    for (uint64_t i = 0; i < plan.image_size; ++i) image[i] = 0;
    for (size_t s = 0; s < plan.segment_count; ++s) {
        const LoadSegment& segment = plan.segments[s];
        uint64_t destination = segment.virtual_address - plan.virtual_base + segment.copy_offset;
        // Re-checked so that a plan not made from this file cannot write
        // outside the image or read outside the file.
        if (!range_inside(segment.file_offset, segment.file_size, file.size())) continue;
        if (!range_inside(destination, segment.file_size, plan.image_size)) continue;
        const uint8_t* source = file.data() + segment.file_offset;
        for (uint64_t i = 0; i < segment.file_size; ++i) image[destination + i] = source[i];
    }
}

lib::Expected<void> apply_relocations(lib::Bytes file, const LoadPlan& plan, uint8_t* image, uint64_t slide) {
    if (!plan.relocatable) return {};
    HeaderFacts facts = TRY(check_header(file));
    uint64_t link_base = plan.virtual_base - slide;

    // Find PT_DYNAMIC; a relocatable image without one has nothing to fix up.
    bool found_dynamic = false;
    ProgramHeader dynamic{};
    for (size_t i = 0; i < facts.phnum; ++i) {
        ProgramHeader ph = read_program_header(file, facts.phoff + i * kPhdrSize);
        if (ph.type != kPtDynamic) continue;
        if (found_dynamic) return Error::make(ErrorCode::kEINVAL, "ELF: more than one PT_DYNAMIC");
        found_dynamic = true;
        dynamic = ph;
    }
    if (!found_dynamic) return {};
    if (!range_inside(dynamic.offset, dynamic.filesz, file.size()))
        return Error::make(ErrorCode::kENODATA, "ELF: PT_DYNAMIC runs past the end of the file");

    uint64_t rela = 0, rela_size = 0, rela_entry = kRelaSize;
    bool has_rela = false;
    bool terminated = false;
    for (uint64_t at = dynamic.offset; at + kDynSize <= dynamic.offset + dynamic.filesz; at += kDynSize) {
        uint64_t tag = read_u64(file, at);
        uint64_t value = read_u64(file, at + 8);
        if (tag == kDtNull) {
            terminated = true;
            break;
        }
        switch (tag) {
            case kDtRela:
                rela = value;
                has_rela = true;
                break;
            case kDtRelaSz: rela_size = value; break;
            case kDtRelaEnt: rela_entry = value; break;
            case kDtRel:
            case kDtRelSz:
                if (tag == kDtRel || value != 0)
                    return Error::make(ErrorCode::kEOPNOTSUPP,
                                       "ELF: DT_REL relocations are not supported (only DT_RELA)");
                break;
            case kDtRelrSz:
                if (value != 0)
                    return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: DT_RELR relocations are not supported");
                break;
            case kDtPltRelSz:
                if (value != 0)
                    return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: PLT relocations are not supported in a kernel");
                break;
            default: break;
        }
    }
    if (!terminated) return Error::make(ErrorCode::kEINVAL, "ELF: dynamic section has no DT_NULL terminator");
    if (!has_rela || rela_size == 0) return {};
    if (rela_entry != kRelaSize) return Error::make(ErrorCode::kEINVAL, "ELF: DT_RELAENT is not 24");
    if (rela_size % kRelaSize != 0) return Error::make(ErrorCode::kEINVAL, "ELF: DT_RELASZ is not a multiple of 24");

    // DT_RELA is a link-time virtual address: read the table from the file
    // bytes of the PT_LOAD that holds it (not from the image, which the
    // relocations themselves modify).
    uint64_t table_offset = UINT64_MAX;
    for (size_t i = 0; i < facts.phnum; ++i) {
        ProgramHeader ph = read_program_header(file, facts.phoff + i * kPhdrSize);
        if (ph.type != kPtLoad || rela < ph.vaddr) continue;
        uint64_t into = rela - ph.vaddr;
        if (range_inside(into, rela_size, ph.filesz) && range_inside(ph.offset, ph.filesz, file.size())) {
            table_offset = ph.offset + into;
            break;
        }
    }
    if (table_offset == UINT64_MAX)
        return Error::make(ErrorCode::kEINVAL, "ELF: DT_RELA table is not inside the file bytes of a PT_LOAD");

    for (uint64_t at = table_offset; at < table_offset + rela_size; at += kRelaSize) {
        uint64_t target = read_u64(file, at);
        uint64_t info = read_u64(file, at + 8);
        uint64_t addend = read_u64(file, at + 16);
        uint32_t type = static_cast<uint32_t>(info & 0xffffffffu);
        if (type == kRX86_64None) continue;
        if (type != kRX86_64Relative)
            return Error::make(ErrorCode::kEOPNOTSUPP, "ELF: relocation type other than R_X86_64_RELATIVE");
        // psABI: R_X86_64_RELATIVE stores B + A; with a non-zero link base,
        // B is the slide and A already holds the link-time address.
        uint64_t place = target - link_base;  // wraps far past the image when target < link_base
        if (target < link_base || !lib::write_u64(lib::Span<uint8_t>(image, plan.image_size), place, addend + slide))
            return Error::make(ErrorCode::kERANGE, "ELF: relocation target is outside the loaded image").with(target);
    }
    return {};
}

}  // namespace loader
