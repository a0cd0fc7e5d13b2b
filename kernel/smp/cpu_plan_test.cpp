// Host tests of the CPU plan (cpu_plan.hpp): the boot CPU first, then every
// enabled MADT CPU the loader started, in MADT order; each other CPU left
// out once, with its reason.
#include "kernel/smp/cpu_plan.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace {

using smp::LeftOutReason;

acpi::LocalApic cpu(uint32_t apic_id, bool enabled = true, bool online_capable = false) {
    return acpi::LocalApic{apic_id, apic_id, enabled, online_capable, false};
}

struct Planned {
    std::vector<uint32_t> apic_ids;
    std::vector<std::pair<uint32_t, LeftOutReason>> left_out;
};

Planned plan(std::vector<acpi::LocalApic> madt, uint32_t bsp, std::vector<uint32_t> loader_aps) {
    auto result = std::make_unique<smp::CpuPlan>();
    smp::plan_cpus(lib::Span<const acpi::LocalApic>(madt.data(), madt.size()), bsp,
                   lib::Span<const uint32_t>(loader_aps.data(), loader_aps.size()), *result);
    Planned planned;
    for (size_t i = 0; i < result->count; ++i) {
        EXPECT_EQ(result->cpus[i].index, i);
        planned.apic_ids.push_back(result->cpus[i].apic_id);
    }
    for (size_t i = 0; i < result->left_out_count; ++i)
        planned.left_out.push_back({result->left_out[i].apic_id, result->left_out[i].reason});
    return planned;
}

TEST(CpuPlan, EveryEnabledCpuTheLoaderStartedRunsBootCpuFirst) {
    Planned p = plan({cpu(0), cpu(1), cpu(2), cpu(3)}, 2, {0, 1, 3});
    EXPECT_EQ(p.apic_ids, (std::vector<uint32_t>{2, 0, 1, 3}));
    EXPECT_TRUE(p.left_out.empty());
}

TEST(CpuPlan, DisabledSlotsAreLeftOut) {
    // QEMU -smp 2,maxcpus=4: two present CPUs, two hot-pluggable slots.
    Planned p = plan({cpu(0), cpu(1), cpu(2, false), cpu(3, false, true)}, 0, {1});
    EXPECT_EQ(p.apic_ids, (std::vector<uint32_t>{0, 1}));
    ASSERT_EQ(p.left_out.size(), 2u);
    EXPECT_EQ(p.left_out[0], (std::pair<uint32_t, LeftOutReason>{2, LeftOutReason::kDisabledInMadt}));
    EXPECT_EQ(p.left_out[1], (std::pair<uint32_t, LeftOutReason>{3, LeftOutReason::kDisabledInMadt}));
}

TEST(CpuPlan, EnabledCpuTheLoaderDidNotStartIsLeftOut) {
    Planned p = plan({cpu(0), cpu(4), cpu(8)}, 0, {8});
    EXPECT_EQ(p.apic_ids, (std::vector<uint32_t>{0, 8}));
    ASSERT_EQ(p.left_out.size(), 1u);
    EXPECT_EQ(p.left_out[0], (std::pair<uint32_t, LeftOutReason>{4, LeftOutReason::kNotStartedByLoader}));
}

TEST(CpuPlan, CpuTheMadtDoesNotEnableIsLeftOutOnce) {
    Planned p = plan({cpu(0), cpu(1, false)}, 0, {1, 7});
    EXPECT_EQ(p.apic_ids, (std::vector<uint32_t>{0}));
    ASSERT_EQ(p.left_out.size(), 2u);
    EXPECT_EQ(p.left_out[0], (std::pair<uint32_t, LeftOutReason>{1, LeftOutReason::kNotEnabledInMadt}));
    EXPECT_EQ(p.left_out[1], (std::pair<uint32_t, LeftOutReason>{7, LeftOutReason::kNotEnabledInMadt}));
}

TEST(CpuPlan, WithoutAMadtTheLoaderListIsTaken) {
    Planned p = plan({}, 5, {1, 2, 5, 2});
    EXPECT_EQ(p.apic_ids, (std::vector<uint32_t>{5, 1, 2}));  // duplicates and the boot CPU once
    EXPECT_TRUE(p.left_out.empty());
}

TEST(CpuPlan, TheLimitHolds) {
    std::vector<acpi::LocalApic> madt;
    std::vector<uint32_t> loader;
    for (uint32_t id = 0; id < lib::kMaxCpus + 3; ++id) {
        madt.push_back(cpu(id));
        if (id) loader.push_back(id);
    }
    Planned p = plan(madt, 0, loader);
    EXPECT_EQ(p.apic_ids.size(), lib::kMaxCpus);
    ASSERT_EQ(p.left_out.size(), 3u);
    for (auto& [id, reason] : p.left_out) EXPECT_EQ(reason, LeftOutReason::kBeyondCpuLimit);
    EXPECT_STREQ(smp::left_out_reason_text(LeftOutReason::kBeyondCpuLimit), "beyond the kernel's CPU limit");
}

}  // namespace
