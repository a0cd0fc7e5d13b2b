// MADT decoding (ACPI 6.5 §5.2.12): every entry type from a table compiled
// by iasl (tests/data/acpi/asl/madt_all_types.dsl), then malformed entries.
#include "lib/acpi/madt.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "lib/acpi/test_support.hpp"

namespace acpi {
namespace {

using test::ByteVector;

bool has_problem(const Diagnostics& problems, const std::string& words) {
    for (size_t i = 0; i < problems.count(); ++i)
        if (std::string(problems[i].message).find(words) != std::string::npos) return true;
    return false;
}

struct MadtTest : ::testing::Test {
    std::unique_ptr<MadtInfo> madt = std::make_unique<MadtInfo>();
    Diagnostics problems;

    void parse(const ByteVector& table) { parse_madt(lib::Bytes(table.data(), table.size()), *madt, problems); }
};

// The fixed part (local APIC address 0xFEE00000, PC-AT flag) plus entries.
ByteVector madt_with(const ByteVector& entries) {
    ByteVector payload = {0x00, 0x00, 0xe0, 0xfe, 0x01, 0x00, 0x00, 0x00};
    payload.insert(payload.end(), entries.begin(), entries.end());
    return test::make_table("APIC", 5, payload);
}

TEST_F(MadtTest, EveryEntryTypeFromIasl) {
    parse(test::read_file(test::data_path("asl/madt_all_types.aml")));
    EXPECT_TRUE(problems.empty());
    EXPECT_TRUE(madt->pcat_compat);
    EXPECT_EQ(madt->local_apic_address, 0xfee10000u);  // the 64-bit override wins

    ASSERT_EQ(madt->cpu_count, 4u);
    EXPECT_TRUE(madt->cpus[0].enabled);
    EXPECT_FALSE(madt->cpus[1].enabled);
    EXPECT_TRUE(madt->cpus[1].online_capable);
    EXPECT_EQ(madt->cpus[1].apic_id, 2u);
    EXPECT_FALSE(madt->cpus[2].usable());
    EXPECT_TRUE(madt->cpus[3].x2apic);
    EXPECT_EQ(madt->cpus[3].apic_id, 0x100u);
    EXPECT_EQ(madt->cpus[3].processor_uid, 3u);
    EXPECT_EQ(madt->usable_cpu_count(), 3u);

    ASSERT_EQ(madt->io_apic_count, 2u);
    EXPECT_EQ(madt->io_apics[1].id, 1);
    EXPECT_EQ(madt->io_apics[1].address, 0xfec01000u);
    EXPECT_EQ(madt->io_apics[1].gsi_base, 24u);
    EXPECT_EQ(madt->io_apic_for_gsi(23), &madt->io_apics[0]);
    EXPECT_EQ(madt->io_apic_for_gsi(30), &madt->io_apics[1]);

    ASSERT_EQ(madt->override_count, 3u);
    EXPECT_EQ(madt->isa_irq_to_gsi(0), 2u);
    EXPECT_EQ(madt->isa_irq_to_gsi(11), 30u);
    const InterruptOverride* irq11 = madt->override_for_isa_irq(11);
    EXPECT_TRUE(irq11->flags.active_low());
    EXPECT_TRUE(irq11->flags.level_triggered());
    const InterruptOverride* irq9 = madt->override_for_isa_irq(9);
    EXPECT_EQ(irq9->flags.polarity, Polarity::kActiveHigh);
    EXPECT_EQ(irq9->flags.trigger, TriggerMode::kLevel);
    EXPECT_FALSE(madt->override_for_isa_irq(0)->flags.level_triggered());

    ASSERT_EQ(madt->nmi_source_count, 1u);
    EXPECT_EQ(madt->nmi_sources[0].gsi, 0x17u);
    EXPECT_EQ(madt->nmi_sources[0].flags.trigger, TriggerMode::kEdge);

    ASSERT_EQ(madt->local_nmi_count, 2u);
    EXPECT_FALSE(madt->local_nmis[0].x2apic);
    EXPECT_EQ(madt->local_nmis[0].processor_uid, LocalNmi::kAllProcessors);
    EXPECT_EQ(madt->local_nmis[0].lint, 1);
    EXPECT_TRUE(madt->local_nmis[1].x2apic);
    EXPECT_EQ(madt->local_nmis[1].processor_uid, LocalNmi::kAllProcessors);

    EXPECT_EQ(madt->unknown_entry_count, 1u);
}

TEST_F(MadtTest, ShorterThanFixedPart) {
    ByteVector table = test::make_table("APIC", 1, {0, 0, 0xe0});
    parse(table);
    EXPECT_TRUE(has_problem(problems, "44-byte"));
    EXPECT_EQ(madt->cpu_count, 0u);
}

TEST_F(MadtTest, ZeroLengthEntryStopsTheWalkButKeepsWhatCameBefore) {
    parse(madt_with({0, 8, 0, 0, 1, 0, 0, 0, /* zero-length */ 1, 0, /* never reached */ 0, 8, 1, 1, 1, 0, 0, 0}));
    EXPECT_EQ(madt->cpu_count, 1u);
    EXPECT_TRUE(has_problem(problems, "length below 2"));
}

TEST_F(MadtTest, EntryRunningPastTheEnd) {
    parse(madt_with({0, 8, 0, 0, 1, 0, 0, 0, 1, 12, 0, 0}));
    EXPECT_EQ(madt->cpu_count, 1u);
    EXPECT_EQ(madt->io_apic_count, 0u);
    EXPECT_TRUE(has_problem(problems, "past the table end"));
}

TEST_F(MadtTest, LoneTrailingByte) {
    parse(madt_with({0, 8, 0, 0, 1, 0, 0, 0, 7}));
    EXPECT_EQ(madt->cpu_count, 1u);
    EXPECT_TRUE(has_problem(problems, "cut off"));
}

TEST_F(MadtTest, EntryShorterThanItsTypeIsSkipped) {
    // A 6-byte "local APIC" (needs 8), then a good one.
    parse(madt_with({0, 6, 0, 0, 1, 0, 0, 8, 1, 1, 1, 0, 0, 0}));
    ASSERT_EQ(madt->cpu_count, 1u);
    EXPECT_EQ(madt->cpus[0].apic_id, 1u);
    EXPECT_TRUE(has_problem(problems, "shorter than its type"));
}

TEST_F(MadtTest, LongerEntriesAreAcceptedForFutureRevisions) {
    parse(madt_with({0, 10, 5, 6, 1, 0, 0, 0, 0xee, 0xee}));
    ASSERT_EQ(madt->cpu_count, 1u);
    EXPECT_EQ(madt->cpus[0].apic_id, 6u);
    EXPECT_TRUE(problems.empty());
}

TEST_F(MadtTest, GarbageFieldsAreReported) {
    parse(madt_with({
        2, 10, 0,    4, 4, 0, 0, 0, 0x02, 0x00,        // override with reserved polarity
        2, 10, 1,    5, 5, 0, 0, 0, 0x00, 0x00,        // override for bus 1
        2, 10, 0,    6, 6, 0, 0, 0, 0x00, 0x00,        // good
        2, 10, 0,    6, 7, 0, 0, 0, 0x00, 0x00,        // second override for IRQ 6
        4, 6,  0xff, 0, 0, 3,                          // LINT3 does not exist
        1, 12, 0,    0, 0, 0, 0, 0, 0,    0,    0, 0,  // I/O APIC at address 0
        5, 12, 0,    0, 0, 0, 0, 0, 0,    0,    0, 0,  // null LAPIC address override
        0, 8,  0,    7, 1, 0, 0, 0,                    // CPU with APIC ID 7
        0, 8,  1,    7, 1, 0, 0, 0,                    // the same APIC ID again
    }));
    EXPECT_EQ(madt->override_count, 1u);
    EXPECT_EQ(madt->isa_irq_to_gsi(6), 6u);
    EXPECT_EQ(madt->isa_irq_to_gsi(4), 4u);
    EXPECT_EQ(madt->local_nmi_count, 0u);
    EXPECT_EQ(madt->io_apic_count, 0u);
    EXPECT_EQ(madt->local_apic_address, 0xfee00000u);
    EXPECT_EQ(madt->cpu_count, 1u);
    for (const char* words : {"reserved polarity", "other than ISA", "same ISA IRQ", "LINT pin", "I/O APIC with a null",
                              "override is null", "listed twice"})
        EXPECT_TRUE(has_problem(problems, words)) << words;
}

TEST_F(MadtTest, ListsStopAtCapacity) {
    ByteVector entries;
    for (int i = 0; i < 300; ++i) {
        ByteVector x2apic = {9, 16, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
        test::put_le(x2apic, 4, 1000 + i, 4);
        test::put_le(x2apic, 12, i, 4);
        entries.insert(entries.end(), x2apic.begin(), x2apic.end());
    }
    for (int i = 0; i < 20; ++i) {
        ByteVector io_apic = {1, 12, static_cast<uint8_t>(i), 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0};
        entries.insert(entries.end(), io_apic.begin(), io_apic.end());
    }
    parse(madt_with(entries));
    EXPECT_EQ(madt->cpu_count, MadtInfo::kMaxCpus);
    EXPECT_EQ(madt->io_apic_count, MadtInfo::kMaxIoApics);
    EXPECT_TRUE(has_problem(problems, "more CPUs"));
    EXPECT_TRUE(has_problem(problems, "more I/O APICs"));
}

TEST(InterruptFlags, DecodesMpsIntiFlags) {
    InterruptFlags flags = InterruptFlags::decode(0x000f);
    EXPECT_EQ(flags.polarity, Polarity::kActiveLow);
    EXPECT_EQ(flags.trigger, TriggerMode::kLevel);
    EXPECT_FALSE(flags.has_reserved_value());
    EXPECT_TRUE(InterruptFlags::decode(0x0008).has_reserved_value());
    EXPECT_STREQ(polarity_name(Polarity::kActiveLow), "active-low");
    EXPECT_STREQ(trigger_name(TriggerMode::kEdge), "edge");
}

}  // namespace
}  // namespace acpi
