// futex(2) end to end on the host table: argument decoding and its errors
// in Linux's order, timeouts, and the count quirks programs rely on.
#include "kernel/proc/futex_call.hpp"

#include <gtest/gtest.h>
#include <linux/futex.h>

#include <memory>
#include <thread>

#include "kernel/proc/futex_host_test.hpp"

namespace proc {
namespace {

constexpr uint64_t kSpace = 0x2222;

struct HostContext final : FutexContext {
    lib::Expected<FutexKey> key(uint64_t address, bool) override {
        if (address < 4096) return lib::Error::make(lib::Errno::kEFAULT, "not user memory");
        return FutexKey{kSpace, address};
    }
    lib::Expected<uapi::Timespec> read_timeout(uint64_t address) override {
        if (address < 4096) return lib::Error::make(lib::Errno::kEFAULT, "not user memory");
        return *reinterpret_cast<const uapi::Timespec*>(address);
    }
    uint64_t now_ns() override { return host_now_ns(); }
    int64_t realtime_offset_ns() override { return realtime_offset; }
    int64_t realtime_offset = 0;
};

struct FutexCallTest : ::testing::Test {
    lib::Expected<long> futex(uint32_t* word, int op, uint32_t val, uint64_t timeout_or_val2 = 0,
                              uint32_t* word2 = nullptr, uint32_t val3 = 0) {
        return run_futex_call(*table, memory, context, reinterpret_cast<uint64_t>(word), op, val, timeout_or_val2,
                              reinterpret_cast<uint64_t>(word2), val3);
    }
    lib::Errno error_of(const lib::Expected<long>& result) { return result ? lib::Errno::kNone : result.error().code; }
    static uint64_t ptr(const void* p) { return reinterpret_cast<uint64_t>(p); }

    std::unique_ptr<HostFutexTable> table = std::make_unique<HostFutexTable>();
    HostMemory memory;
    HostContext context;
};

TEST_F(FutexCallTest, Errors) {
    alignas(8) uint32_t words[2] = {0, 0};
    uint32_t* misaligned = reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(words) + 1);
    EXPECT_EQ(error_of(futex(words, 99, 0)), lib::Errno::kENOSYS);
    EXPECT_EQ(error_of(futex(words, FUTEX_LOCK_PI, 0)), lib::Errno::kENOSYS);
    EXPECT_EQ(error_of(futex(words, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 1)), lib::Errno::kENOSYS);
    EXPECT_EQ(error_of(futex(misaligned, FUTEX_WAKE, 1)), lib::Errno::kEINVAL);
    EXPECT_EQ(error_of(futex(reinterpret_cast<uint32_t*>(16), FUTEX_WAKE, 1)), lib::Errno::kEFAULT);
    EXPECT_EQ(error_of(futex(words, FUTEX_WAIT_BITSET, 0, 0, nullptr, 0)), lib::Errno::kEINVAL) << "empty bitset";
    EXPECT_EQ(error_of(futex(reinterpret_cast<uint32_t*>(16), FUTEX_WAKE_BITSET, 1, 0, nullptr, 0)),
              lib::Errno::kEINVAL)
        << "the bitset is checked before the address";
    EXPECT_EQ(error_of(futex(words, FUTEX_CMP_REQUEUE, uint32_t(-1), 1, words + 1, 0)), lib::Errno::kEINVAL);
    EXPECT_EQ(error_of(futex(words, FUTEX_REQUEUE, 1, uint64_t(uint32_t(-1)), words + 1)), lib::Errno::kEINVAL);
    EXPECT_EQ(error_of(futex(words, FUTEX_REQUEUE, 1, 1, reinterpret_cast<uint32_t*>(16))), lib::Errno::kEFAULT);
    uapi::Timespec bad{0, 1'000'000'000};
    EXPECT_EQ(error_of(futex(words, FUTEX_WAIT, 0, ptr(&bad))), lib::Errno::kEINVAL);
    EXPECT_EQ(error_of(futex(words, FUTEX_WAIT, 0, 16)), lib::Errno::kEFAULT) << "unreadable timeout";
    EXPECT_EQ(error_of(futex(misaligned, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, ptr(&bad))), lib::Errno::kEINVAL)
        << "the timeout is checked first";
    EXPECT_EQ(error_of(futex(words, FUTEX_WAIT, 1)), lib::Errno::kEAGAIN);
}

TEST_F(FutexCallTest, Timeouts) {
    uint32_t word = 0;
    uapi::Timespec ten_ms{0, 10'000'000};
    uint64_t start = host_now_ns();
    EXPECT_EQ(error_of(futex(&word, FUTEX_WAIT_PRIVATE, 0, ptr(&ten_ms))), lib::Errno::kETIMEDOUT);
    EXPECT_GE(host_now_ns() - start, 10'000'000u);
    // FUTEX_WAIT_BITSET takes an absolute time: 10 ms since boot is long past.
    EXPECT_EQ(error_of(futex(&word, FUTEX_WAIT_BITSET, 0, ptr(&ten_ms), nullptr, ~0u)), lib::Errno::kETIMEDOUT);
    // With FUTEX_CLOCK_REALTIME it is a wall-clock time, 20 ms from now.
    context.realtime_offset = 1'000'000'000'000'000'000;
    uint64_t wall = host_now_ns() + uint64_t(context.realtime_offset) + 20'000'000;
    uapi::Timespec deadline{int64_t(wall / 1'000'000'000), int64_t(wall % 1'000'000'000)};
    start = host_now_ns();
    EXPECT_EQ(error_of(futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, ptr(&deadline), nullptr, ~0u)),
              lib::Errno::kETIMEDOUT);
    EXPECT_GE(host_now_ns() - start, 15'000'000u);
}

TEST(FutexDeadline, RelativeAbsoluteAndHuge) {
    uapi::Timespec t{2, 5};
    EXPECT_EQ(futex_deadline(FUTEX_WAIT, t, 1000, 0).value(), 1000u + 2'000'000'005u);
    EXPECT_EQ(futex_deadline(FUTEX_WAIT_BITSET, t, 1000, 0).value(), 2'000'000'005u);
    EXPECT_EQ(futex_deadline(FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, t, 1000, 5).value(), 2'000'000'000u);
    EXPECT_EQ(futex_deadline(FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, t, 1000, int64_t(9e18)).value(), 0u);
    uapi::Timespec huge{INT64_MAX, 0};
    EXPECT_GT(futex_deadline(FUTEX_WAIT, huge, 1000, 0).value(), uint64_t(1) << 62) << "no wrap-around";
    EXPECT_EQ(futex_deadline(FUTEX_WAIT, uapi::Timespec{-1, 0}, 0, 0).error().code, lib::Errno::kEINVAL);
}

TEST_F(FutexCallTest, WakeCountsAsLinuxCountsThem) {
    uint32_t word = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back([&] { ASSERT_TRUE(futex(&word, FUTEX_WAIT_PRIVATE, 0)); });
    while (table->waiters_on(FutexKey{kSpace, ptr(&word)}) != 3) std::this_thread::yield();
    EXPECT_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 0).value(), 1) << "a count of 0 still wakes one";
    EXPECT_EQ(futex(&word, FUTEX_WAKE_PRIVATE, INT32_MAX).value(), 2);
    for (auto& t : threads) t.join();
}

TEST_F(FutexCallTest, RequeueAndWakeOpThroughTheCall) {
    uint32_t cond = 1, mutex = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back([&] { ASSERT_TRUE(futex(&cond, FUTEX_WAIT, 1)); });
    while (table->waiters_on(FutexKey{kSpace, ptr(&cond)}) != 3) std::this_thread::yield();
    // pthread_cond_broadcast's old way: wake one, move the rest to the mutex.
    EXPECT_EQ(error_of(futex(&cond, FUTEX_CMP_REQUEUE, 1, INT32_MAX, &mutex, 2)), lib::Errno::kEAGAIN);
    EXPECT_EQ(futex(&cond, FUTEX_CMP_REQUEUE, 1, INT32_MAX, &mutex, 1).value(), 3);
    EXPECT_EQ(table->waiters_on(FutexKey{kSpace, ptr(&mutex)}), 2u);
    // mutex = 0 (old 0), wake 0 (still one, as Linux) on cond and one on mutex if old == 0.
    EXPECT_EQ(
        futex(&cond, FUTEX_WAKE_OP, 1, 1, &mutex, uint32_t(FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0))).value(), 1);
    EXPECT_EQ(futex(&mutex, FUTEX_WAKE, 1).value(), 1);
    for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace proc
