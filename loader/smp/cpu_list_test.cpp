#include "loader/smp/cpu_list.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace loader::smp {
namespace {

// A processor as the MADT lists it: UID, APIC id, enabled.
struct Cpu {
    uint32_t processor_uid;
    uint32_t apic_id;
    bool enabled;
};

acpi::LocalApic local_apic(const Cpu& cpu) {
    return acpi::LocalApic{cpu.processor_uid, cpu.apic_id, cpu.enabled, !cpu.enabled, false};
}

std::unique_ptr<acpi::MadtInfo> madt_with(std::initializer_list<Cpu> cpus) {
    auto madt = std::make_unique<acpi::MadtInfo>();
    madt->local_apic_address = 0xfee00000;
    for (const Cpu& cpu : cpus) madt->cpus[madt->cpu_count++] = local_apic(cpu);
    return madt;
}

TEST(CpuList, KeepsMadtOrderAndMarksTheBspOnline) {
    auto madt = madt_with({{0, 0, true}, {1, 2, true}, {2, 4, true}, {3, 6, true}});
    auto list = std::make_unique<CpuList>();
    build_cpu_list(madt.get(), 4, *list);
    ASSERT_EQ(list->count, 4u);
    EXPECT_EQ(list->ap_count(), 3u);
    EXPECT_EQ(list->bsp_index, 2u);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(list->cpus[i].processor_uid, i);
        EXPECT_EQ(list->cpus[i].apic_id, 2 * i);
        EXPECT_EQ(list->cpus[i].is_bsp, i == 2);
        EXPECT_EQ(list->cpus[i].online, i == 2);
    }
}

TEST(CpuList, NoMadtListsTheBspAlone) {
    auto list = std::make_unique<CpuList>();
    build_cpu_list(nullptr, 7, *list);
    ASSERT_EQ(list->count, 1u);
    EXPECT_EQ(list->ap_count(), 0u);
    EXPECT_EQ(list->bsp_index, 0u);
    EXPECT_EQ(list->cpus[0].apic_id, 7u);
    EXPECT_EQ(list->cpus[0].processor_uid, 0u);
    EXPECT_TRUE(list->cpus[0].is_bsp);
    EXPECT_TRUE(list->cpus[0].online);
}

TEST(CpuList, BspMissingFromTheMadtComesFirst) {
    auto madt = madt_with({{5, 1, true}, {6, 2, true}});
    auto list = std::make_unique<CpuList>();
    build_cpu_list(madt.get(), 0, *list);
    ASSERT_EQ(list->count, 3u);
    EXPECT_EQ(list->bsp_index, 0u);
    EXPECT_TRUE(list->cpus[0].is_bsp);
    EXPECT_EQ(list->cpus[0].apic_id, 0u);
    EXPECT_EQ(list->cpus[1].apic_id, 1u);
    EXPECT_EQ(list->cpus[1].processor_uid, 5u);
    EXPECT_FALSE(list->cpus[1].online);
    EXPECT_EQ(list->cpus[2].apic_id, 2u);
}

TEST(CpuList, FullMadtWithoutTheBspDropsItsLastEntry) {
    auto madt = std::make_unique<acpi::MadtInfo>();
    for (size_t i = 0; i < kMaxCpus; ++i)
        madt->cpus[i] = local_apic(Cpu{static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1), true});
    madt->cpu_count = kMaxCpus;
    auto list = std::make_unique<CpuList>();
    build_cpu_list(madt.get(), 0, *list);
    ASSERT_EQ(list->count, kMaxCpus);
    EXPECT_TRUE(list->cpus[0].is_bsp);
    EXPECT_EQ(list->cpus[kMaxCpus - 1].apic_id, kMaxCpus - 1);
}

TEST(CpuList, ACountBeyondTheArrayIsClampedNotRead) {
    auto madt = std::make_unique<acpi::MadtInfo>();
    for (size_t i = 0; i < kMaxCpus; ++i)
        madt->cpus[i] = local_apic(Cpu{static_cast<uint32_t>(i), static_cast<uint32_t>(i), true});
    madt->cpu_count = kMaxCpus + 50;  // corrupt: ASan would flag a read past cpus[]
    auto list = std::make_unique<CpuList>();
    build_cpu_list(madt.get(), 3, *list);
    EXPECT_EQ(list->count, kMaxCpus);
    EXPECT_EQ(list->bsp_index, 3u);
}

TEST(CpuList, RebuildingResetsThePreviousList) {
    auto list = std::make_unique<CpuList>();
    auto big = madt_with({{0, 0, true}, {1, 1, true}, {2, 2, true}});
    build_cpu_list(big.get(), 2, *list);
    build_cpu_list(nullptr, 9, *list);
    EXPECT_EQ(list->count, 1u);
    EXPECT_EQ(list->bsp_index, 0u);
}

TEST(CpuList, IpiReachDependsOnTheApicMode) {
    EXPECT_TRUE(can_send_ipi_to(0, false));
    EXPECT_TRUE(can_send_ipi_to(254, false));
    EXPECT_FALSE(can_send_ipi_to(255, false));  // the xAPIC broadcast id
    EXPECT_FALSE(can_send_ipi_to(256, false));
    EXPECT_TRUE(can_send_ipi_to(255, true));
    EXPECT_TRUE(can_send_ipi_to(100000, true));
    EXPECT_FALSE(can_send_ipi_to(0xffffffffu, true));
}

}  // namespace
}  // namespace loader::smp

namespace loader::smp {
TEST(CpuList, SkipsOnlineCapableButDisabledProcessors) {
    auto madt = madt_with({{0, 0, true}, {1, 1, false}, {2, 2, true}});
    CpuList list;
    build_cpu_list(madt.get(), 0, list);
    ASSERT_EQ(list.count, 2u);
    EXPECT_EQ(list.cpus[0].apic_id, 0u);
    EXPECT_EQ(list.cpus[1].apic_id, 2u);
}
}  // namespace loader::smp
