// Host tests of the per-CPU offset table (percpu_areas.hpp): each CPU's copy
// of a variable is where the table says, copies never overlap or touch the
// template, and bad assignments are refused.
#include "kernel/arch/x86_64/percpu_areas.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// Stands for the linked .percpu section, the template: variables.
struct alignas(64) Section {
    uint64_t hot[8];
    int counter;
    char name[13];
};

struct Areas {
    explicit Areas(uint32_t cpus) : offsets(cpus) {
        table.init(reinterpret_cast<uintptr_t>(&section), sizeof section, offsets.data(), cpus);
    }
    ~Areas() {
        for (void* area : allocated) std::free(area);
    }
    uintptr_t allocate() {
        void* area = std::aligned_alloc(arch::PerCpuAreas::kAreaAlignment, table.area_size());
        std::memcpy(area, &section, sizeof section);  // a copy of the template
        allocated.push_back(area);
        return reinterpret_cast<uintptr_t>(area);
    }
    Section section{};
    std::vector<intptr_t> offsets;
    arch::PerCpuAreas table;
    std::vector<void*> allocated;
};

TEST(PerCpuAreas, NoCpuHasAnAreaUntilGivenOne) {
    Areas a(4);
    for (uint32_t cpu = 0; cpu < 4; ++cpu) EXPECT_FALSE(a.table.has_area(cpu));
    EXPECT_FALSE(a.table.has_area(4));
    EXPECT_EQ(a.table.capacity(), 4u);
}

TEST(PerCpuAreas, AreaSizeIsTheSectionRoundedToCacheLines) {
    Areas a(2);
    EXPECT_EQ(a.table.area_size() % 64, 0u);
    EXPECT_GE(a.table.area_size(), sizeof(Section));
    EXPECT_LT(a.table.area_size(), sizeof(Section) + 64);
}

TEST(PerCpuAreas, EachCpuHasItsOwnCopyOfEveryVariable) {
    Areas a(4);
    a.section.counter = 42;  // the value every CPU starts with
    uintptr_t bases[4];
    for (uint32_t cpu = 0; cpu < 4; ++cpu) {
        bases[cpu] = a.allocate();
        ASSERT_TRUE(a.table.assign(cpu, bases[cpu]));
        EXPECT_TRUE(a.table.has_area(cpu));
        EXPECT_EQ(a.table.base(cpu), bases[cpu]);
        EXPECT_EQ(a.table.offset(cpu), intptr_t(bases[cpu] - reinterpret_cast<uintptr_t>(&a.section)));
        EXPECT_EQ(*a.table.on(cpu, &a.section.counter), 42);
    }
    for (uint32_t cpu = 0; cpu < 4; ++cpu) {
        *a.table.on(cpu, &a.section.counter) = int(100 + cpu);
        std::strcpy(a.table.on(cpu, &a.section.name[0]), cpu == 2 ? "two" : "other");
    }
    for (uint32_t cpu = 0; cpu < 4; ++cpu) {
        // The copy sits at the same place within the CPU's area as the variable in the template.
        auto* counter = a.table.on(cpu, &a.section.counter);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(counter) - bases[cpu],
                  reinterpret_cast<uintptr_t>(&a.section.counter) - reinterpret_cast<uintptr_t>(&a.section));
        EXPECT_EQ(*counter, int(100 + cpu));
        EXPECT_STREQ(a.table.on(cpu, &a.section.name[0]), cpu == 2 ? "two" : "other");
    }
    EXPECT_EQ(a.section.counter, 42);  // the template is nobody's copy
}

TEST(PerCpuAreas, BadAssignmentsAreRefused) {
    Areas a(3);
    uintptr_t area = a.allocate();
    EXPECT_FALSE(a.table.assign(3, area));      // beyond the CPU limit
    EXPECT_FALSE(a.table.assign(1, area + 8));  // not cache-line aligned
    EXPECT_TRUE(a.table.assign(1, area));
    EXPECT_FALSE(a.table.assign(1, a.allocate()));  // only once
    EXPECT_FALSE(a.table.has_area(2));
}

TEST(PerCpuAreas, KnowsWhatIsInTheSection) {
    Areas a(1);
    EXPECT_TRUE(a.table.in_section(reinterpret_cast<uintptr_t>(&a.section.counter)));
    EXPECT_TRUE(a.table.in_section(reinterpret_cast<uintptr_t>(&a.section)));
    EXPECT_FALSE(a.table.in_section(reinterpret_cast<uintptr_t>(&a.section) + sizeof(Section)));
    EXPECT_FALSE(a.table.in_section(reinterpret_cast<uintptr_t>(&a.section) - 1));
}

}  // namespace
