// FADT (ACPI 6.5 §5.2.9), HPET and MCFG decoding, and a whole Platform built
// from tables compiled by iasl (tests/data/acpi/asl/).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "kernel/acpi/platform.hpp"
#include "lib/acpi/test_support.hpp"

namespace acpi {
namespace {

using test::ByteVector;

lib::Bytes bytes_of(const ByteVector& v) {
    return lib::Bytes(v.data(), v.size());
}
ByteVector aml(const char* name) {
    return test::read_file(test::data_path(std::string("asl/") + name));
}

bool has_problem(const Diagnostics& problems, const std::string& words) {
    for (size_t i = 0; i < problems.count(); ++i)
        if (std::string(problems[i].message).find(words) != std::string::npos) return true;
    return false;
}

TEST(Fadt, Revision6FromIasl) {
    FadtInfo fadt;
    Diagnostics problems;
    ByteVector table = aml("fadt_rev6.aml");
    parse_fadt(bytes_of(table), fadt, problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(fadt.revision, 6);
    EXPECT_EQ(fadt.minor_revision, 5);
    EXPECT_EQ(fadt.length, 276u);
    EXPECT_EQ(fadt.sci_interrupt, 9);
    EXPECT_EQ(fadt.smi_command_port, 0xb2u);
    EXPECT_EQ(fadt.acpi_enable_value, 0xf1);
    EXPECT_EQ(fadt.dsdt_address, 0x100000u);  // X_DSDT only
    EXPECT_TRUE(fadt.has_pm_timer());
    EXPECT_EQ(fadt.pm_timer.address, 0x608u);  // X_PM_TMR_BLK only
    EXPECT_EQ(fadt.pm_timer.space, AddressSpace::kSystemIo);
    EXPECT_EQ(fadt.pm_timer_bits, 32);
    EXPECT_TRUE(fadt.reset_supported);
    EXPECT_EQ(fadt.reset_register.address, 0xcf9u);
    EXPECT_EQ(fadt.reset_value, 0x06);
    EXPECT_TRUE(fadt.boot_architecture.has_8042());
    EXPECT_TRUE(fadt.boot_architecture.vga_not_present());
    EXPECT_FALSE(fadt.boot_architecture.legacy_devices());
    EXPECT_FALSE(fadt.boot_architecture.cmos_rtc_not_present());
    EXPECT_EQ(fadt.century_register, 0x32);
    EXPECT_EQ(fadt.pm1a_control.address, 0x604u);
    EXPECT_FALSE(fadt.pm1b_control.present());
    EXPECT_FALSE(fadt.hardware_reduced());
}

TEST(Fadt, TruncatedTableReadsMissingFieldsAsAbsent) {
    ByteVector table = aml("fadt_rev6.aml");
    table.resize(100);  // ends inside the ACPI 1.0 part: no century, flags, reset
    test::reseal(table);
    FadtInfo fadt;
    Diagnostics problems;
    parse_fadt(bytes_of(table), fadt, problems);
    EXPECT_TRUE(has_problem(problems, "116-byte"));
    EXPECT_TRUE(has_problem(problems, "no DSDT"));
    EXPECT_EQ(fadt.sci_interrupt, 9);
    EXPECT_EQ(fadt.century_register, 0);
    EXPECT_FALSE(fadt.reset_supported);
    EXPECT_FALSE(fadt.has_pm_timer());  // PM_TMR_BLK is 0 in this table, X_ is cut off
}

TEST(Fadt, BadResetRegistersAreNotUsed) {
    struct Case {
        uint8_t space, bit_width;
        uint64_t address;
        const char* problem;
    };
    for (Case c : {Case{1, 8, 0, "address is zero"}, Case{3, 8, 0x66, "cannot write"}, Case{1, 16, 0xcf9, "not 8 bits"},
                   Case{2, 8, 0x0000'001f'0000'0044, nullptr}, Case{0, 8, 0xfee0'0000, nullptr}}) {
        ByteVector table = aml("fadt_rev6.aml");
        table[116] = c.space;
        table[117] = c.bit_width;
        test::put_le(table, 120, c.address, 8);
        test::reseal(table);
        FadtInfo fadt;
        Diagnostics problems;
        parse_fadt(bytes_of(table), fadt, problems);
        if (c.problem) {
            EXPECT_FALSE(fadt.reset_supported) << c.problem;
            EXPECT_TRUE(has_problem(problems, c.problem)) << c.problem;
        } else {
            EXPECT_TRUE(fadt.reset_supported);
            EXPECT_TRUE(problems.empty());
        }
        if (c.space == 2) {
            EXPECT_EQ(fadt.reset_register.pci_device(), 0x1f);
            EXPECT_EQ(fadt.reset_register.pci_function(), 0);
            EXPECT_EQ(fadt.reset_register.pci_offset(), 0x44);
        }
    }
}

TEST(Fadt, ResetRegisterIgnoredWithoutTheFlag) {
    ByteVector table = aml("fadt_rev6.aml");
    test::put_le(table, 112, 0x100, 4);  // TMR_VAL_EXT only
    test::reseal(table);
    FadtInfo fadt;
    Diagnostics problems;
    parse_fadt(bytes_of(table), fadt, problems);
    EXPECT_FALSE(fadt.reset_supported);
    EXPECT_TRUE(problems.empty());
}

TEST(Fadt, LegacyTimerNeedsLength4) {
    ByteVector table = aml("fadt_rev6.aml");
    table.resize(116);
    test::put_le(table, 76, 0x408, 4);  // PM_TMR_BLK
    table[91] = 2;                      // PM_TMR_LEN must be 4
    test::reseal(table);
    FadtInfo fadt;
    Diagnostics problems;
    parse_fadt(bytes_of(table), fadt, problems);
    EXPECT_FALSE(fadt.has_pm_timer());
    EXPECT_TRUE(has_problem(problems, "PM_TMR_LEN"));
    table[91] = 4;
    test::reseal(table);
    Diagnostics again;
    parse_fadt(bytes_of(table), fadt, again);
    EXPECT_TRUE(fadt.has_pm_timer());
    EXPECT_EQ(fadt.pm_timer.address, 0x408u);
    EXPECT_EQ(fadt.pm_timer.bit_width, 32);
}

TEST(Hpet, FromIasl) {
    HpetInfo hpet;
    Diagnostics problems;
    ByteVector table = aml("hpet.aml");
    ASSERT_TRUE(parse_hpet(bytes_of(table), hpet, problems));
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(hpet.base.address, 0xfed00000u);
    EXPECT_EQ(hpet.hardware_revision, 1);
    EXPECT_EQ(hpet.comparator_count, 8);  // field 7 + 1
    EXPECT_TRUE(hpet.counter_64bit);
    EXPECT_TRUE(hpet.legacy_replacement);
    EXPECT_EQ(hpet.pci_vendor_id, 0x8086);
    EXPECT_EQ(hpet.minimum_tick, 0x37ee);
    EXPECT_EQ(hpet.page_protection, 1);
}

TEST(Hpet, BadTablesAreRefused) {
    Diagnostics problems;
    HpetInfo hpet;
    ByteVector table = aml("hpet.aml");
    ByteVector short_table(table.begin(), table.begin() + 50);
    EXPECT_FALSE(parse_hpet(bytes_of(short_table), hpet, problems));
    EXPECT_TRUE(has_problem(problems, "56-byte"));
    ByteVector io_space = table;
    io_space[40] = 1;
    EXPECT_FALSE(parse_hpet(bytes_of(io_space), hpet, problems));
    EXPECT_TRUE(has_problem(problems, "not in system memory"));
    ByteVector misaligned = table;
    misaligned[44] = 0x10;
    EXPECT_FALSE(parse_hpet(bytes_of(misaligned), hpet, problems));
    EXPECT_TRUE(has_problem(problems, "aligned"));
}

TEST(Mcfg, FromIasl) {
    McfgInfo mcfg;
    Diagnostics problems;
    ByteVector table = aml("mcfg.aml");
    parse_mcfg(bytes_of(table), mcfg, problems);
    EXPECT_TRUE(problems.empty());
    ASSERT_EQ(mcfg.range_count, 2u);
    EXPECT_EQ(mcfg.ranges[1].base, 0x40'0000'0000u);
    EXPECT_EQ(mcfg.ranges[1].segment, 1);
    EXPECT_EQ(mcfg.find(1, 0x15), &mcfg.ranges[1]);
    EXPECT_EQ(mcfg.find(1, 0x20), nullptr);
}

TEST(Mcfg, HostileTableKeepsOnlyTheGoodRange) {
    McfgInfo mcfg;
    Diagnostics problems;
    ByteVector table = aml("bad_mcfg.aml");
    table.push_back(0xff);  // and a partial entry
    test::reseal(table);
    parse_mcfg(bytes_of(table), mcfg, problems);
    ASSERT_EQ(mcfg.range_count, 1u);
    EXPECT_EQ(mcfg.ranges[0].segment, 2);
    EXPECT_TRUE(has_problem(problems, "1 MiB aligned"));
    EXPECT_TRUE(has_problem(problems, "end bus below start bus"));
    EXPECT_TRUE(has_problem(problems, "partial entry"));
    ByteVector tiny = test::make_table("MCFG", 1, {0, 0});
    parse_mcfg(bytes_of(tiny), mcfg, problems);
    EXPECT_EQ(mcfg.range_count, 0u);
    EXPECT_TRUE(has_problem(problems, "44-byte"));
}

// Every iasl-compiled table in one fake machine: RSDP -> XSDT -> FADT (->
// DSDT at 0x100000), MADT, HPET, MCFG and two SSDTs.
TEST(Platform, FromIaslTables) {
    test::FakeMemory memory;
    memory.put(0xe0000, test::make_rsdp(2, 0, 0x80000));
    memory.put(0x80000, test::make_root(true, {0x81000, 0x82000, 0x83000, 0x84000, 0x85000, 0x86000}));
    memory.put(0x81000, aml("fadt_rev6.aml"));
    memory.put(0x82000, aml("ssdt_cpus.aml"));
    memory.put(0x83000, aml("madt_all_types.aml"));
    memory.put(0x84000, aml("hpet.aml"));
    memory.put(0x85000, aml("mcfg.aml"));
    memory.put(0x86000, aml("ssdt_extra.aml"));
    memory.put(0x100000, aml("dsdt.aml"));
    auto platform = std::make_unique<Platform>();
    platform->parse(memory, 0xe0000);
    EXPECT_TRUE(platform->problems.empty());
    EXPECT_TRUE(platform->has_fadt && platform->has_madt && platform->has_hpet && platform->has_mcfg);
    EXPECT_EQ(platform->madt.usable_cpu_count(), 3u);
    EXPECT_EQ(platform->tables.count(Signature::of("SSDT")), 2u);
    EXPECT_EQ(std::string(platform->tables.find(Signature::of("SSDT"), 1)->header.oem_table_id), "SSDTXTRA");
    lib::Bytes dsdt = platform->tables.table_bytes(Signature::of("DSDT"));
    ASSERT_EQ(dsdt.size(), aml("dsdt.aml").size());
    EXPECT_EQ(platform->tables.find(Signature::of("DSDT"))->physical, 0x100000u);
}

TEST(Platform, DsdtPointerToGarbageIsReported) {
    test::FakeMemory memory;
    memory.put(0xe0000, test::make_rsdp(2, 0, 0x80000));
    memory.put(0x80000, test::make_root(true, {0x81000}));
    memory.put(0x81000, aml("fadt_rev6.aml"));
    memory.put(0x100000, aml("ssdt_extra.aml"));  // not a DSDT
    auto platform = std::make_unique<Platform>();
    platform->parse(memory, 0xe0000);
    EXPECT_EQ(platform->tables.find(Signature::of("DSDT")), nullptr);
    EXPECT_TRUE(has_problem(platform->problems, "another signature"));
    EXPECT_FALSE(platform->has_madt);
}

}  // namespace
}  // namespace acpi
