// The futex table with real threads (futex(2)'s promises: no lost wake-up,
// bitsets, requeue, WAKE_OP, timeouts, interruption), and the robust-list
// walk over a list built in memory.
#include "kernel/proc/futex_table.hpp"

#include <gtest/gtest.h>
#include <linux/futex.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "kernel/proc/futex_host_test.hpp"
#include "kernel/proc/robust_list.hpp"

namespace proc {
namespace {

constexpr uint64_t kSpace = 0x1111;

FutexKey key_of(const void* word, uint64_t space = kSpace) {
    return FutexKey{space, reinterpret_cast<uint64_t>(word)};
}
uint64_t address_of(const void* word) {
    return reinterpret_cast<uint64_t>(word);
}

void wait_for_waiters(Table& table, const FutexKey& key, size_t count) {
    while (table.waiters_on(key) != count) std::this_thread::yield();
}

struct FutexTableTest : ::testing::Test {
    std::unique_ptr<Table> table = std::make_unique<Table>();
    HostMemory memory;
};

TEST_F(FutexTableTest, WaitChecksTheWordFirst) {
    uint32_t word = 5;
    EXPECT_EQ(table->wait(key_of(&word), memory, address_of(&word), 4, ~0u, kFutexNoDeadline).error().code,
              lib::Errno::kEAGAIN);
    EXPECT_EQ(table->wait(FutexKey{kSpace, 0}, memory, 0, 0, ~0u, kFutexNoDeadline).error().code, lib::Errno::kEFAULT);
    EXPECT_EQ(table->wait(key_of(&word), memory, address_of(&word), 5, 0, kFutexNoDeadline).error().code,
              lib::Errno::kEINVAL);
    EXPECT_EQ(table->wake(key_of(&word), 1, ~0u).value(), 0) << "nobody waits";
}

TEST_F(FutexTableTest, WaitAndWake) {
    uint32_t word = 0;
    std::atomic<int> result{-1};
    std::thread waiter([&] {
        auto r = table->wait(key_of(&word), memory, address_of(&word), 0, ~0u, kFutexNoDeadline);
        result = r ? 0 : int(r.error().code);
    });
    wait_for_waiters(*table, key_of(&word), 1);
    EXPECT_EQ(table->wake(key_of(&word, kSpace + 1), 1, ~0u).value(), 0) << "another address space's word";
    EXPECT_EQ(table->wake(key_of(&word), 5, ~0u).value(), 1);
    waiter.join();
    EXPECT_EQ(result, 0);
}

TEST_F(FutexTableTest, Timeout) {
    uint32_t word = 0;
    uint64_t start = host_now_ns();
    EXPECT_EQ(table->wait(key_of(&word), memory, address_of(&word), 0, ~0u, start + 20'000'000).error().code,
              lib::Errno::kETIMEDOUT);
    EXPECT_GE(host_now_ns() - start, 20'000'000u);
    EXPECT_EQ(table->waiters_on(key_of(&word)), 0u);
}

// Interruption, with a platform whose parkers all look at one flag.
std::atomic<bool> g_signal{false};
struct SignalPlatform : HostPlatform {
    static WakeReason park(Parker& parker, uint64_t deadline_ns, bool interruptible) {
        parker.interrupt = &g_signal;
        return HostPlatform::park(parker, deadline_ns, interruptible);
    }
};

TEST(FutexInterruption, UntimedWaitRestartsTimedWaitIsEintr) {
    auto table = std::make_unique<FutexTable<SignalPlatform>>();
    HostMemory memory;
    uint32_t word = 0;
    g_signal = false;
    std::atomic<int> untimed{-1}, timed{-1};
    std::thread a([&] {
        auto r = table->wait(key_of(&word), memory, address_of(&word), 0, ~0u, kFutexNoDeadline);
        untimed = r ? 0 : int(r.error().code);
    });
    std::thread b([&] {
        auto r = table->wait(key_of(&word), memory, address_of(&word), 0, ~0u, host_now_ns() + 60'000'000'000);
        timed = r ? 0 : int(r.error().code);
    });
    while (table->waiters_on(key_of(&word)) != 2) std::this_thread::yield();
    g_signal = true;
    a.join();
    b.join();
    g_signal = false;
    EXPECT_EQ(untimed, int(lib::Errno::kERESTARTSYS));
    EXPECT_EQ(timed, int(lib::Errno::kEINTR));
    EXPECT_EQ(table->waiters_on(key_of(&word)), 0u);
    // Not interruptible: the flag is not looked at.
    std::atomic<int> plain{-1};
    g_signal = true;
    std::thread c([&] {
        auto r = table->wait(key_of(&word), memory, address_of(&word), 0, ~0u, kFutexNoDeadline, false);
        plain = r ? 0 : int(r.error().code);
    });
    while (table->waiters_on(key_of(&word)) != 1) std::this_thread::yield();
    EXPECT_EQ(table->wake(key_of(&word), 1, ~0u).value(), 1);
    c.join();
    g_signal = false;
    EXPECT_EQ(plain, 0);
}

TEST_F(FutexTableTest, Bitsets) {
    uint32_t word = 0;
    std::atomic<int> woke_mask{0};
    std::vector<std::thread> threads;
    for (uint32_t bits : {0x1u, 0x2u, 0x6u}) {
        threads.emplace_back([&, bits] {
            ASSERT_TRUE(table->wait(key_of(&word), memory, address_of(&word), 0, bits, kFutexNoDeadline));
            woke_mask |= int(bits);
        });
    }
    wait_for_waiters(*table, key_of(&word), 3);
    EXPECT_EQ(table->wake(key_of(&word), 10, 0x2).value(), 2) << "the waiters of bits 2 and 6";
    EXPECT_EQ(table->wake(key_of(&word), 10, 0).error().code, lib::Errno::kEINVAL);
    while (woke_mask != 0x6) std::this_thread::yield();
    EXPECT_EQ(table->wake(key_of(&word), 10, FUTEX_BITSET_MATCH_ANY).value(), 1);
    for (auto& t : threads) t.join();
    EXPECT_EQ(woke_mask, 0x7);
}

TEST_F(FutexTableTest, RequeueAndCmpRequeue) {
    uint32_t from = 7, to = 0;
    std::vector<std::thread> threads;
    std::atomic<int> done{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            ASSERT_TRUE(table->wait(key_of(&from), memory, address_of(&from), 7, ~0u, kFutexNoDeadline));
            ++done;
        });
    }
    wait_for_waiters(*table, key_of(&from), 4);
    EXPECT_EQ(table->requeue(key_of(&from), key_of(&to), 1, 2, true, memory, address_of(&from), 8).error().code,
              lib::Errno::kEAGAIN);
    EXPECT_EQ(table->requeue(key_of(&from), key_of(&to), 1, 2, true, memory, address_of(&from), 7).value(), 3)
        << "woken and requeued together";
    while (done != 1) std::this_thread::yield();
    EXPECT_EQ(table->waiters_on(key_of(&from)), 1u);
    EXPECT_EQ(table->waiters_on(key_of(&to)), 2u);
    EXPECT_EQ(table->wake(key_of(&from), 1, ~0u).value(), 1);
    EXPECT_EQ(table->requeue(key_of(&to), key_of(&to), 0, 1, false, memory, 0, 0).value(), 1)
        << "requeue onto the same word";
    EXPECT_EQ(table->wake(key_of(&to), 10, ~0u).value(), 2);
    for (auto& t : threads) t.join();
    EXPECT_EQ(done, 4);
}

TEST_F(FutexTableTest, RequeuedWaiterTimesOutFromItsNewBucket) {
    uint32_t from = 0, to = 0;
    std::atomic<int> result{-1};
    std::thread waiter([&] {
        auto r = table->wait(key_of(&from), memory, address_of(&from), 0, ~0u, host_now_ns() + 200'000'000);
        result = r ? 0 : int(r.error().code);
    });
    wait_for_waiters(*table, key_of(&from), 1);
    EXPECT_EQ(table->requeue(key_of(&from), key_of(&to), 0, 1, false, memory, 0, 0).value(), 1);
    waiter.join();
    EXPECT_EQ(result, int(lib::Errno::kETIMEDOUT));
    EXPECT_EQ(table->waiters_on(key_of(&to)), 0u);
}

TEST(FutexWakeOp, OperationsAndComparisons) {
    auto op = [](int o, int oparg, int cmp, int cmparg) { return uint32_t(FUTEX_OP(o, oparg, cmp, cmparg)); };
    EXPECT_EQ(futex_op_apply(op(FUTEX_OP_SET, 9, 0, 0), 3).value(), 9u);
    EXPECT_EQ(futex_op_apply(op(FUTEX_OP_ADD, 9, 0, 0), 3).value(), 12u);
    EXPECT_EQ(futex_op_apply(op(FUTEX_OP_ADD, -1 & 0xfff, 0, 0), 3).value(), 2u) << "oparg is signed";
    EXPECT_EQ(futex_op_apply(op(FUTEX_OP_OR, 4, 0, 0), 3).value(), 7u);
    EXPECT_EQ(futex_op_apply(op(FUTEX_OP_ANDN, 1, 0, 0), 3).value(), 2u);
    EXPECT_EQ(futex_op_apply(op(FUTEX_OP_XOR, 1, 0, 0), 3).value(), 2u);
    EXPECT_EQ(futex_op_apply(op(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, 0, 0), 0).value(), 16u);
    EXPECT_EQ(futex_op_apply(op(7, 0, 0, 0), 0).error().code, lib::Errno::kENOSYS);
    EXPECT_TRUE(futex_op_compare(op(0, 0, FUTEX_OP_CMP_EQ, 3), 3).value());
    EXPECT_TRUE(futex_op_compare(op(0, 0, FUTEX_OP_CMP_NE, 3), 4).value());
    EXPECT_TRUE(futex_op_compare(op(0, 0, FUTEX_OP_CMP_LT, 0), uint32_t(-1)).value()) << "signed comparison";
    EXPECT_TRUE(futex_op_compare(op(0, 0, FUTEX_OP_CMP_LE, 3), 3).value());
    EXPECT_FALSE(futex_op_compare(op(0, 0, FUTEX_OP_CMP_GT, 3), 3).value());
    EXPECT_TRUE(futex_op_compare(op(0, 0, FUTEX_OP_CMP_GE, -2 & 0xfff), uint32_t(-2)).value());
    EXPECT_EQ(futex_op_compare(op(0, 0, 9, 0), 0).error().code, lib::Errno::kENOSYS);
}

TEST_F(FutexTableTest, WakeOpWakesTheSecondWordOnlyWhenTheComparisonHolds) {
    uint32_t a = 0, b = 1;
    std::vector<std::thread> threads;
    for (uint32_t* word : {&a, &a, &b, &b}) {
        uint32_t expected = *word;
        threads.emplace_back([&, word, expected] {
            ASSERT_TRUE(table->wait(key_of(word), memory, address_of(word), expected, ~0u, kFutexNoDeadline));
        });
    }
    wait_for_waiters(*table, key_of(&a), 2);
    wait_for_waiters(*table, key_of(&b), 2);
    // b = 5 (old 1); wake 1 on a; wake 1 on b if old == 2: no.
    EXPECT_EQ(table
                  ->wake_op(key_of(&a), key_of(&b), 1, 1, uint32_t(FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 2)),
                            memory, address_of(&b))
                  .value(),
              1);
    EXPECT_EQ(b, 5u);
    // b += 1 (old 5); wake 1 on a; wake 1 on b if old > 4: yes.
    EXPECT_EQ(table
                  ->wake_op(key_of(&a), key_of(&b), 1, 1, uint32_t(FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 4)),
                            memory, address_of(&b))
                  .value(),
              2);
    EXPECT_EQ(b, 6u);
    EXPECT_EQ(table->wake_op(key_of(&a), key_of(&b), 1, 1, 0, memory, 0).error().code, lib::Errno::kEFAULT);
    EXPECT_EQ(table->wake(key_of(&b), 1, ~0u).value(), 1);
    for (auto& t : threads) t.join();
}

// A futex-based mutex (the three-state lock of Drepper's "Futexes Are
// Tricky"), hammered by several threads: a lost wake-up hangs, a broken
// exclusion miscounts.
struct FutexMutex {
    uint32_t word = 0;  // 0 free, 1 locked, 2 locked with waiters
    std::atomic<long> sleeps{0};
    void lock(Table& table, HostMemory& memory) {
        uint32_t c = 0;
        if (__atomic_compare_exchange_n(&word, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
        if (c != 2) c = __atomic_exchange_n(&word, 2, __ATOMIC_ACQUIRE);
        while (c != 0) {
            ++sleeps;
            (void)table.wait(key_of(&word), memory, address_of(&word), 2, ~0u, kFutexNoDeadline);
            c = __atomic_exchange_n(&word, 2, __ATOMIC_ACQUIRE);
        }
    }
    void unlock(Table& table) {
        if (__atomic_fetch_sub(&word, 1, __ATOMIC_RELEASE) != 1) {
            __atomic_store_n(&word, 0, __ATOMIC_RELEASE);
            (void)table.wake(key_of(&word), 1, ~0u);
        }
    }
};

TEST_F(FutexTableTest, MutexUnderContention) {
    FutexMutex mutex;
    long counter = 0;
    constexpr int kThreads = 4, kIncrements = 5000;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&] {
            for (int j = 0; j < kIncrements; ++j) {
                mutex.lock(*table, memory);
                ++counter;
                if (j % 64 == 0) std::this_thread::yield();  // let the others pile up on the lock
                mutex.unlock(*table);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(counter, long(kThreads) * kIncrements);
    EXPECT_EQ(mutex.word, 0u);
    EXPECT_GT(mutex.sleeps, 0) << "the threads did contend";
}

// ---- robust lists

struct RobustLock {
    uint64_t next = 0;  // the list link
    uint32_t futex = 0;
};
constexpr int64_t kFutexOffset = offsetof(RobustLock, futex);

std::vector<uint64_t> g_woken;
void record_wake(void*, uint64_t address) {
    g_woken.push_back(address);
}

TEST(RobustList, OwnedLocksGetOwnerDiedAndWakeAWaiter) {
    HostMemory memory;
    uapi::RobustListHead head{};
    RobustLock held, held_waiters, other, pending;
    uint64_t head_address = reinterpret_cast<uint64_t>(&head);
    head.next = reinterpret_cast<uint64_t>(&held);
    held.next = reinterpret_cast<uint64_t>(&held_waiters);
    held_waiters.next = reinterpret_cast<uint64_t>(&other);
    other.next = head_address;
    head.futex_offset = kFutexOffset;
    head.list_op_pending = reinterpret_cast<uint64_t>(&pending);
    held.futex = 42;
    held_waiters.futex = 42 | FUTEX_WAITERS;
    other.futex = 43;
    pending.futex = 0;  // released, but the wake-up never happened
    g_woken.clear();
    walk_robust_list(head_address, 42, memory, record_wake, nullptr);
    EXPECT_EQ(held.futex, uint32_t(FUTEX_OWNER_DIED));
    EXPECT_EQ(held_waiters.futex, uint32_t(FUTEX_OWNER_DIED | FUTEX_WAITERS));
    EXPECT_EQ(other.futex, 43u) << "another thread's lock";
    std::set<uint64_t> woken(g_woken.begin(), g_woken.end());
    EXPECT_EQ(woken, (std::set<uint64_t>{reinterpret_cast<uint64_t>(&held_waiters.futex),
                                         reinterpret_cast<uint64_t>(&pending.futex)}));
}

TEST(RobustList, HostileListsEndTheWalkQuietly) {
    HostMemory memory;
    uapi::RobustListHead head{};
    uint64_t head_address = reinterpret_cast<uint64_t>(&head);
    // A cycle that never comes back to the head: stops after the limit.
    RobustLock a, b;
    head.next = reinterpret_cast<uint64_t>(&a);
    a.next = reinterpret_cast<uint64_t>(&b);
    b.next = reinterpret_cast<uint64_t>(&a);
    head.futex_offset = kFutexOffset;
    a.futex = 7;
    b.futex = 7 | FUTEX_WAITERS;
    g_woken.clear();
    walk_robust_list(head_address, 7, memory, record_wake, nullptr);
    EXPECT_EQ(a.futex, uint32_t(FUTEX_OWNER_DIED));
    EXPECT_EQ(g_woken.size(), 1u) << "b is handled once; afterwards it is no longer ours";
    // A link into unmapped memory, a misaligned futex, an unreadable head.
    a.futex = 7;
    a.next = 8;
    walk_robust_list(head_address, 7, memory, record_wake, nullptr);
    EXPECT_EQ(a.futex, uint32_t(FUTEX_OWNER_DIED));
    head.futex_offset = kFutexOffset + 1;
    a.futex = 7;
    walk_robust_list(head_address, 7, memory, record_wake, nullptr);
    EXPECT_EQ(a.futex, 7u);
    walk_robust_list(16, 7, memory, record_wake, nullptr);
    // PI entries (bit 0) are marked but never woken here.
    head.futex_offset = kFutexOffset;
    head.next = reinterpret_cast<uint64_t>(&a) | 1;
    a.next = head_address;
    a.futex = 7 | FUTEX_WAITERS;
    g_woken.clear();
    walk_robust_list(head_address, 7, memory, record_wake, nullptr);
    EXPECT_EQ(a.futex, uint32_t(FUTEX_OWNER_DIED | FUTEX_WAITERS));
    EXPECT_TRUE(g_woken.empty());
}

}  // namespace
}  // namespace proc
