// A seeded mutation fuzzer: real and iasl-compiled tables, damaged at random
// (bytes, lengths, entry headers, pointers), with and without a repaired
// checksum, parsed under ASan/UBSan. The parser must never read outside the
// fake memory, never hang, and keep every list within its capacity.
// ACPI_FUZZ_SEED and ACPI_FUZZ_ITERATIONS override the defaults.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernel/acpi/platform.hpp"
#include "lib/acpi/test_support.hpp"

namespace acpi {
namespace {

using test::ByteVector;

uint64_t env_or(const char* name, uint64_t fallback) {
    const char* text = std::getenv(name);
    return text ? std::strtoull(text, nullptr, 0) : fallback;
}

struct Layout {
    uint64_t rsdp;
    std::vector<std::pair<uint64_t, ByteVector>> regions;
};

Layout iasl_machine() {
    auto aml = [](const char* name) { return test::read_file(test::data_path(std::string("asl/") + name)); };
    Layout layout{0xe0000, {}};
    layout.regions = {
        {0xe0000, test::make_rsdp(2, 0x7f000, 0x80000)},
        {0x7f000, test::make_root(false, {0x81000, 0x83000})},
        {0x80000, test::make_root(true, {0x81000, 0x82000, 0x83000, 0x84000, 0x85000, 0x86000})},
        {0x81000, aml("fadt_rev6.aml")},
        {0x82000, aml("ssdt_cpus.aml")},
        {0x83000, aml("madt_all_types.aml")},
        {0x84000, aml("hpet.aml")},
        {0x85000, aml("mcfg.aml")},
        {0x86000, aml("ssdt_extra.aml")},
        {0x100000, aml("dsdt.aml")},
    };
    return layout;
}

Layout captured_machine(const char* directory) {
    test::FakeMemory scratch;
    Layout layout{test::load_captured_machine(directory, scratch), {}};
    std::ifstream manifest(test::data_path(std::string(directory) + "/manifest.txt"));
    std::string line;
    while (std::getline(manifest, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string address, file;
        fields >> address >> file;
        layout.regions.emplace_back(std::stoull(address, nullptr, 16),
                                    test::read_file(test::data_path(std::string(directory) + "/" + file)));
    }
    return layout;
}

class Mutator {
public:
    explicit Mutator(uint64_t seed) : random_(seed) {}

    uint64_t below(uint64_t n) { return n == 0 ? 0 : random_() % n; }
    bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }

    // One to a few damages of one table.
    void mutate(ByteVector& table, bool is_rsdp) {
        int rounds = 1 + static_cast<int>(below(4));
        for (int r = 0; r < rounds; ++r) {
            switch (below(8)) {
                case 0:  // random bytes
                    for (int i = 0, n = 1 + static_cast<int>(below(8)); i < n && !table.empty(); ++i)
                        table[below(table.size())] = static_cast<uint8_t>(random_());
                    break;
                case 1:  // bit flip
                    if (!table.empty()) table[below(table.size())] ^= static_cast<uint8_t>(1u << below(8));
                    break;
                case 2:  // truncate the bytes (the Length field may now lie)
                    table.resize(below(table.size() + 1));
                    break;
                case 3:  // a lying Length field
                    if (table.size() >= 8) test::put_le(table, is_rsdp ? 20 : 4, interesting_length(table.size()), 4);
                    break;
                case 4:  // entry header damage: a 0, 1 or 255 length byte after the fixed part
                    if (table.size() > 45)
                        table[44 + below(table.size() - 44)] = std::vector<uint8_t>{0, 1, 2, 255}[below(4)];
                    break;
                case 5:  // pointer damage: a field made to point somewhere odd
                    if (table.size() >= 44) {
                        size_t at = 36 + below(table.size() - 43);
                        uint64_t targets[] = {0,        0xffff'ffff'ffff'fff0, 0xe0000,  0x80000, 0x7f000, 0x81000,
                                              0x100000, 0x7fff'ffff,           random_()};
                        test::put_le(table, at, targets[below(9)], below(2) ? 8 : 4);
                    }
                    break;
                case 6:  // grow with junk
                    for (int i = 0, n = 1 + static_cast<int>(below(40)); i < n; ++i)
                        table.push_back(static_cast<uint8_t>(random_()));
                    break;
                default:  // splice in a well-formed MADT-style entry of a random type and length
                    if (table.size() > 44) {
                        size_t at = 44 + below(table.size() - 44);
                        uint8_t type = static_cast<uint8_t>(below(16));
                        uint8_t length = static_cast<uint8_t>(below(20));
                        table[at] = type;
                        if (at + 1 < table.size()) table[at + 1] = length;
                    }
                    break;
            }
        }
    }

private:
    uint64_t interesting_length(size_t actual) {
        uint64_t choices[] = {0,
                              1,
                              35,
                              36,
                              37,
                              43,
                              44,
                              actual - 1,
                              actual + 1,
                              actual + 4096,
                              0x7fffffff,
                              0xffffffff,
                              random_() & 0xffff};
        return choices[below(13)];
    }

    std::mt19937_64 random_;
};

void check_invariants(const Platform& p, const test::FakeMemory& memory) {
    for (const TableRecord& record : p.tables.tables()) {
        ASSERT_EQ(record.bytes.size(), record.header.length);
        ASSERT_GE(record.bytes.size(), kSdtHeaderSize);
        ASSERT_EQ(memory.view(record.physical, record.bytes.size()).data(), record.bytes.data());
    }
    ASSERT_LE(p.tables.tables().size(), TableDirectory::kCapacity);
    ASSERT_LE(p.madt.cpu_count, MadtInfo::kMaxCpus);
    ASSERT_LE(p.madt.io_apic_count, MadtInfo::kMaxIoApics);
    ASSERT_LE(p.madt.override_count, MadtInfo::kMaxOverrides);
    ASSERT_LE(p.madt.local_nmi_count, MadtInfo::kMaxLocalNmis);
    ASSERT_LE(p.madt.nmi_source_count, MadtInfo::kMaxNmiSources);
    ASSERT_LE(p.mcfg.range_count, McfgInfo::kMaxRanges);
    ASSERT_LE(p.problems.count(), Diagnostics::kCapacity);
    for (size_t i = 0; i < p.problems.count(); ++i) ASSERT_NE(p.problems[i].message, nullptr);
}

TEST(AcpiFuzz, MutatedTablesNeverCrash) {
    const uint64_t seed = env_or("ACPI_FUZZ_SEED", 0xac91'2026);
    const uint64_t iterations = env_or("ACPI_FUZZ_ITERATIONS", 20000);
    std::vector<Layout> machines = {iasl_machine(), captured_machine("q35"), captured_machine("pc")};
    Mutator mutator(seed);
    auto platform = std::make_unique<Platform>();
    size_t parsed_with_problems = 0, madts_seen = 0;

    for (uint64_t i = 0; i < iterations; ++i) {
        const Layout& base = machines[mutator.below(machines.size())];
        test::FakeMemory memory;
        std::vector<std::pair<uint64_t, ByteVector>> regions = base.regions;
        for (int damaged = 0, n = 1 + static_cast<int>(mutator.below(2)); damaged < n; ++damaged) {
            auto& [address, table] = regions[mutator.below(regions.size())];
            bool is_rsdp = address == base.rsdp;
            mutator.mutate(table, is_rsdp);
            // Mostly repair the checksum, so the damage reaches the decoders
            // instead of stopping at the checksum test.
            if (mutator.chance(80) && !is_rsdp && table.size() >= kSdtHeaderSize) {
                uint32_t length =
                    static_cast<uint32_t>(table[4] | table[5] << 8 | table[6] << 16 | uint32_t(table[7]) << 24);
                if (length >= kSdtHeaderSize && length <= table.size()) test::fix_checksum(table, 9, length);
            }
        }
        for (auto& [address, table] : regions) memory.put(address, std::move(table));
        platform->parse(memory, base.rsdp);
        check_invariants(*platform, memory);
        if (!platform->problems.empty()) ++parsed_with_problems;
        if (platform->has_madt) ++madts_seen;
        if (HasFatalFailure()) {
            ADD_FAILURE() << "iteration " << i << " (seed " << seed << ")";
            return;
        }
    }
    // The fuzzer must actually reach the decoders and produce problems.
    EXPECT_GT(parsed_with_problems, iterations / 2);
    EXPECT_GT(madts_seen, iterations / 2);
}

// The decoders alone, on buffers of exactly the fuzzed size: any over-read
// is an ASan report.
TEST(AcpiFuzz, DecodersOnRandomBuffers) {
    std::mt19937_64 random(env_or("ACPI_FUZZ_SEED", 7));
    ByteVector madt = test::read_file(test::data_path("asl/madt_all_types.aml"));
    auto info = std::make_unique<MadtInfo>();
    for (int i = 0; i < 20000; ++i) {
        ByteVector buffer(random() % 300);
        for (auto& byte : buffer) byte = static_cast<uint8_t>(random());
        if (i % 2 && buffer.size() >= 44) std::copy(madt.begin(), madt.begin() + 44, buffer.begin());
        lib::Bytes bytes(buffer.data(), buffer.size());
        Diagnostics problems;
        parse_madt(bytes, *info, problems);
        FadtInfo fadt;
        parse_fadt(bytes, fadt, problems);
        HpetInfo hpet;
        (void)parse_hpet(bytes, hpet, problems);
        McfgInfo mcfg;
        parse_mcfg(bytes, mcfg, problems);
        ASSERT_LE(info->cpu_count, MadtInfo::kMaxCpus);
    }
}

}  // namespace
}  // namespace acpi
