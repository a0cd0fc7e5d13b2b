#include "loader/smp/response.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

namespace loader::smp {
namespace {

// A fake HHDM: the "virtual" addresses the kernel would see are the host
// addresses of the block plus this offset.
constexpr uint64_t kFakeHhdm = 0x1000000000ULL;

struct Fixture {
    explicit Fixture(size_t cpu_count) : bytes(response_block_size(cpu_count), 0) {
        block = ResponseBlock(bytes.data(), reinterpret_cast<uint64_t>(bytes.data()) + kFakeHhdm, cpu_count);
    }
    template <typename T>
    T* from_virtual(uint64_t virtual_address) const {
        uint64_t host = virtual_address - kFakeHhdm;
        EXPECT_GE(host, reinterpret_cast<uint64_t>(bytes.data()));
        EXPECT_LE(host + sizeof(T), reinterpret_cast<uint64_t>(bytes.data()) + bytes.size());
        return reinterpret_cast<T*>(host);
    }
    std::vector<uint8_t> bytes;
    ResponseBlock block;
};

std::unique_ptr<CpuList> list_of(size_t count, size_t bsp) {
    auto list = std::make_unique<CpuList>();
    for (size_t i = 0; i < count; ++i) {
        list->cpus[i].processor_uid = static_cast<uint32_t>(10 + i);
        list->cpus[i].apic_id = static_cast<uint32_t>(2 * i);
        list->cpus[i].is_bsp = i == bsp;
        list->cpus[i].online = i == bsp;
    }
    list->count = count;
    list->bsp_index = bsp;
    return list;
}

TEST(ResponseBlock, SizeCoversHeaderInfosAndPointers) {
    EXPECT_GE(response_block_size(1), sizeof(limine::SmpResponse) + sizeof(limine::SmpInfo) + 8);
    EXPECT_GE(response_block_size(256), sizeof(limine::SmpResponse) + 256 * (sizeof(limine::SmpInfo) + 8));
    EXPECT_LE(response_block_size(256), 4 * 4096u);
}

TEST(ResponseBlock, InfoSlotsAreSixteenByteAlignedAndDistinct) {
    Fixture fixture(4);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(fixture.block.info_virtual(i) % 16, reinterpret_cast<uint64_t>(fixture.bytes.data()) % 16);
        EXPECT_EQ(fixture.block.info_virtual(i) - kFakeHhdm, reinterpret_cast<uint64_t>(fixture.block.info(i)));
    }
    EXPECT_EQ(fixture.block.info_virtual(1) - fixture.block.info_virtual(0), sizeof(limine::SmpInfo));
}

TEST(ResponseBlock, ListsOnlyOnlineCpusInOrderWithHhdmPointers) {
    Fixture fixture(4);
    auto list = list_of(4, 1);
    list->cpus[3].online = true;  // AP 3 reported in, APs 0 and 2 did not
    limine::SmpResponse* response = fixture.block.finish(*list, 2, false);

    EXPECT_EQ(reinterpret_cast<uint8_t*>(response), fixture.bytes.data());
    EXPECT_EQ(response->revision, 0u);
    EXPECT_EQ(response->flags, 0u);
    EXPECT_EQ(response->bsp_lapic_id, 2u);
    ASSERT_EQ(response->cpu_count, 2u);

    auto* pointers = fixture.from_virtual<uint64_t>(reinterpret_cast<uint64_t>(response->cpus));
    auto* first = fixture.from_virtual<limine::SmpInfo>(pointers[0]);
    auto* second = fixture.from_virtual<limine::SmpInfo>(pointers[1]);
    EXPECT_EQ(first->processor_id, 11u);
    EXPECT_EQ(first->lapic_id, 2u);
    EXPECT_EQ(second->processor_id, 13u);
    EXPECT_EQ(second->lapic_id, 6u);
    EXPECT_EQ(first->goto_address, nullptr);
    EXPECT_EQ(first->extra_argument, 0u);
    EXPECT_EQ(pointers[1], fixture.block.info_virtual(3));  // the slot the AP was given
}

TEST(ResponseBlock, X2apicFlagIsBitZero) {
    Fixture fixture(1);
    auto list = list_of(1, 0);
    limine::SmpResponse* response = fixture.block.finish(*list, 0, true);
    EXPECT_EQ(response->flags, limine::kSmpResponseX2apic);
    EXPECT_EQ(response->cpu_count, 1u);
}

TEST(ResponseBlock, DoesNotTouchGotoAddressAnAPMayBePolling) {
    Fixture fixture(2);
    auto list = list_of(2, 0);
    list->cpus[1].online = true;
    // Whatever is there stays (normally null; the kernel writes it later).
    fixture.block.info(1)->goto_address = reinterpret_cast<limine::GotoAddress>(0x1234);
    fixture.block.finish(*list, 0, false);
    EXPECT_EQ(reinterpret_cast<uint64_t>(fixture.block.info(1)->goto_address), 0x1234u);
}

}  // namespace
}  // namespace loader::smp
