// Host tests of ELF load planning, copying and relocation, on ELF files built
// byte by byte here (and on the real kernel when the build has made one).
#include "loader/core/elf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "loader/core/requests.hpp"
#include "protocol/limine.hpp"

namespace {

using loader::LoadPlan;
using loader::plan_kernel_load;

constexpr uint64_t kBase = loader::kHigherHalfKernelBase;

void put(std::vector<uint8_t>& bytes, size_t at, uint64_t value, size_t width) {
    if (bytes.size() < at + width) bytes.resize(at + width);
    for (size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}
uint64_t get(const std::vector<uint8_t>& bytes, size_t at, size_t width) {
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) value |= static_cast<uint64_t>(bytes[at + i]) << (8 * i);
    return value;
}

struct Phdr {
    uint32_t type = 1;
    uint32_t flags = 4;
    uint64_t offset = 0;
    uint64_t vaddr = 0;
    uint64_t filesz = 0;
    uint64_t memsz = 0;
    uint64_t align = 0x1000;
};

struct ElfBuilder {
    uint16_t type = 2;  // ET_EXEC
    uint64_t entry = kBase;
    std::vector<Phdr> phdrs;
    std::vector<uint8_t> payload;  // appended after the headers; phdr offsets are absolute

    static constexpr size_t kPayloadStart = 0x1000;

    std::vector<uint8_t> build() const {
        std::vector<uint8_t> out(64, 0);
        out[0] = 0x7f, out[1] = 'E', out[2] = 'L', out[3] = 'F';
        out[4] = 2, out[5] = 1, out[6] = 1;
        put(out, 16, type, 2);
        put(out, 18, 62, 2);
        put(out, 20, 1, 4);
        put(out, 24, entry, 8);
        put(out, 32, 64, 8);  // e_phoff
        put(out, 52, 64, 2);  // e_ehsize
        put(out, 54, 56, 2);  // e_phentsize
        put(out, 56, phdrs.size(), 2);
        for (size_t i = 0; i < phdrs.size(); ++i) {
            size_t at = 64 + 56 * i;
            const Phdr& p = phdrs[i];
            put(out, at + 0, p.type, 4);
            put(out, at + 4, p.flags, 4);
            put(out, at + 8, p.offset, 8);
            put(out, at + 16, p.vaddr, 8);
            put(out, at + 24, p.vaddr, 8);
            put(out, at + 32, p.filesz, 8);
            put(out, at + 40, p.memsz, 8);
            put(out, at + 48, p.align, 8);
        }
        if (out.size() < kPayloadStart) out.resize(kPayloadStart);
        out.insert(out.end(), payload.begin(), payload.end());
        return out;
    }
};

// A kernel like ours: text RX at the base, rodata R, data RW with BSS.
ElfBuilder typical_kernel() {
    ElfBuilder b;
    b.payload.resize(0x3000);
    for (size_t i = 0; i < b.payload.size(); ++i) b.payload[i] = static_cast<uint8_t>(i * 7 + 1);
    b.phdrs.push_back({1, 5, 0x1000, kBase, 0x1000, 0x1000, 0x1000});
    b.phdrs.push_back({1, 4, 0x2000, kBase + 0x1000, 0x800, 0x800, 0x1000});
    b.phdrs.push_back({1, 6, 0x3000, kBase + 0x2000, 0x100, 0x3000, 0x1000});
    b.entry = kBase + 0x10;
    return b;
}

lib::Bytes view(const std::vector<uint8_t>& bytes) {
    return lib::Bytes(bytes.data(), bytes.size());
}

std::string error_of(const std::vector<uint8_t>& file) {
    auto plan = plan_kernel_load(view(file));
    return plan.has_value() ? "" : plan.error().message;
}

TEST(Elf, PlansTypicalKernel) {
    std::vector<uint8_t> file = typical_kernel().build();
    auto plan = plan_kernel_load(view(file));
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    EXPECT_EQ(plan->entry, kBase + 0x10);
    EXPECT_EQ(plan->virtual_base, kBase);
    EXPECT_EQ(plan->image_size, 0x5000u);
    EXPECT_EQ(plan->alignment, 0x1000u);
    EXPECT_FALSE(plan->relocatable);
    EXPECT_EQ(plan->slide, 0u);
    ASSERT_EQ(plan->segment_count, 3u);
    EXPECT_EQ(plan->segments[0].flags, loader::kSegmentRead | loader::kSegmentExecute);
    EXPECT_EQ(plan->segments[2].virtual_address, kBase + 0x2000);
    EXPECT_EQ(plan->segments[2].memory_size, 0x3000u);
    EXPECT_EQ(plan->segments[2].file_size, 0x100u);
    EXPECT_EQ(plan->segments[2].copy_offset, 0u);

    std::vector<uint8_t> image(plan->image_size, 0xcc);
    loader::copy_segments(view(file), *plan, image.data());
    EXPECT_EQ(0, std::memcmp(image.data(), file.data() + 0x1000, 0x1000));
    EXPECT_EQ(0, std::memcmp(image.data() + 0x1000, file.data() + 0x2000, 0x800));
    for (size_t i = 0x1800; i < 0x2000; ++i) ASSERT_EQ(image[i], 0) << i;  // gap after rodata zeroed
    EXPECT_EQ(0, std::memcmp(image.data() + 0x2000, file.data() + 0x3000, 0x100));
    for (size_t i = 0x2100; i < 0x5000; ++i) ASSERT_EQ(image[i], 0) << i;  // BSS zeroed
    EXPECT_TRUE(loader::apply_relocations(view(file), *plan, image.data(), 0).has_value());
}

TEST(Elf, UnalignedSegmentStartKeepsOffsetInsidePage) {
    ElfBuilder b = typical_kernel();
    b.phdrs.resize(1);
    b.phdrs[0] = {1, 5, 0x1010, kBase + 0x10, 0x20, 0x1000, 0x10};
    std::vector<uint8_t> file = b.build();
    auto plan = plan_kernel_load(view(file));
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    EXPECT_EQ(plan->segments[0].virtual_address, kBase);
    EXPECT_EQ(plan->segments[0].copy_offset, 0x10u);
    EXPECT_EQ(plan->segments[0].memory_size, 0x2000u);
    std::vector<uint8_t> image(plan->image_size, 0xcc);
    loader::copy_segments(view(file), *plan, image.data());
    EXPECT_EQ(image[0xf], 0);
    EXPECT_EQ(0, std::memcmp(image.data() + 0x10, file.data() + 0x1010, 0x20));
    EXPECT_EQ(image[0x30], 0);
}

TEST(Elf, SkipsNonLoadAndEmptySegments) {
    ElfBuilder b = typical_kernel();
    b.phdrs.insert(b.phdrs.begin(), Phdr{0x6474e551, 6, 0, 0, 0, 0, 16});  // PT_GNU_STACK
    b.phdrs.push_back({1, 6, 0, kBase + 0x100000, 0, 0, 0x1000});          // empty PT_LOAD
    auto plan = plan_kernel_load(view(b.build()));
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    EXPECT_EQ(plan->segment_count, 3u);
    EXPECT_EQ(plan->image_size, 0x5000u);
}

TEST(Elf, EmptyLoadWithFileBytesIsRejected) {
    ElfBuilder b = typical_kernel();
    b.phdrs.push_back({1, 6, 0x1000, kBase + 0x100000, 0x10, 0, 0x1000});
    EXPECT_NE(error_of(b.build()).find("segment 3 has p_filesz larger than p_memsz"), std::string::npos);
}

TEST(Elf, UnalignedProgramHeaderOffsetIsFine) {
    // e_phoff need not be 8-byte aligned for this reader (it reads bytes).
    std::vector<uint8_t> file = typical_kernel().build();
    std::vector<uint8_t> shifted(file.begin(), file.begin() + 64);
    shifted.push_back(0xaa);
    shifted.insert(shifted.end(), file.begin() + 64, file.end());
    put(shifted, 32, 65, 8);
    // Segment file offsets move by one byte too.
    for (int i = 0; i < 3; ++i) put(shifted, 65 + 56 * i + 8, get(shifted, 65 + 56 * i + 8, 8) + 1, 8);
    auto plan = plan_kernel_load(view(shifted));
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    std::vector<uint8_t> image(plan->image_size);
    loader::copy_segments(view(shifted), *plan, image.data());
    EXPECT_EQ(0, std::memcmp(image.data(), file.data() + 0x1000, 0x1000));
}

TEST(Elf, LargestAlignmentWins) {
    ElfBuilder b = typical_kernel();
    b.phdrs[1].align = 0x200000;
    auto plan = plan_kernel_load(view(b.build()));
    ASSERT_TRUE(plan.has_value());
    EXPECT_EQ(plan->alignment, 0x200000u);
}

TEST(Elf, EntryZeroAllowed) {
    ElfBuilder b = typical_kernel();
    b.entry = 0;
    auto plan = plan_kernel_load(view(b.build()));
    ASSERT_TRUE(plan.has_value());
    EXPECT_EQ(plan->entry, 0u);
}

using Bytes = std::vector<uint8_t>;

// File offset of field `field` of program header `index` (header at 64).
constexpr size_t ph(size_t index, size_t field) {
    return 64 + 56 * index + field;
}

struct Corruption {
    const char* name;
    void (*apply)(ElfBuilder&, Bytes&);
    const char* message_part;
};

TEST(Elf, EachDocumentedFailure) {
    const Corruption cases[] = {
        {"truncated header", [](ElfBuilder&, Bytes& f) { f.resize(63); }, "shorter than the 64-byte"},
        {"empty", [](ElfBuilder&, Bytes& f) { f.clear(); }, "shorter than the 64-byte"},
        {"magic", [](ElfBuilder&, Bytes& f) { f[1] = 'X'; }, "bad magic"},
        {"class", [](ElfBuilder&, Bytes& f) { f[4] = 1; }, "64-bit"},
        {"endianness", [](ElfBuilder&, Bytes& f) { f[5] = 2; }, "little-endian"},
        {"ident version", [](ElfBuilder&, Bytes& f) { f[6] = 0; }, "EI_VERSION"},
        {"machine", [](ElfBuilder&, Bytes& f) { put(f, 18, 3, 2); }, "x86_64"},
        {"type", [](ElfBuilder&, Bytes& f) { put(f, 16, 1, 2); }, "ET_EXEC nor ET_DYN"},
        {"e_version", [](ElfBuilder&, Bytes& f) { put(f, 20, 2, 4); }, "e_version"},
        {"phentsize", [](ElfBuilder&, Bytes& f) { put(f, 54, 64, 2); }, "e_phentsize"},
        {"phnum zero", [](ElfBuilder&, Bytes& f) { put(f, 56, 0, 2); }, "no program headers"},
        {"phnum xnum", [](ElfBuilder&, Bytes& f) { put(f, 56, 0xffff, 2); }, "PN_XNUM"},
        {"phoff past end", [](ElfBuilder&, Bytes& f) { put(f, 32, f.size() - 100, 8); }, "program headers run past"},
        {"phoff overflow", [](ElfBuilder&, Bytes& f) { put(f, 32, UINT64_MAX - 10, 8); }, "program headers run past"},
        {"phnum past end", [](ElfBuilder&, Bytes& f) { put(f, 56, 400, 2); }, "program headers run past"},
        {"filesz > memsz", [](ElfBuilder&, Bytes& f) { put(f, ph(1, 32), 0x900, 8); },
         "segment 1 has p_filesz larger than p_memsz"},
        {"offset past end", [](ElfBuilder&, Bytes& f) { put(f, ph(2, 8), f.size(), 8); },
         "segment 2 has file bytes past the end"},
        {"offset overflow", [](ElfBuilder&, Bytes& f) { put(f, ph(0, 8), UINT64_MAX - 8, 8); },
         "segment 0 has file bytes past the end"},
        {"vaddr wraps", [](ElfBuilder&, Bytes& f) { put(f, ph(2, 16), UINT64_MAX - 0x100, 8); }, "segment 2 wraps"},
        {"vaddr near top", [](ElfBuilder&, Bytes& f) { put(f, ph(2, 16), UINT64_MAX - 0x3000 - 5, 8); },
         "segment 2 wraps"},
        {"align not power of two", [](ElfBuilder&, Bytes& f) { put(f, ph(0, 48), 0x3000, 8); },
         "segment 0 has p_align that is not a power of two"},
        {"align huge", [](ElfBuilder&, Bytes& f) { put(f, ph(0, 48), 1ULL << 40, 8); }, "p_align above 1 GiB"},
        {"below higher half", [](ElfBuilder&, Bytes& f) { put(f, ph(0, 16), 0x100000, 8); },
         "segment 0 lies below 0xffffffff80000000"},
        {"overlap", [](ElfBuilder&, Bytes& f) { put(f, ph(2, 16), kBase + 0x1400, 8); },
         "segment 2 overlaps segment 1"},
        {"overlap first", [](ElfBuilder&, Bytes& f) { put(f, ph(1, 16), kBase + 0x800, 8); },
         "segment 1 overlaps segment 0"},
        {"shared page", [](ElfBuilder&, Bytes& f) { put(f, ph(2, 16), kBase + 0x1900, 8); },
         "segment 2 shares a 4 KiB page"},
        {"no PT_LOAD",
         [](ElfBuilder&, Bytes& f) {
             for (int i = 0; i < 3; ++i) put(f, ph(i, 0), 4, 4);
         },
         "no PT_LOAD"},
        {"entry outside", [](ElfBuilder&, Bytes& f) { put(f, 24, kBase + 0x100000, 8); }, "entry point is outside"},
        {"entry in gap", [](ElfBuilder&, Bytes& f) { put(f, 24, kBase + 0x1900, 8); }, "entry point is outside"},
        {"image too big", [](ElfBuilder&, Bytes& f) { put(f, ph(2, 40), (1ULL << 30) + 0x1000, 8); },
         "more than 1 GiB"},
    };
    for (const Corruption& c : cases) {
        ElfBuilder b = typical_kernel();
        std::vector<uint8_t> file = b.build();
        c.apply(b, file);
        std::vector<uint8_t> exact(file);  // exact-size copy for ASan
        std::string message = error_of(exact);
        EXPECT_NE(message, "") << c.name;
        EXPECT_NE(message.find(c.message_part), std::string::npos) << c.name << " -> " << message;
    }
}

TEST(Elf, TooManySegments) {
    ElfBuilder b;
    b.payload.resize(0x1000);
    for (int i = 0; i < 17; ++i) b.phdrs.push_back({1, 4, 0x1000, kBase + 0x1000 * i, 0x10, 0x10, 0x1000});
    EXPECT_NE(error_of(b.build()).find("more than 16 PT_LOAD"), std::string::npos);
    b.phdrs.pop_back();
    EXPECT_EQ(error_of(b.build()), "");
}

// A position-independent image linked at 0 with a .data word pointing into
// itself and a RELA table describing it.
struct DynImage {
    ElfBuilder builder;
    std::vector<uint8_t> file;
};

DynImage relocatable_kernel(uint32_t reloc_type = 8, uint64_t reloc_target = 0x1000) {
    DynImage d;
    ElfBuilder& b = d.builder;
    b.type = 3;
    b.entry = 0x10;
    b.payload.resize(0x2000);
    // Segment 0: text at vaddr 0 (file 0x1000). Segment 1: data at 0x1000
    // (file 0x2000) holding the pointer word, the dynamic section at 0x1100
    // and the RELA table at 0x1200.
    b.phdrs.push_back({1, 5, 0x1000, 0x0, 0x1000, 0x1000, 0x1000});
    b.phdrs.push_back({1, 6, 0x2000, 0x1000, 0x1000, 0x1000, 0x1000});
    b.phdrs.push_back({2, 6, 0x2100, 0x1100, 0x40, 0x40, 8});
    std::vector<uint8_t>& p = b.payload;
    put(p, 0x1000, 0, 8);  // the word to relocate (addend holds the value)
    size_t dyn = 0x1100;
    put(p, dyn + 0, 7, 8), put(p, dyn + 8, 0x1200, 8);  // DT_RELA
    put(p, dyn + 16, 8, 8), put(p, dyn + 24, 48, 8);    // DT_RELASZ: two entries
    put(p, dyn + 32, 9, 8), put(p, dyn + 40, 24, 8);    // DT_RELAENT
    put(p, dyn + 48, 0, 8), put(p, dyn + 56, 0, 8);     // DT_NULL
    size_t rela = 0x1200;
    put(p, rela + 0, reloc_target, 8), put(p, rela + 8, reloc_type, 8), put(p, rela + 16, 0x20, 8);
    put(p, rela + 24, 0, 8), put(p, rela + 32, 0, 8), put(p, rela + 40, 0, 8);  // R_X86_64_NONE
    d.file = b.build();
    return d;
}

TEST(Elf, RelocatableIsPlacedAndRelocated) {
    DynImage d = relocatable_kernel();
    auto plan = plan_kernel_load(view(d.file), kBase);
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    EXPECT_TRUE(plan->relocatable);
    EXPECT_EQ(plan->virtual_base, kBase);
    EXPECT_EQ(plan->slide, kBase);
    EXPECT_EQ(plan->entry, kBase + 0x10);
    EXPECT_EQ(plan->segments[1].virtual_address, kBase + 0x1000);
    std::vector<uint8_t> image(plan->image_size);
    loader::copy_segments(view(d.file), *plan, image.data());
    auto relocated = loader::apply_relocations(view(d.file), *plan, image.data(), plan->slide);
    ASSERT_TRUE(relocated.has_value()) << relocated.error().message;
    EXPECT_EQ(get(image, 0x1000, 8), kBase + 0x20);
}

TEST(Elf, RelocatableFailures) {
    struct Case {
        const char* name;
        DynImage image;
        void (*mutate)(std::vector<uint8_t>&);
        const char* message_part;
    };
    // The dynamic section is at file offset 0x2100 (payload 0x1100).
    std::vector<Case> cases = {
        {"type", relocatable_kernel(1), nullptr, "other than R_X86_64_RELATIVE"},
        {"target outside", relocatable_kernel(8, 0x5000), nullptr, "outside the loaded image"},
        {"target at the last bytes", relocatable_kernel(8, 0x1ffc), nullptr, "outside the loaded image"},
        {"relaent", relocatable_kernel(), [](std::vector<uint8_t>& f) { put(f, 0x2100 + 40, 16, 8); }, "DT_RELAENT"},
        {"relasz", relocatable_kernel(), [](std::vector<uint8_t>& f) { put(f, 0x2100 + 24, 47, 8); }, "DT_RELASZ"},
        {"rela outside", relocatable_kernel(), [](std::vector<uint8_t>& f) { put(f, 0x2100 + 8, 0x1ff0, 8); },
         "not inside the file bytes"},
        {"rela huge", relocatable_kernel(), [](std::vector<uint8_t>& f) { put(f, 0x2100 + 24, 24 * 0x100, 8); },
         "not inside the file bytes"},
        {"no DT_NULL", relocatable_kernel(), [](std::vector<uint8_t>& f) { put(f, 0x2100 + 48, 0x6ffffffb, 8); },
         "DT_NULL"},
        {"DT_REL", relocatable_kernel(), [](std::vector<uint8_t>& f) { put(f, 0x2100 + 32, 17, 8); }, "DT_REL"},
        {"dynamic past end", relocatable_kernel(), [](std::vector<uint8_t>& f) { put(f, 64 + 56 * 2 + 8, 0x10000, 8); },
         "PT_DYNAMIC runs past"},
    };
    for (Case& c : cases) {
        if (c.mutate) c.mutate(c.image.file);
        auto plan = plan_kernel_load(view(c.image.file), kBase);
        ASSERT_TRUE(plan.has_value()) << c.name << ": " << plan.error().message;
        std::vector<uint8_t> image(plan->image_size);
        loader::copy_segments(view(c.image.file), *plan, image.data());
        auto relocated = loader::apply_relocations(view(c.image.file), *plan, image.data(), plan->slide);
        ASSERT_FALSE(relocated.has_value()) << c.name;
        EXPECT_NE(std::string(relocated.error().message).find(c.message_part), std::string::npos)
            << c.name << " -> " << relocated.error().message;
    }
}

TEST(Elf, RelocatableBaseChecks) {
    DynImage d = relocatable_kernel();
    EXPECT_FALSE(plan_kernel_load(view(d.file), kBase + 1).has_value());
    EXPECT_FALSE(plan_kernel_load(view(d.file), UINT64_MAX - 0xfff).has_value());
    auto low = plan_kernel_load(view(d.file), 0x200000);
    ASSERT_TRUE(low.has_value());
    EXPECT_EQ(low->virtual_base, 0x200000u);
}

TEST(Elf, RandomizedMutationsNeverCrash) {
    std::vector<std::vector<uint8_t>> seeds = {typical_kernel().build(), relocatable_kernel().file};
    std::mt19937_64 random(0xe1f);
    // Offsets worth hitting: the header and program headers, plus anywhere.
    for (int round = 0; round < 10000; ++round) {
        std::vector<uint8_t> file = seeds[round % seeds.size()];
        int edits = 1 + static_cast<int>(random() % 6);
        for (int e = 0; e < edits; ++e) {
            size_t region = random() % 4 == 0 ? file.size() : std::min<size_t>(file.size(), 64 + 56 * 3);
            size_t at = random() % region;
            switch (random() % 4) {
                case 0: file[at] = static_cast<uint8_t>(random()); break;
                case 1: file[at] ^= static_cast<uint8_t>(1u << (random() % 8)); break;
                case 2:
                    put(file, at & ~size_t(7), random() % 3 == 0 ? UINT64_MAX - random() % 0x10000 : random(), 8);
                    break;
                case 3: file.resize(random() % (file.size() + 1)); break;
            }
            if (file.empty()) break;
        }
        file.shrink_to_fit();
        std::vector<uint8_t> exact(file);
        auto plan = plan_kernel_load(view(exact), kBase);
        if (!plan.has_value()) {
            ASSERT_NE(plan.error().message, nullptr);
            continue;
        }
        // A plan that passed must be internally consistent and safe to use.
        ASSERT_LE(plan->image_size, 1ULL << 30);
        ASSERT_GE(plan->segment_count, 1u);
        for (size_t s = 0; s < plan->segment_count; ++s) {
            const loader::LoadSegment& seg = plan->segments[s];
            ASSERT_GE(seg.virtual_address, plan->virtual_base);
            ASSERT_LE(seg.virtual_address - plan->virtual_base + seg.memory_size, plan->image_size);
            ASSERT_LE(seg.copy_offset + seg.file_size, seg.memory_size);
            ASSERT_LE(seg.file_offset + seg.file_size, exact.size());
        }
        if (plan->image_size > (64u << 20)) continue;  // valid but too large to copy cheaply here
        std::vector<uint8_t> image(plan->image_size);
        loader::copy_segments(view(exact), *plan, image.data());
        auto relocated = loader::apply_relocations(view(exact), *plan, image.data(), plan->slide);
        if (!relocated.has_value()) ASSERT_NE(relocated.error().message, nullptr);
    }
}

// The kernel this build made (or the one named by $LOADER_CORE_KERNEL_ELF):
// the real linker output must plan, copy and relocate cleanly.
TEST(Elf, RealKernelIfBuilt) {
    std::string path;
    if (const char* from_environment = std::getenv("LOADER_CORE_KERNEL_ELF")) path = from_environment;
#ifdef LOADER_CORE_KERNEL_ELF
    if (path.empty()) path = LOADER_CORE_KERNEL_ELF;
#endif
    std::ifstream in(path, std::ios::binary);
    if (path.empty() || !in) GTEST_SKIP() << "no kernel.elf at '" << path << "'";
    std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto plan = plan_kernel_load(view(file));
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    EXPECT_EQ(plan->virtual_base, kBase);
    EXPECT_GE(plan->segment_count, 2u);
    EXPECT_NE(plan->entry, 0u);
    for (size_t s = 0; s < plan->segment_count; ++s) EXPECT_NE(plan->segments[s].flags & loader::kSegmentRead, 0u);
    std::vector<uint8_t> image(plan->image_size);
    loader::copy_segments(view(file), *plan, image.data());
    EXPECT_TRUE(loader::apply_relocations(view(file), *plan, image.data(), plan->slide).has_value());

    // The loaded image carries the kernel's Limine requests (docs/limine-protocol.md §1).
    auto scan = loader::scan_requests(lib::Bytes(image.data(), image.size()));
    ASSERT_TRUE(scan.has_value()) << scan.error().message;
    EXPECT_TRUE(scan->has_base_revision);
    EXPECT_EQ(scan->requested_revision, limine::kBaseRevision);
    for (size_t i = 0; i < scan->request_count; ++i)
        EXPECT_NE(loader::request_name(scan->requests[i].id2, scan->requests[i].id3), nullptr) << i;
    std::printf("real kernel: %zu segments, %zu requests, markers %s\n", plan->segment_count, scan->request_count,
                scan->has_markers ? "yes" : "no");
}

}  // namespace
