// Host tests of lib/memory: every primitive against the C library on seeded
// random sizes, alignments and overlaps, plus the edge cases by hand.
#include "lib/memory.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace {

constexpr size_t kArena = 4096 + 64;

std::vector<uint8_t> random_bytes(std::mt19937_64& random, size_t size) {
    std::vector<uint8_t> bytes(size);
    for (auto& b : bytes) b = uint8_t(random());
    return bytes;
}

int sign(int value) { return (value > 0) - (value < 0); }

// Reads the direction flag: the string routines must leave it clear.
bool direction_flag_set() {
    uint64_t flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return (flags >> 10) & 1;
}

TEST(Memory, CopyMatchesMemcpy) {
    std::mt19937_64 random(1);
    for (int round = 0; round < 5000; ++round) {
        size_t size = round < 100 ? size_t(round) : random() % 4096;
        size_t src_off = random() % 32, dst_off = random() % 32;
        auto source = random_bytes(random, kArena);
        auto ours = random_bytes(random, kArena);
        auto theirs = ours;
        lib::copy_bytes(ours.data() + dst_off, source.data() + src_off, size);
        std::memcpy(theirs.data() + dst_off, source.data() + src_off, size);
        ASSERT_EQ(ours, theirs) << "size " << size;
    }
}

TEST(Memory, MoveMatchesMemmoveForEveryOverlap) {
    std::mt19937_64 random(2);
    for (int round = 0; round < 20000; ++round) {
        size_t size = round < 200 ? size_t(round % 40) : random() % 2048;
        size_t max_offset = kArena - size;
        size_t src = random() % (max_offset + 1);
        size_t dst;
        switch (random() % 3) {
        case 0: dst = random() % (max_offset + 1); break;                      // anywhere
        case 1: dst = std::min(max_offset, src + random() % 16); break;        // just above
        default: dst = src >= 16 ? src - random() % 16 : random() % 16; break; // just below
        }
        auto ours = random_bytes(random, kArena);
        auto theirs = ours;
        lib::move_bytes(ours.data() + dst, ours.data() + src, size);
        std::memmove(theirs.data() + dst, theirs.data() + src, size);
        ASSERT_EQ(ours, theirs) << "size " << size << " src " << src << " dst " << dst;
        ASSERT_FALSE(direction_flag_set());
    }
}

TEST(Memory, MoveEdgeCases) {
    uint8_t buffer[32];
    for (int i = 0; i < 32; ++i) buffer[i] = uint8_t(i);
    lib::move_bytes(buffer + 1, buffer, 0);
    lib::move_bytes(buffer, buffer, 32);  // same address
    for (int i = 0; i < 32; ++i) EXPECT_EQ(buffer[i], i);
    lib::move_bytes(buffer + 1, buffer, 31);  // by one upwards
    EXPECT_EQ(buffer[0], 0);
    for (int i = 1; i < 32; ++i) EXPECT_EQ(buffer[i], i - 1);
    lib::move_bytes(buffer, buffer + 1, 31);  // and back
    for (int i = 0; i < 31; ++i) EXPECT_EQ(buffer[i], i);
}

TEST(Memory, FillMatchesMemset) {
    std::mt19937_64 random(3);
    for (int round = 0; round < 5000; ++round) {
        size_t size = round < 100 ? size_t(round) : random() % 4096;
        size_t offset = random() % 64;
        uint8_t value = uint8_t(random());
        auto ours = random_bytes(random, kArena);
        auto theirs = ours;
        lib::fill_bytes(ours.data() + offset, value, size);
        std::memset(theirs.data() + offset, value, size);
        ASSERT_EQ(ours, theirs);
    }
}

TEST(Memory, CompareMatchesMemcmp) {
    std::mt19937_64 random(4);
    for (int round = 0; round < 20000; ++round) {
        size_t size = random() % 300;
        auto a = random_bytes(random, size + 8);
        auto b = a;
        size_t a_off = random() % 8, b_off = random() % 8;
        for (size_t i = 0; i < size; ++i) b[b_off + i] = a[a_off + i];
        if (size != 0 && random() % 4 != 0) {
            size_t at = random() % size;
            b[b_off + at] = uint8_t(random());  // maybe the same value again
        }
        int ours = lib::compare_bytes(a.data() + a_off, b.data() + b_off, size);
        int theirs = std::memcmp(a.data() + a_off, b.data() + b_off, size);
        ASSERT_EQ(sign(ours), sign(theirs)) << "size " << size;
    }
}

TEST(Memory, CompareIsUnsigned) {
    uint8_t low[1] = {0x01}, high[1] = {0xff};
    EXPECT_LT(lib::compare_bytes(low, high, 1), 0);
    EXPECT_GT(lib::compare_bytes(high, low, 1), 0);
    EXPECT_EQ(lib::compare_bytes(low, high, 0), 0);
}

}  // namespace
