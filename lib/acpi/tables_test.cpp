// RSDP, RSDT/XSDT and header validation (ACPI 6.5 §5.2.5 - §5.2.8) with
// hand-made good and bad tables.
#include "lib/acpi/tables.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "lib/acpi/test_support.hpp"

namespace acpi {
namespace {

using test::ByteVector;
using test::FakeMemory;
using test::make_root;
using test::make_rsdp;
using test::make_table;

constexpr uint64_t kRsdp = 0xe0000;
constexpr uint64_t kRsdt = 0x1000;
constexpr uint64_t kXsdt = 0x2000;

bool has_problem(const Diagnostics& problems, const char* table, const std::string& words) {
    for (size_t i = 0; i < problems.count(); ++i)
        if (std::string(problems[i].table.text) == table &&
            std::string(problems[i].message).find(words) != std::string::npos)
            return true;
    return false;
}

struct Fixture : ::testing::Test {
    FakeMemory memory;
    Diagnostics problems;
    std::unique_ptr<TableDirectory> directory = std::make_unique<TableDirectory>();

    void load(uint64_t rsdp = kRsdp) { directory->load(memory, rsdp, problems); }
};

using Rsdp = Fixture;

TEST_F(Rsdp, Version1UsesTheRsdt) {
    memory.put(kRsdp, make_rsdp(0, kRsdt, 0));
    memory.put(kRsdt, make_root(false, {0x3000}));
    memory.put(0x3000, make_table("FACP", 1, ByteVector(80, 0)));
    load();
    EXPECT_TRUE(directory->found_rsdp());
    EXPECT_FALSE(directory->uses_xsdt());
    EXPECT_EQ(directory->rsdp().revision, 0);
    EXPECT_EQ(std::string(directory->rsdp().oem_id), "CXXK");
    ASSERT_NE(directory->find(Signature::of("FACP")), nullptr);
    EXPECT_EQ(directory->find(Signature::of("FACP"))->physical, 0x3000u);
}

TEST_F(Rsdp, Version2PrefersTheXsdt) {
    memory.put(kRsdp, make_rsdp(2, kRsdt, kXsdt));
    memory.put(kRsdt, make_root(false, {0x3000}));
    memory.put(kXsdt, make_root(true, {0x4000}));
    memory.put(0x3000, make_table("OLD!", 1, {}));
    memory.put(0x4000, make_table("NEW!", 1, {}));
    load();
    EXPECT_TRUE(directory->uses_xsdt());
    EXPECT_EQ(directory->root_physical(), kXsdt);
    EXPECT_NE(directory->find(Signature::of("NEW!")), nullptr);
    EXPECT_EQ(directory->find(Signature::of("OLD!")), nullptr);
    EXPECT_TRUE(problems.empty());
}

TEST_F(Rsdp, XsdtAbove4GiBIsReached) {
    memory.put(kRsdp, make_rsdp(2, 0, 0x1'0000'0000));
    memory.put(0x1'0000'0000, make_root(true, {0x2'0000'0000}));
    memory.put(0x2'0000'0000, make_table("HIGH", 1, {}));
    load();
    EXPECT_NE(directory->find(Signature::of("HIGH")), nullptr);
}

TEST_F(Rsdp, WrongSignatureOrChecksumIsRejected) {
    ByteVector rsdp = make_rsdp(0, kRsdt, 0);
    rsdp[0] = 'X';
    memory.put(kRsdp, rsdp);
    load();
    EXPECT_FALSE(directory->found_rsdp());
    EXPECT_TRUE(has_problem(problems, "RSDP", "signature"));

    ByteVector bad_sum = make_rsdp(0, kRsdt, 0);
    bad_sum[16] ^= 1;
    memory.put(kRsdp, bad_sum);
    Diagnostics more;
    directory->load(memory, kRsdp, more);
    EXPECT_FALSE(directory->found_rsdp());
    EXPECT_TRUE(has_problem(more, "RSDP", "checksum"));
}

TEST_F(Rsdp, BadExtendedChecksumFallsBackToTheRsdt) {
    ByteVector rsdp = make_rsdp(2, kRsdt, kXsdt);
    rsdp[32] ^= 0xff;  // the extended checksum only
    memory.put(kRsdp, rsdp);
    memory.put(kRsdt, make_root(false, {0x3000}));
    memory.put(0x3000, make_table("FACP", 1, {}));
    load();
    EXPECT_TRUE(directory->found_rsdp());
    EXPECT_FALSE(directory->uses_xsdt());
    EXPECT_NE(directory->find(Signature::of("FACP")), nullptr);
    EXPECT_TRUE(has_problem(problems, "RSDP", "extended checksum"));
}

TEST_F(Rsdp, AbsurdExtendedLengthFallsBackToTheRsdt) {
    ByteVector rsdp = make_rsdp(2, kRsdt, kXsdt);
    test::put_le(rsdp, 20, 0x7fffffff, 4);
    test::fix_checksum(rsdp, 8, 20);
    memory.put(kRsdp, rsdp);
    memory.put(kRsdt, make_root(false, {}));
    load();
    EXPECT_FALSE(directory->uses_xsdt());
    EXPECT_TRUE(has_problem(problems, "RSDP", "Length"));
}

TEST_F(Rsdp, NoneOrUnreadable) {
    load(0);
    EXPECT_FALSE(directory->found_rsdp());
    EXPECT_TRUE(has_problem(problems, "RSDP", "no RSDP"));
    Diagnostics more;
    directory->load(memory, 0xdead0000, more);
    EXPECT_TRUE(has_problem(more, "RSDP", "not readable"));
    // The last bytes of memory: the range would wrap around.
    Diagnostics wrap;
    directory->load(memory, 0xffff'ffff'ffff'fff0, wrap);
    EXPECT_FALSE(directory->found_rsdp());
}

TEST_F(Rsdp, BadXsdtFallsBackToTheRsdt) {
    memory.put(kRsdp, make_rsdp(2, kRsdt, kXsdt));
    ByteVector xsdt = make_root(true, {0x4000});
    xsdt[20] ^= 1;  // checksum now wrong
    memory.put(kXsdt, xsdt);
    memory.put(kRsdt, make_root(false, {0x3000}));
    memory.put(0x3000, make_table("FACP", 1, {}));
    load();
    EXPECT_FALSE(directory->uses_xsdt());
    EXPECT_NE(directory->find(Signature::of("FACP")), nullptr);
    EXPECT_TRUE(has_problem(problems, "XSDT", "checksum"));
}

TEST_F(Rsdp, RootWithTheWrongSignatureIsRefused) {
    memory.put(kRsdp, make_rsdp(2, 0, kXsdt));
    memory.put(kXsdt, make_table("RSDT", 1, {}));
    load();
    EXPECT_TRUE(has_problem(problems, "XSDT", "signature"));
    EXPECT_TRUE(has_problem(problems, "RSDP", "no usable"));
    EXPECT_EQ(directory->tables().size(), 0u);
}

using Directory = Fixture;

TEST_F(Directory, BadTablesAreReportedAndLeftOut) {
    ByteVector bad_checksum = make_table("BADS", 1, ByteVector(8, 1));
    bad_checksum[40] ^= 0x10;
    ByteVector too_short = make_table("SHRT", 1, {});
    test::put_le(too_short, 4, 20, 4);
    ByteVector huge = make_table("HUGE", 1, {});
    test::put_le(huge, 4, 0xffffffff, 4);
    ByteVector past_end = make_table("PAST", 1, {});
    test::put_le(past_end, 4, 4096, 4);
    memory.put(kRsdp, make_rsdp(2, 0, kXsdt));
    memory.put(kXsdt, make_root(true, {0x3000, 0x4000, 0x5000, 0x6000, 0x7000, 0, 0xbad0000, 0x8000}));
    memory.put(0x3000, bad_checksum);
    memory.put(0x4000, too_short);
    memory.put(0x5000, huge);
    memory.put(0x6000, past_end);
    memory.put(0x7000, make_table("GOOD", 1, {}));
    memory.put(0x8000, make_table("GOOD", 2, {}));
    load();
    EXPECT_TRUE(has_problem(problems, "BADS", "checksum"));
    EXPECT_TRUE(has_problem(problems, "SHRT", "shorter"));
    EXPECT_TRUE(has_problem(problems, "HUGE", "large"));
    EXPECT_TRUE(has_problem(problems, "PAST", "unreadable"));
    EXPECT_TRUE(has_problem(problems, "XSDT", "null"));
    EXPECT_TRUE(has_problem(problems, "XSDT", "unreadable memory"));
    EXPECT_EQ(directory->tables().size(), 2u);
    EXPECT_EQ(directory->count(Signature::of("GOOD")), 2u);
    EXPECT_EQ(directory->find(Signature::of("GOOD"), 1)->header.revision, 2);
    EXPECT_EQ(directory->find(Signature::of("GOOD"), 2), nullptr);
    EXPECT_EQ(directory->find(Signature::of("BADS")), nullptr);
}

TEST_F(Directory, PartialRootEntryIsIgnored) {
    ByteVector rsdt = make_root(false, {0x3000});
    rsdt.push_back(0x40);  // half an entry
    test::reseal(rsdt);
    memory.put(kRsdp, make_rsdp(0, kRsdt, 0));
    memory.put(kRsdt, rsdt);
    memory.put(0x3000, make_table("FACP", 1, {}));
    load();
    EXPECT_NE(directory->find(Signature::of("FACP")), nullptr);
    EXPECT_TRUE(has_problem(problems, "RSDT", "partial"));
}

TEST_F(Directory, SsdtsAreFoundByIndexAndBytesAreWhole) {
    ByteVector first = make_table("SSDT", 2, ByteVector(10, 0xaa));
    ByteVector second = make_table("SSDT", 2, ByteVector(20, 0xbb));
    memory.put(kRsdp, make_rsdp(2, 0, kXsdt));
    memory.put(kXsdt, make_root(true, {0x3000, 0x4000, 0x5000}));
    memory.put(0x3000, first);
    memory.put(0x4000, make_table("FACP", 1, {}));
    memory.put(0x5000, second);
    load();
    EXPECT_EQ(directory->count(Signature::of("SSDT")), 2u);
    lib::Bytes bytes = directory->table_bytes(Signature::of("SSDT"), 1);
    ASSERT_EQ(bytes.size(), second.size());
    EXPECT_EQ(bytes[36], 0xbb);
    EXPECT_TRUE(directory->table_bytes(Signature::of("SSDT"), 2).empty());
    EXPECT_TRUE(directory->table_bytes(Signature::of("NONE")).empty());
}

TEST_F(Directory, TooManyTablesStopAtCapacity) {
    std::vector<uint64_t> addresses;
    for (uint64_t i = 0; i < TableDirectory::kCapacity + 10; ++i) {
        addresses.push_back(0x10000 + i * 0x100);
        memory.put(addresses.back(), make_table("SSDT", 1, {}));
    }
    memory.put(kRsdp, make_rsdp(2, 0, kXsdt));
    memory.put(kXsdt, make_root(true, addresses));
    load();
    EXPECT_EQ(directory->tables().size(), TableDirectory::kCapacity);
    EXPECT_TRUE(has_problem(problems, "XSDT", "more tables"));
}

TEST_F(Directory, HugeRootTableIsBounded) {
    // A 1 MiB XSDT of entries that all point at unreadable memory.
    std::vector<uint64_t> addresses(128 * 1024, 0xdead'0000);
    addresses[5] = 0x3000;
    memory.put(kRsdp, make_rsdp(2, 0, kXsdt));
    memory.put(kXsdt, make_root(true, addresses));
    memory.put(0x3000, make_table("FACP", 1, {}));
    load();
    EXPECT_NE(directory->find(Signature::of("FACP")), nullptr);
    EXPECT_TRUE(has_problem(problems, "XSDT", "absurdly many"));
    EXPECT_EQ(problems.count(), 2u);  // that, and one "unreadable memory" repeated
    EXPECT_TRUE(has_problem(problems, "XSDT", "unreadable memory"));
}

TEST_F(Directory, HeaderFieldsAreDecodedPrintably) {
    ByteVector table = make_table("TEST", 7, {});
    table[10] = 0x01;  // a control character in the OEM ID
    test::reseal(table);
    memory.put(kRsdp, make_rsdp(0, kRsdt, 0));
    memory.put(kRsdt, make_root(false, {0x3000}));
    memory.put(0x3000, table);
    load();
    const TableRecord* record = directory->find(Signature::of("TEST"));
    ASSERT_NE(record, nullptr);
    EXPECT_EQ(record->header.revision, 7);
    EXPECT_EQ(record->header.length, 36u);
    EXPECT_EQ(std::string(record->header.oem_id), "?XXK");
    EXPECT_EQ(std::string(record->header.oem_table_id), "TESTTABL");
}

TEST(Diagnostics, RepeatsAreCountedAndOverflowIsDropped) {
    Diagnostics problems;
    for (int i = 0; i < 5; ++i) problems.report(Signature::of("APIC"), "same", i);
    ASSERT_EQ(problems.count(), 1u);
    EXPECT_EQ(problems[0].repeats, 4u);
    EXPECT_EQ(problems[0].detail, 0u);
    for (size_t i = 0; i < Diagnostics::kCapacity + 5; ++i) {
        char name[5] = {'T', static_cast<char>('A' + i / 26), static_cast<char>('A' + i % 26), 'X', 0};
        problems.report(test::signature(name), "x", i);
    }
    EXPECT_EQ(problems.count(), Diagnostics::kCapacity);
    EXPECT_EQ(problems.dropped(), 6u);
    problems.report(test::signature("\x01\x02\x7f"
                                    "A"),
                    "y");
    EXPECT_EQ(std::string(problems[0].table.text), "APIC");
    Diagnostics garbage;
    garbage.report(test::signature("\x01\x02\x7f"
                                   "A"),
                   "y");
    EXPECT_EQ(std::string(garbage[0].table.text), "???A");
}

}  // namespace
}  // namespace acpi
