// Host tests of the call inbox (call_queue.hpp): requests run oldest first,
// each exactly once; senders on real threads pushing while the owner runs
// them lose none, and each sender's requests run in the order it sent them.
#include "kernel/smp/call_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

struct Log {
    std::vector<int> ran;
};

struct Numbered {
    Log* log;
    int number;
};

void record(void* argument) {
    auto* n = static_cast<Numbered*>(argument);
    n->log->ran.push_back(n->number);
}

TEST(CallQueue, RunsOldestFirstAndHandsRequestsBack) {
    smp::CallQueue queue;
    Log log;
    Numbered numbers[3] = {{&log, 1}, {&log, 2}, {&log, 3}};
    smp::CallRequest requests[3];
    uint32_t remaining = 3;
    for (int i = 0; i < 3; ++i) {
        requests[i].function = record;
        requests[i].argument = &numbers[i];
        requests[i].remaining = &remaining;
        queue.push(requests[i]);
        EXPECT_EQ(requests[i].busy, 1u);
    }
    EXPECT_FALSE(queue.empty());
    EXPECT_EQ(queue.run_all(), 3u);
    EXPECT_EQ(log.ran, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(remaining, 0u);
    for (auto& request : requests) EXPECT_EQ(request.busy, 0u);
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.run_all(), 0u);
}

TEST(CallQueue, WithoutAWaiterNothingIsCounted) {
    smp::CallQueue queue;
    Log log;
    Numbered n{&log, 7};
    smp::CallRequest request{record, &n};
    queue.push(request);
    EXPECT_EQ(queue.run_all(), 1u);
    EXPECT_EQ(log.ran, std::vector<int>{7});
}

// Senders reuse their own request as soon as it is handed back, as a CPU
// does with its per-target requests.
TEST(CallQueue, ManySendersOneOwner) {
    constexpr int kSenders = 4, kCalls = 20000;
    smp::CallQueue queue;
    std::atomic<int> last[kSenders];
    std::atomic<int> out_of_order{0}, total{0};
    for (auto& l : last) l = -1;
    struct Call {
        std::atomic<int>* last;
        std::atomic<int>* out_of_order;
        std::atomic<int>* total;
        int number;
    };
    auto run = [](void* argument) {
        auto* call = static_cast<Call*>(argument);
        if (call->last->load() >= call->number) call->out_of_order->fetch_add(1);
        call->last->store(call->number);
        call->total->fetch_add(1);
    };
    std::atomic<bool> done{false};
    std::thread owner([&] {
        while (!done.load() || !queue.empty()) queue.run_all();
    });
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s)
        senders.emplace_back([&, s] {
            Call call{&last[s], &out_of_order, &total, 0};
            smp::CallRequest request{+run, &call};
            for (int i = 0; i < kCalls; ++i) {
                while (__atomic_load_n(&request.busy, __ATOMIC_ACQUIRE)) std::this_thread::yield();
                call.number = i;
                queue.push(request);
            }
            while (__atomic_load_n(&request.busy, __ATOMIC_ACQUIRE)) std::this_thread::yield();
        });
    for (auto& t : senders) t.join();
    done = true;
    owner.join();
    EXPECT_EQ(total.load(), kSenders * kCalls);
    EXPECT_EQ(out_of_order.load(), 0);
    for (auto& l : last) EXPECT_EQ(l.load(), kCalls - 1);
}

}  // namespace
