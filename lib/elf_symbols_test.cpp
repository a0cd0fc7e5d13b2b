// Host tests of lib/elf_symbols: a synthetic ELF with known symbols, the real
// kernel.elf compared with `nm`, and malformed / hostile / randomized files.
#include "lib/elf_symbols.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Buffer = std::vector<uint8_t>;

void put_le(Buffer& buffer, size_t offset, uint64_t value, size_t width) {
    if (buffer.size() < offset + width) buffer.resize(offset + width);
    for (size_t i = 0; i < width; ++i) buffer[offset + i] = uint8_t(value >> (8 * i));
}

struct TestSymbol {
    std::string name;
    uint8_t type;  // STT_*
    uint16_t section;
    uint64_t value;
    uint64_t size;
};

// Layout: ELF header | .strtab | .symtab | section headers (null, symtab, strtab).
struct SyntheticElf {
    Buffer bytes;
    size_t symtab_header = 0;  // file offset of the .symtab section header
    size_t strtab_header = 0;
    size_t symtab_offset = 0;
    size_t strtab_offset = 0;
};

SyntheticElf make_elf(const std::vector<TestSymbol>& symbols) {
    SyntheticElf elf;
    Buffer& b = elf.bytes;
    b.assign(64, 0);
    b[0] = 0x7f, b[1] = 'E', b[2] = 'L', b[3] = 'F', b[4] = 2, b[5] = 1, b[6] = 1;
    put_le(b, 0x10, 2, 2);     // ET_EXEC
    put_le(b, 0x12, 62, 2);    // EM_X86_64
    put_le(b, 0x3A, 64, 2);    // e_shentsize
    put_le(b, 0x3C, 3, 2);     // e_shnum
    put_le(b, 0x3E, 2, 2);     // e_shstrndx

    std::string strings(1, '\0');
    std::vector<uint32_t> name_offsets;
    for (const auto& s : symbols) {
        name_offsets.push_back(uint32_t(strings.size()));
        strings += s.name;
        strings += '\0';
    }
    elf.strtab_offset = b.size();
    b.insert(b.end(), strings.begin(), strings.end());
    while (b.size() % 8) b.push_back(0);

    elf.symtab_offset = b.size();
    b.resize(b.size() + 24 * (symbols.size() + 1), 0);  // entry 0 is the null symbol
    for (size_t i = 0; i < symbols.size(); ++i) {
        size_t at = elf.symtab_offset + 24 * (i + 1);
        put_le(b, at + 0, name_offsets[i], 4);
        put_le(b, at + 4, 0x10 | symbols[i].type, 1);  // STB_GLOBAL
        put_le(b, at + 6, symbols[i].section, 2);
        put_le(b, at + 8, symbols[i].value, 8);
        put_le(b, at + 16, symbols[i].size, 8);
    }

    size_t headers = b.size();
    put_le(b, 0x28, headers, 8);
    b.resize(headers + 3 * 64, 0);
    elf.symtab_header = headers + 64;
    put_le(b, elf.symtab_header + 4, 2, 4);  // SHT_SYMTAB
    put_le(b, elf.symtab_header + 24, elf.symtab_offset, 8);
    put_le(b, elf.symtab_header + 32, 24 * (symbols.size() + 1), 8);
    put_le(b, elf.symtab_header + 40, 2, 4);  // sh_link -> .strtab
    put_le(b, elf.symtab_header + 56, 24, 8);
    elf.strtab_header = headers + 128;
    put_le(b, elf.strtab_header + 4, 3, 4);  // SHT_STRTAB
    put_le(b, elf.strtab_header + 24, elf.strtab_offset, 8);
    put_le(b, elf.strtab_header + 32, strings.size(), 8);
    return elf;
}

const std::vector<TestSymbol> kSymbols = {
    {"alpha", 2, 1, 0x1000, 0x20},
    {"beta", 2, 1, 0x1020, 0x10},
    {"label", 0, 1, 0x2000, 0},
    {"data", 1, 2, 0x1008, 8},   // an object inside alpha's range: never chosen
    {"external", 2, 0, 0x0, 0},  // undefined
    {"absolute", 2, 0xfff1, 0x1000, 0x100},
};

lib::Bytes bytes_of(const Buffer& buffer) { return lib::Bytes(buffer.data(), buffer.size()); }
std::string str(lib::StringView view) { return std::string(view.data(), view.size()); }

TEST(ElfSymbols, FindsContainingFunction) {
    SyntheticElf elf = make_elf(kSymbols);
    auto symbols = lib::ElfSymbols::parse(bytes_of(elf.bytes));
    ASSERT_TRUE(symbols.has_value()) << symbols.error().message;
    EXPECT_EQ(symbols->symbol_count(), kSymbols.size() + 1);

    auto a = symbols->lookup(0x1000);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(str(a->name), "alpha");
    EXPECT_EQ(a->offset, 0u);
    auto a2 = symbols->lookup(0x101f);
    ASSERT_TRUE(a2.has_value());
    EXPECT_EQ(str(a2->name), "alpha");
    EXPECT_EQ(a2->offset, 0x1fu);
    auto b = symbols->lookup(0x1025);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(str(b->name), "beta");
    EXPECT_EQ(b->symbol_address, 0x1020u);
    EXPECT_EQ(b->offset, 5u);
}

TEST(ElfSymbols, UnsizedLabelsAreTheFallback) {
    SyntheticElf elf = make_elf(kSymbols);
    auto symbols = lib::ElfSymbols::parse(bytes_of(elf.bytes));
    ASSERT_TRUE(symbols.has_value());
    auto label = symbols->lookup(0x2010);
    ASSERT_TRUE(label.has_value());
    EXPECT_EQ(str(label->name), "label");
    EXPECT_EQ(label->offset, 0x10u);
    // Past the end of beta and before label: nothing.
    EXPECT_FALSE(symbols->lookup(0x1030).has_value());
    EXPECT_FALSE(symbols->lookup(0xfff).has_value());
    EXPECT_FALSE(symbols->lookup(0x2000 + lib::ElfSymbols::kMaxUnsizedDistance).has_value());
    EXPECT_FALSE(symbols->lookup(~0ull).has_value());
}

TEST(ElfSymbols, AddressOf) {
    SyntheticElf elf = make_elf(kSymbols);
    auto symbols = lib::ElfSymbols::parse(bytes_of(elf.bytes));
    ASSERT_TRUE(symbols.has_value());
    auto beta = symbols->address_of("beta");
    ASSERT_TRUE(beta.has_value());
    EXPECT_EQ(*beta, 0x1020u);
    EXPECT_FALSE(symbols->address_of("external").has_value());
    EXPECT_FALSE(symbols->address_of("gamma").has_value());
}

// What the kernel does before the loader's copy of its file is released:
// copy the two tables out, drop the file, go on symbolizing from the copies.
TEST(ElfSymbols, CopiedTablesOutliveTheFile) {
    std::vector<uint8_t> symbols_copy, strings_copy;
    uint64_t entry_size = 0;
    {
        SyntheticElf elf = make_elf(kSymbols);
        auto from_file = lib::ElfSymbols::parse(bytes_of(elf.bytes));
        ASSERT_TRUE(from_file.has_value());
        lib::Bytes symbols = from_file->symbol_table(), strings = from_file->string_table();
        symbols_copy.assign(symbols.data(), symbols.data() + symbols.size());
        strings_copy.assign(strings.data(), strings.data() + strings.size());
        entry_size = from_file->entry_size();
        std::fill(elf.bytes.begin(), elf.bytes.end(), 0xcc);  // the file is gone
    }
    auto kept = lib::ElfSymbols::from_tables(lib::Bytes(symbols_copy.data(), symbols_copy.size()), entry_size,
                                             lib::Bytes(strings_copy.data(), strings_copy.size()));
    ASSERT_TRUE(kept.has_value());
    auto b = kept->lookup(0x1025);
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(str(b->name), "beta");
    EXPECT_EQ(b->offset, 5u);
    EXPECT_FALSE(lib::ElfSymbols::from_tables(lib::Bytes(symbols_copy.data(), symbols_copy.size()), 8,
                                              lib::Bytes(strings_copy.data(), strings_copy.size()))
                     .has_value());
    EXPECT_FALSE(lib::ElfSymbols::from_tables(lib::Bytes(), 24, lib::Bytes()).has_value());
}

TEST(ElfSymbols, RejectsBadHeaders) {
    SyntheticElf good = make_elf(kSymbols);
    auto with = [&](size_t offset, uint64_t value, size_t width) {
        Buffer copy = good.bytes;
        put_le(copy, offset, value, width);
        return lib::ElfSymbols::parse(bytes_of(copy));
    };
    EXPECT_FALSE(with(0, 0x7e, 1).has_value());                            // magic
    EXPECT_FALSE(with(4, 1, 1).has_value());                               // ELFCLASS32
    EXPECT_FALSE(with(5, 2, 1).has_value());                               // big endian
    EXPECT_FALSE(with(0x28, 0, 8).has_value());                            // no section headers
    EXPECT_FALSE(with(0x28, ~0ull - 10, 8).has_value());                   // e_shoff overflows
    EXPECT_FALSE(with(0x28, good.bytes.size() - 10, 8).has_value());       // table past the end
    EXPECT_FALSE(with(0x3A, 40, 2).has_value());                           // e_shentsize
    {
        // e_shnum far beyond the table, with no symtab in the real headers.
        Buffer copy = good.bytes;
        put_le(copy, 0x3C, 0xffff, 2);
        put_le(copy, good.symtab_header + 4, 1, 4);
        EXPECT_FALSE(lib::ElfSymbols::parse(bytes_of(copy)).has_value());
        // e_shnum 0 means "count in section 0's sh_size": a huge count there.
        put_le(copy, 0x3C, 0, 2);
        put_le(copy, good.symtab_header - 64 + 32, ~0ull, 8);
        EXPECT_FALSE(lib::ElfSymbols::parse(bytes_of(copy)).has_value());
    }
    EXPECT_FALSE(with(good.symtab_header + 24, ~0ull, 8).has_value());     // symtab offset
    EXPECT_FALSE(with(good.symtab_header + 32, ~0ull / 2, 8).has_value()); // symtab size huge
    EXPECT_FALSE(with(good.symtab_header + 32, 0, 8).has_value());         // symtab empty
    EXPECT_FALSE(with(good.symtab_header + 56, 0, 8).has_value());         // entsize 0
    EXPECT_FALSE(with(good.symtab_header + 40, 7, 4).has_value());         // link out of range
    EXPECT_FALSE(with(good.symtab_header + 40, 0, 4).has_value());         // link to null section
    EXPECT_FALSE(with(good.strtab_header + 24, ~0ull - 3, 8).has_value()); // strtab offset
    EXPECT_FALSE(with(good.strtab_header + 32, 1ull << 40, 8).has_value()); // strtab size
    EXPECT_FALSE(with(good.symtab_header + 4, 1, 4).has_value());          // no symtab left
}

TEST(ElfSymbols, EmptyAndTinyInputs) {
    EXPECT_FALSE(lib::ElfSymbols::parse(lib::Bytes()).has_value());
    uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    EXPECT_FALSE(lib::ElfSymbols::parse(lib::Bytes(magic, 4)).has_value());
}

TEST(ElfSymbols, EveryTruncationIsSafe) {
    SyntheticElf elf = make_elf(kSymbols);
    for (size_t length = 0; length < elf.bytes.size(); ++length) {
        // A fresh allocation of exactly `length` bytes, so ASan sees any overread.
        std::vector<uint8_t> cut(elf.bytes.begin(), elf.bytes.begin() + length);
        cut.shrink_to_fit();
        auto symbols = lib::ElfSymbols::parse(lib::Bytes(cut.data(), cut.size()));
        if (symbols.has_value()) (void)symbols->lookup(0x1004);
        EXPECT_FALSE(symbols.has_value()) << "length " << length;  // headers are at the end
    }
}

TEST(ElfSymbols, BadNameOffsetsAndUnterminatedStrings) {
    SyntheticElf elf = make_elf(kSymbols);
    // Symbol 1 ("alpha") names a string far outside the table.
    put_le(elf.bytes, elf.symtab_offset + 24, 0x7fffffff, 4);
    // The string table loses its final NUL: the last name ends at the table end.
    uint64_t strtab_size = 0;
    for (int i = 0; i < 8; ++i) strtab_size |= uint64_t(elf.bytes[elf.strtab_header + 32 + i]) << (8 * i);
    put_le(elf.bytes, elf.strtab_header + 32, strtab_size - 1, 8);
    Buffer copy = elf.bytes;
    auto symbols = lib::ElfSymbols::parse(bytes_of(copy));
    ASSERT_TRUE(symbols.has_value());
    auto a = symbols->lookup(0x1004);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(str(a->name), "?");
    auto abs_name = symbols->address_of("absolute");  // the last, now unterminated name
    ASSERT_TRUE(abs_name.has_value());
    EXPECT_EQ(*abs_name, 0x1000u);
}

TEST(ElfSymbols, RandomizedCorruptionNeverCrashes) {
    SyntheticElf elf = make_elf(kSymbols);
    std::mt19937_64 random(0x5eed'e1f5);
    for (int round = 0; round < 20000; ++round) {
        Buffer copy = elf.bytes;
        int flips = 1 + int(random() % 8);
        for (int f = 0; f < flips; ++f) {
            size_t at = random() % copy.size();
            if (random() % 2) copy[at] = uint8_t(random());
            else copy[at] ^= uint8_t(1u << (random() % 8));
        }
        if (random() % 4 == 0) copy.resize(random() % copy.size());
        copy.shrink_to_fit();
        auto symbols = lib::ElfSymbols::parse(bytes_of(copy));
        if (!symbols.has_value()) continue;
        for (int probe = 0; probe < 4; ++probe) {
            uint64_t address = probe == 0 ? random() : 0x1000 + random() % 0x2000;
            auto match = symbols->lookup(address);
            if (match.has_value()) {
                EXPECT_LE(match->symbol_address, address);
                EXPECT_EQ(match->offset, address - match->symbol_address);
                // The name must be readable memory inside the buffer (ASan checks).
                volatile size_t sum = 0;
                for (char c : match->name) sum = sum + size_t(c);
            }
        }
        (void)symbols->address_of("beta");
    }
}

TEST(ElfSymbols, RandomGarbageNeverCrashes) {
    std::mt19937_64 random(42);
    for (int round = 0; round < 5000; ++round) {
        Buffer garbage(random() % 512);
        for (auto& byte : garbage) byte = uint8_t(random());
        if (garbage.size() >= 6 && random() % 2) {
            garbage[0] = 0x7f, garbage[1] = 'E', garbage[2] = 'L', garbage[3] = 'F', garbage[4] = 2, garbage[5] = 1;
        }
        auto symbols = lib::ElfSymbols::parse(bytes_of(garbage));
        if (symbols.has_value()) (void)symbols->lookup(random());
    }
}

// ---- the real kernel, compared with nm ------------------------------------

#ifndef KERNEL_ELF_PATH
#define KERNEL_ELF_PATH ""
#endif

struct NmSymbol {
    uint64_t address;
    uint64_t size;
    std::string name;
};

TEST(ElfSymbols, RealKernelMatchesNm) {
    std::ifstream file(KERNEL_ELF_PATH, std::ios::binary);
    if (!file) GTEST_SKIP() << "no kernel ELF at '" << KERNEL_ELF_PATH << "' (build the kernel target first)";
    Buffer bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    auto symbols = lib::ElfSymbols::parse(bytes_of(bytes));
    ASSERT_TRUE(symbols.has_value()) << symbols.error().message;

    std::string command = std::string("nm -S --defined-only '") + KERNEL_ELF_PATH + "' 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) GTEST_SKIP() << "nm not available";
    std::vector<NmSymbol> functions;
    std::map<uint64_t, std::set<std::string>> names_at;
    char line[4096];
    while (fgets(line, sizeof line, pipe)) {
        std::istringstream in(line);
        std::string address, size, type, name;
        if (!(in >> address >> size >> type >> name)) continue;  // lines without a size
        if (type != "T" && type != "t" && type != "W" && type != "w") continue;
        NmSymbol s{std::stoull(address, nullptr, 16), std::stoull(size, nullptr, 16), name};
        if (s.size == 0) continue;
        functions.push_back(s);
        names_at[s.address].insert(name);
    }
    pclose(pipe);
    if (functions.empty()) GTEST_SKIP() << "nm listed no functions";

    size_t checked = 0;
    for (const auto& f : functions) {
        for (uint64_t probe : {f.address, f.address + f.size / 2, f.address + f.size - 1}) {
            auto match = symbols->lookup(probe);
            ASSERT_TRUE(match.has_value()) << f.name;
            EXPECT_EQ(match->symbol_address, f.address) << f.name;
            EXPECT_EQ(match->offset, probe - f.address);
            EXPECT_TRUE(names_at[f.address].count(str(match->name))) << f.name << " vs " << str(match->name);
            ++checked;
        }
    }
    EXPECT_GT(checked, 0u);
    auto kernel_main = symbols->address_of("kernel_main");
    EXPECT_TRUE(kernel_main.has_value());
}

// ---- readable_symbol_name --------------------------------------------------

std::string readable(const char* mangled, size_t room = 256) {
    std::vector<char> out(room + 1, 'X');
    size_t n = lib::readable_symbol_name(mangled, out.data(), room);
    if (room == 0) {
        EXPECT_EQ(n, 0u);
        EXPECT_EQ(out[0], 'X');
        return "";
    }
    EXPECT_EQ(std::strlen(out.data()), n);
    EXPECT_LT(n, room);
    return std::string(out.data(), n);
}

TEST(ReadableSymbolName, PlainAndNestedNames) {
    EXPECT_EQ(readable("kernel_main"), "kernel_main");
    EXPECT_EQ(readable("_Z11kernel_mainv"), "kernel_main");
    EXPECT_EQ(readable("_ZN5debug12run_selftestEN3lib10StringViewE"), "debug::run_selftest");
    EXPECT_EQ(readable("_ZN5debug12_GLOBAL__N_15innerEv"), "debug::(anonymous namespace)::inner");
    EXPECT_EQ(readable("_ZN12_GLOBAL__N_15innerEv"), "(anonymous namespace)::inner");
    EXPECT_EQ(readable("_ZNK3lib10StringView4findEcm"), "lib::StringView::find");
    EXPECT_EQ(readable("_ZN3lib10ElfSymbolsC2Ev"), "lib::ElfSymbols::ElfSymbols");
    EXPECT_EQ(readable("_ZN3lib10ElfSymbolsD1Ev"), "lib::ElfSymbols::~ElfSymbols");
    EXPECT_EQ(readable("_ZL6helperi"), "helper");
    EXPECT_EQ(readable("_ZNSt4pairC1Ev"), "std::pair::pair");
    EXPECT_EQ(readable("_ZSt4movev"), "std::move");
}

TEST(ReadableSymbolName, TemplatesBecomeEllipses) {
    EXPECT_EQ(readable("_ZN3lib6formatIJiEEEmPcmNS_10StringViewEDpRKT_"), "lib::format<...>");
    EXPECT_EQ(readable("_ZN12_GLOBAL__N_16reportIJPKcS2_EEEvS2_RKNS_14SourceLocationEN3lib10StringViewEDpRKT_"),
              "(anonymous namespace)::report<...>");
    EXPECT_EQ(readable("_ZN5debug8panic_atIJiEEEvN3lib14SourceLocationENS1_10StringViewEDpRKT_"),
              "debug::panic_at<...>");
    EXPECT_EQ(readable("_Z3maxIiET_S0_S0_"), "max<...>");
    EXPECT_EQ(readable("_ZN3lib8ExpectedINS_10ElfSymbolsEEC2EOS2_"), "lib::Expected<...>::Expected");
    EXPECT_EQ(readable("_ZN3foo3barILi5EEEvv"), "foo::bar<...>");
    EXPECT_EQ(readable("_ZN3foo3barILi5EE3bazEv"), "foo::bar<...>::baz");
    EXPECT_EQ(readable("_ZN3foo3barIL_Z6globalEEEvv"), "foo::bar<...>");
    EXPECT_EQ(readable("_ZN3foo3barIA4_iDv4_fEEvv"), "foo::bar<...>");
    // A lambda of a function as the argument: a local name, Z <encoding> E <entity>.
    EXPECT_EQ(readable("_ZN5sched9WaitQueue4callIZNS_10Completion4waitERKNS_11WaitOptionsEE3$_3EEbPv"),
              "sched::WaitQueue::call<...>");
    EXPECT_EQ(readable("_ZN3fooIiE"), "_ZN3fooIiE");       // never closed
    EXPECT_EQ(readable("_ZNIiE3fooEv"), "_ZNIiE3fooEv");   // arguments without a name
    EXPECT_EQ(readable("_ZN3fooILi5"), "_ZN3fooILi5");     // literal never closed
    EXPECT_EQ(readable("_ZN3fooIS"), "_ZN3fooIS");         // substitution never closed
}

// Every function name in the real kernel: whatever we print must agree with
// c++filt once template arguments and parameters are taken out of its answer.
TEST(ReadableSymbolName, AgreesWithCxxfiltOnTheKernel) {
    std::string command = std::string("nm --defined-only '") + KERNEL_ELF_PATH +
                          "' 2>/dev/null | awk '{print $3}' | grep '^_Z' | sort -u";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) GTEST_SKIP() << "nm not available";
    std::vector<std::string> names;
    char line[4096];
    while (fgets(line, sizeof line, pipe)) {
        std::string name(line);
        while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
        if (!name.empty()) names.push_back(name);
    }
    pclose(pipe);
    if (names.empty()) GTEST_SKIP() << "no kernel ELF or no C++ symbols at '" << KERNEL_ELF_PATH << "'";

    auto without_templates = [](const std::string& text) {
        std::string out;
        int depth = 0;
        for (char c : text) {
            if (c == '<') ++depth;
            else if (c == '>' && depth > 0) --depth;
            else if (depth == 0) out += c;
        }
        return out;
    };
    size_t readable_count = 0;
    for (const auto& name : names) {
        std::string ours = readable(name.c_str(), 512);
        if (ours == name) continue;  // left raw: always acceptable
        ++readable_count;
        std::string filt_command = "c++filt '" + name + "'";
        FILE* filt = popen(filt_command.c_str(), "r");
        ASSERT_NE(filt, nullptr);
        std::string expected;
        while (fgets(line, sizeof line, filt)) expected += line;
        pclose(filt);
        while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
        // c++filt leaves compiler clones such as `name.0` (a global split by
        // the optimizer) undemangled; there is nothing to compare against.
        if (expected == name) continue;
        std::string ours_plain = without_templates(ours);
        std::string theirs_plain = without_templates(expected);
        EXPECT_NE(theirs_plain.find(ours_plain), std::string::npos) << name << ": ours '" << ours << "' vs '" << expected;
    }
    EXPECT_GT(readable_count, names.size() / 2) << "most kernel names should be readable";
}

TEST(ReadableSymbolName, UnknownFormsStayRaw) {
    EXPECT_EQ(readable("_Znwm"), "_Znwm");
    EXPECT_EQ(readable("_Z"), "_Z");
    EXPECT_EQ(readable("_ZN"), "_ZN");
    EXPECT_EQ(readable("_ZNE"), "_ZNE");
    EXPECT_EQ(readable("_Z99abc"), "_Z99abc");
    EXPECT_EQ(readable("_Z99999999999999999999999abc"), "_Z99999999999999999999999abc");
    EXPECT_EQ(readable("_ZN3abc"), "_ZN3abc");
    EXPECT_EQ(readable("_ZN3fooC1Ev"), "foo::foo");
    EXPECT_EQ(readable("_ZNC1Ev"), "_ZNC1Ev");  // constructor without a class name
    EXPECT_EQ(readable(""), "");
}

TEST(ReadableSymbolName, TruncatesToTheBuffer) {
    EXPECT_EQ(readable("_ZN5debug12run_selftestEv", 8), "debug::");
    EXPECT_EQ(readable("kernel_main", 4), "ker");
    EXPECT_EQ(readable("kernel_main", 1), "");
    readable("kernel_main", 0);
}

TEST(ReadableSymbolName, RandomInputsNeverCrash) {
    std::mt19937_64 random(7);
    const char alphabet[] = "_ZNLESCDtKrVIO0123456789abcxyz";
    for (int round = 0; round < 20000; ++round) {
        std::string name = random() % 2 ? "_Z" : "";
        size_t length = random() % 40;
        for (size_t i = 0; i < length; ++i) name += alphabet[random() % (sizeof alphabet - 1)];
        std::vector<char> exact(name.begin(), name.end());
        exact.shrink_to_fit();
        size_t room = random() % 64;
        std::vector<char> out(room ? room : 1);
        size_t n = lib::readable_symbol_name(lib::StringView(exact.data(), exact.size()), out.data(), room);
        if (room) EXPECT_LT(n, room);
    }
}

}  // namespace
