// Host tests of the MADT reader and the RSDP -> RSDT/XSDT table lookup
// (ACPI 6.5 §5.2.5-§5.2.8, §5.2.12), on tables built byte by byte.
#include "loader/core/madt.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using loader::find_acpi_table;
using loader::parse_madt_cpus;

void put(std::vector<uint8_t>& bytes, size_t at, uint64_t value, size_t width) {
    if (bytes.size() < at + width) bytes.resize(at + width);
    for (size_t i = 0; i < width; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

void fix_checksum(std::vector<uint8_t>& table, size_t checksum_at, size_t length) {
    table[checksum_at] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + table[i]);
    table[checksum_at] = static_cast<uint8_t>(-sum);
}

// An SDT: 36-byte header, then `body`; length and checksum filled in.
std::vector<uint8_t> sdt(const char* signature, const std::vector<uint8_t>& body) {
    std::vector<uint8_t> table(36, 0);
    std::memcpy(table.data(), signature, 4);
    table[8] = 1;
    std::memcpy(table.data() + 10, "TESTID", 6);
    table.insert(table.end(), body.begin(), body.end());
    put(table, 4, table.size(), 4);
    fix_checksum(table, 9, table.size());
    return table;
}

std::vector<uint8_t> local_apic(uint8_t uid, uint8_t apic_id, uint32_t flags) {
    std::vector<uint8_t> e = {0, 8, uid, apic_id};
    put(e, 4, flags, 4);
    return e;
}
std::vector<uint8_t> x2apic(uint32_t uid, uint32_t apic_id, uint32_t flags) {
    std::vector<uint8_t> e = {9, 16, 0, 0};
    put(e, 4, apic_id, 4);
    put(e, 8, flags, 4);
    put(e, 12, uid, 4);
    return e;
}
std::vector<uint8_t> apic_override(uint64_t address) {
    std::vector<uint8_t> e = {5, 12, 0, 0};
    put(e, 4, address, 8);
    return e;
}
std::vector<uint8_t> io_apic() {
    return {1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0};
}

std::vector<uint8_t> madt(const std::vector<std::vector<uint8_t>>& entries) {
    std::vector<uint8_t> body(8, 0);
    put(body, 0, 0xfee00000, 4);
    put(body, 4, 1, 4);  // PCAT_COMPAT
    for (const auto& e : entries) body.insert(body.end(), e.begin(), e.end());
    return sdt("APIC", body);
}

lib::Bytes view(const std::vector<uint8_t>& bytes) {
    return lib::Bytes(bytes.data(), bytes.size());
}

TEST(Madt, ListsEnabledAndOnlineCapableCpus) {
    std::vector<uint8_t> table = madt({local_apic(0, 0, 1), io_apic(), local_apic(1, 2, 1), local_apic(2, 4, 0),
                                       local_apic(3, 6, 2), x2apic(10, 300, 1), x2apic(11, 2, 1), x2apic(12, 400, 0)});
    auto cpus = parse_madt_cpus(view(table));
    ASSERT_TRUE(cpus.has_value()) << cpus.error().message;
    EXPECT_EQ(cpus->local_apic_address, 0xfee00000u);
    ASSERT_EQ(cpus->count, 4u);
    EXPECT_EQ(cpus->cpus[0].apic_id, 0u);
    EXPECT_EQ(cpus->cpus[1].apic_id, 2u);
    EXPECT_EQ(cpus->cpus[1].processor_uid, 1u);
    EXPECT_EQ(cpus->cpus[2].apic_id, 6u);  // online capable
    EXPECT_TRUE(cpus->cpus[0].enabled);
    EXPECT_FALSE(cpus->cpus[2].enabled);  // listed, but not running at boot
    EXPECT_EQ(cpus->cpus[3].apic_id, 300u);
    EXPECT_EQ(cpus->cpus[3].processor_uid, 10u);
    EXPECT_EQ(cpus->ignored_count, 0u);
}

TEST(Madt, AddressOverride) {
    std::vector<uint8_t> table = madt({local_apic(0, 0, 1), apic_override(0x1234567000ULL)});
    auto cpus = parse_madt_cpus(view(table));
    ASSERT_TRUE(cpus.has_value());
    EXPECT_EQ(cpus->local_apic_address, 0x1234567000ULL);
}

TEST(Madt, MoreThanMaxCpusAreCountedNotListed) {
    std::vector<std::vector<uint8_t>> entries;
    for (uint32_t i = 0; i < 300; ++i) entries.push_back(x2apic(i, i, 1));
    std::vector<uint8_t> table = madt(entries);
    auto cpus = parse_madt_cpus(view(table));
    ASSERT_TRUE(cpus.has_value());
    EXPECT_EQ(cpus->count, loader::kMaxCpus);
    EXPECT_EQ(cpus->ignored_count, 300 - loader::kMaxCpus);
}

TEST(Madt, Failures) {
    struct Case {
        const char* name;
        std::vector<uint8_t> table;
        const char* message_part;
    };
    std::vector<uint8_t> good = madt({local_apic(0, 0, 1)});
    std::vector<Case> cases;
    cases.push_back({"short", std::vector<uint8_t>(good.begin(), good.begin() + 43), "shorter than its 44-byte"});
    {
        std::vector<uint8_t> t = good;
        t[0] = 'X';
        cases.push_back({"signature", t, "signature"});
    }
    {
        std::vector<uint8_t> t = good;
        t[20] ^= 1;
        cases.push_back({"checksum", t, "checksum"});
    }
    {
        std::vector<uint8_t> t = good;
        put(t, 4, t.size() + 1, 4);
        cases.push_back({"length past bytes", t, "runs past the table bytes"});
    }
    {
        std::vector<uint8_t> t = good;
        put(t, 4, 40, 4);
        cases.push_back({"length small", t, "smaller than the 44-byte"});
    }
    cases.push_back({"zero-length entry", madt({local_apic(0, 0, 1), {7, 0, 0, 0}}), "length below 2"});
    cases.push_back({"one-length entry", madt({{7, 1}}), "length below 2"});
    cases.push_back({"entry past end", madt({{0, 8, 0, 0}}), "runs past the table end"});
    cases.push_back({"header cut off", madt({local_apic(0, 0, 1), {0}}), "cut off"});
    cases.push_back({"short local apic", madt({{0, 6, 0, 0, 1, 0}}), "shorter than 8"});
    cases.push_back({"short x2apic", madt({{9, 8, 0, 0, 0, 0, 0, 0}}), "shorter than 16"});
    cases.push_back({"short override", madt({{5, 8, 0, 0, 0, 0, 0, 0}}), "shorter than 12"});
    for (const Case& c : cases) {
        std::vector<uint8_t> exact(c.table);
        auto result = parse_madt_cpus(view(exact));
        ASSERT_FALSE(result.has_value()) << c.name;
        EXPECT_NE(std::string(result.error().message).find(c.message_part), std::string::npos)
            << c.name << " -> " << result.error().message;
    }
}

TEST(Madt, RandomizedMutationsNeverCrashOrHang) {
    std::mt19937_64 random(0x3ad7);
    std::vector<uint8_t> seed = madt({local_apic(0, 0, 1),
                                      io_apic(),
                                      local_apic(1, 1, 1),
                                      x2apic(2, 2, 1),
                                      apic_override(0xfee00000),
                                      {4, 6, 0xff, 5, 0, 1}});
    for (int round = 0; round < 10000; ++round) {
        std::vector<uint8_t> table = seed;
        int edits = 1 + static_cast<int>(random() % 5);
        for (int e = 0; e < edits; ++e) {
            size_t at = random() % table.size();
            switch (random() % 3) {
                case 0: table[at] = static_cast<uint8_t>(random()); break;
                case 1: table.resize(44 + random() % (table.size() - 43)); break;
                case 2: table[at] = static_cast<uint8_t>(random() % 3); break;  // small lengths
            }
        }
        if (random() % 2) put(table, 4, table.size() - random() % 3, 4);
        if (random() % 2) fix_checksum(table, 9, std::min<size_t>(table.size(), table[4] | (table[5] << 8)));
        std::vector<uint8_t> exact(table);
        auto cpus = parse_madt_cpus(view(exact));
        if (cpus.has_value()) {
            ASSERT_LE(cpus->count, loader::kMaxCpus);
            for (size_t i = 0; i < cpus->count; ++i)
                for (size_t j = 0; j < i; ++j) ASSERT_NE(cpus->cpus[i].apic_id, cpus->cpus[j].apic_id);
        } else {
            ASSERT_NE(cpus.error().message, nullptr);
        }
    }
}

// Fake physical memory: tables live in the first kWindow bytes; the arena is
// larger than any length the code accepts (16 MiB), so even a hostile length
// read from inside the window stays inside the arena.
class FakeMemory {
public:
    static constexpr uint64_t kWindow = 0x10000;
    static constexpr uint64_t kBaseAddress = 0x100000;  // physical address of arena[0]

    // One arena shared by all tests (allocating 16 MiB per case would be
    // slow); each FakeMemory clears the window it uses.
    FakeMemory() {
        std::memset(arena().data(), 0, kWindow);
        current_ = this;
    }
    ~FakeMemory() { current_ = nullptr; }

    uint64_t place(const std::vector<uint8_t>& bytes, uint64_t offset) {
        std::memcpy(arena().data() + offset, bytes.data(), bytes.size());
        return kBaseAddress + offset;
    }
    uint8_t* at(uint64_t offset) { return arena().data() + offset; }

    static const uint8_t* phys_to_ptr(uint64_t phys) {
        if (!current_ || phys < kBaseAddress || phys - kBaseAddress >= kWindow) return nullptr;
        return arena().data() + (phys - kBaseAddress);
    }

private:
    static std::vector<uint8_t>& arena() {
        static std::vector<uint8_t> bytes(kWindow + (16u << 20) + 64, 0);
        return bytes;
    }
    static inline FakeMemory* current_ = nullptr;
};

void put_len(uint8_t* table, uint32_t length) {
    for (size_t i = 0; i < 4; ++i) table[4 + i] = static_cast<uint8_t>(length >> (8 * i));
}

std::vector<uint8_t> rsdp(uint8_t revision, uint32_t rsdt, uint64_t xsdt) {
    std::vector<uint8_t> r(revision >= 2 ? 36 : 20, 0);
    std::memcpy(r.data(), "RSD PTR ", 8);
    std::memcpy(r.data() + 9, "TESTID", 6);
    r[15] = revision;
    put(r, 16, rsdt, 4);
    if (revision >= 2) {
        put(r, 20, 36, 4);
        put(r, 24, xsdt, 8);
    }
    fix_checksum(r, 8, 20);
    if (revision >= 2) fix_checksum(r, 32, 36);
    return r;
}

std::vector<uint8_t> root_table(const char* signature, const std::vector<uint64_t>& addresses, size_t width) {
    std::vector<uint8_t> body;
    for (uint64_t a : addresses) put(body, body.size(), a, width);
    return sdt(signature, body);
}

struct AcpiWorld {
    FakeMemory memory;
    std::vector<uint8_t> rsdp_bytes;
    uint64_t madt_address = 0;
    uint64_t facp_address = 0;
};

// RSDT at 0x1000 listing FACP and APIC; XSDT at 0x2000 listing a different
// APIC (so tests can tell which root was used); tables from 0x3000.
void build_world(AcpiWorld& world, uint8_t revision) {
    std::vector<uint8_t> facp = sdt("FACP", std::vector<uint8_t>(100, 0));
    std::vector<uint8_t> madt_rsdt = madt({local_apic(0, 0, 1)});
    std::vector<uint8_t> madt_xsdt = madt({local_apic(0, 0, 1), local_apic(1, 1, 1)});
    world.facp_address = world.memory.place(facp, 0x3000);
    uint64_t madt_old = world.memory.place(madt_rsdt, 0x4000);
    world.madt_address = world.memory.place(madt_xsdt, 0x5000);
    uint64_t rsdt = world.memory.place(root_table("RSDT", {world.facp_address, madt_old}, 4), 0x1000);
    uint64_t xsdt = world.memory.place(root_table("XSDT", {0, world.facp_address, world.madt_address}, 8), 0x2000);
    world.rsdp_bytes = rsdp(revision, static_cast<uint32_t>(rsdt), xsdt);
}

TEST(Acpi, PrefersXsdtOnRevision2) {
    AcpiWorld world;
    build_world(world, 2);
    auto table = find_acpi_table(world.rsdp_bytes.data(), "APIC", FakeMemory::phys_to_ptr);
    ASSERT_TRUE(table.has_value()) << table.error().message;
    auto cpus = parse_madt_cpus(table.value());
    ASSERT_TRUE(cpus.has_value());
    EXPECT_EQ(cpus->count, 2u);  // the XSDT's MADT
    auto facp = find_acpi_table(world.rsdp_bytes.data(), "FACP", FakeMemory::phys_to_ptr);
    ASSERT_TRUE(facp.has_value());
    EXPECT_EQ(facp->size(), 136u);
}

TEST(Acpi, UsesRsdtOnRevision0) {
    AcpiWorld world;
    build_world(world, 0);
    auto table = find_acpi_table(world.rsdp_bytes.data(), "APIC", FakeMemory::phys_to_ptr);
    ASSERT_TRUE(table.has_value()) << table.error().message;
    auto cpus = parse_madt_cpus(table.value());
    ASSERT_TRUE(cpus.has_value());
    EXPECT_EQ(cpus->count, 1u);
}

TEST(Acpi, Failures) {
    {
        AcpiWorld world;
        build_world(world, 2);
        auto missing = find_acpi_table(world.rsdp_bytes.data(), "HPET", FakeMemory::phys_to_ptr);
        ASSERT_FALSE(missing.has_value());
        EXPECT_EQ(missing.error().code, lib::ErrorCode::kNotFound);
        EXPECT_FALSE(find_acpi_table(nullptr, "APIC", FakeMemory::phys_to_ptr).has_value());
    }
    struct Case {
        const char* name;
        void (*mutate)(AcpiWorld&);
        const char* message_part;
    };
    const Case cases[] = {
        {"rsdp signature", [](AcpiWorld& w) { w.rsdp_bytes[0] = 'X'; }, "signature"},
        {"rsdp checksum", [](AcpiWorld& w) { w.rsdp_bytes[9] ^= 1; }, "RSDP checksum"},
        {"rsdp extended checksum", [](AcpiWorld& w) { w.rsdp_bytes[35] ^= 1; }, "extended checksum"},
        {"rsdp length",
         [](AcpiWorld& w) {
             put(w.rsdp_bytes, 20, 20, 4);
             fix_checksum(w.rsdp_bytes, 8, 20);
         },
         "RSDP Length"},
        {"xsdt unreadable",
         [](AcpiWorld& w) {
             put(w.rsdp_bytes, 24, 0x42, 8);
             fix_checksum(w.rsdp_bytes, 32, 36);
         },
         "not readable"},
        {"xsdt signature", [](AcpiWorld& w) { w.memory.at(0x2000)[0] = 'R'; }, "XSDT signature"},
        {"xsdt checksum", [](AcpiWorld& w) { w.memory.at(0x2000)[40] ^= 1; }, "RSDT/XSDT checksum"},
        {"xsdt length", [](AcpiWorld& w) { put_len(w.memory.at(0x2000), 0xffffffff); }, "Length is below 36"},
        {"xsdt length huge but below cap", [](AcpiWorld& w) { put_len(w.memory.at(0x2000), 15u << 20); },
         "RSDT/XSDT checksum"},
        {"table checksum", [](AcpiWorld& w) { w.memory.at(0x5000)[50] ^= 1; }, "fails its length or checksum"},
        {"table length", [](AcpiWorld& w) { put_len(w.memory.at(0x5000), 10); }, "fails its length or checksum"},
    };
    for (const Case& c : cases) {
        AcpiWorld world;
        build_world(world, 2);
        c.mutate(world);
        auto result = find_acpi_table(world.rsdp_bytes.data(), "APIC", FakeMemory::phys_to_ptr);
        ASSERT_FALSE(result.has_value()) << c.name;
        EXPECT_NE(std::string(result.error().message).find(c.message_part), std::string::npos)
            << c.name << " -> " << result.error().message;
    }
}

TEST(Acpi, RandomizedRootTablesNeverCrash) {
    std::mt19937_64 random(0xac91);
    for (int round = 0; round < 10000; ++round) {
        AcpiWorld world;
        build_world(world, static_cast<uint8_t>(random() % 3));
        int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits; ++e) {
            uint64_t region = 0x1000 + 0x1000 * (random() % 5);  // RSDT, XSDT, FACP, MADTs
            uint8_t* bytes = world.memory.at(region);
            size_t at = random() % 64;
            bytes[at] = static_cast<uint8_t>(random());
            if (random() % 2) {  // keep the checksum valid so deeper code runs
                uint32_t length = static_cast<uint32_t>(bytes[4] | bytes[5] << 8 | bytes[6] << 16) & 0xffff;
                uint8_t sum = 0;
                bytes[9] = 0;
                for (uint32_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
                bytes[9] = static_cast<uint8_t>(-sum);
            }
        }
        const char* signatures[] = {"APIC", "FACP", "XSDT", "HPET"};
        auto table = find_acpi_table(world.rsdp_bytes.data(), signatures[random() % 4], FakeMemory::phys_to_ptr);
        if (table.has_value()) {
            ASSERT_GE(table->size(), 36u);
            if (std::memcmp(table->data(), "APIC", 4) == 0) {
                auto cpus = parse_madt_cpus(table.value());
                if (cpus.has_value()) ASSERT_LE(cpus->count, loader::kMaxCpus);
            }
        }
    }
}

}  // namespace
