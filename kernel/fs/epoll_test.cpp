// Host tests of epoll instances over pipes and eventfds: level- and
// edge-triggered reports, EPOLLONESHOT and its re-arming, data passed back,
// EPOLLHUP/EPOLLERR always watched, epoll_ctl's errno order, an item
// dropped at the watched description's last release (and kept while a dup
// holds it), blocking waits woken by another thread, deadlines and signals
// (EINTR), a fault writing the events (EFAULT, the event kept), maxevents
// splitting a ready list, nested instances and ELOOP, EPOLLEXCLUSIVE's
// wake-one.
#include "kernel/fs/epoll.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "kernel/fs/eventfd.hpp"
#include "kernel/fs/pipe.hpp"
#include "kernel/fs/poll.hpp"
#include "kernel/fs/tmpfs.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/vm/testing.hpp"

namespace {

template <typename T>
std::string err(const lib::Expected<T>& r) {
    return r ? "OK" : lib::errno_name(r.error().code);
}

lib::Expected<size_t> put(fs::File& f, const std::string& s) {
    fs::IoBuffer::Segment seg;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, const_cast<char*>(s.data()), s.size());
    return f.write(b);
}

size_t drain(fs::File& f) {
    char buffer[256];
    fs::IoBuffer::Segment seg;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, buffer, sizeof buffer);
    auto n = f.read(b);
    return n ? *n : 0;
}

uapi::EpollEvent event(uint32_t events, uint64_t data) {
    return uapi::EpollEvent{events, data};
}

// epoll_wait into a vector (as user memory, so faults can be made).
struct Waited {
    std::string error = "OK";
    std::vector<uapi::EpollEvent> events;
};
Waited wait(fs::File& epoll, size_t max, uint64_t deadline_ns = 0) {
    std::vector<uapi::EpollEvent> space(max);
    fs::IoBuffer::Segment seg;
    fs::IoBuffer b = fs::IoBuffer::user_one(seg, reinterpret_cast<uint64_t>(space.data()), max * sizeof space[0]);
    Waited w;
    auto n = fs::epoll_wait_events(epoll, b, max, deadline_ns);
    if (!n) {
        w.error = lib::errno_name(n.error().code);
        return w;
    }
    space.resize(*n);
    w.events = space;
    return w;
}

struct PipeItem {
    fs::FileRef read, write;
    PipeItem() {
        auto ends = fs::make_pipe(uapi::kO_NONBLOCK);
        read = lib::move(ends->read);
        write = lib::move(ends->write);
    }
};

TEST(Epoll, LevelTriggeredReportsWhileReadable) {
    auto epoll = fs::make_epoll(0);
    ASSERT_TRUE(epoll);
    EXPECT_TRUE(fs::is_epoll(**epoll));
    EXPECT_EQ(err(fs::make_epoll(1)), "EINVAL");
    PipeItem p;
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.read, 3, event(uapi::kEPOLLIN, 0x1234)));
    EXPECT_TRUE(wait(**epoll, 4).events.empty());
    ASSERT_TRUE(put(*p.write, "ab"));
    for (int round = 0; round < 2; ++round) {  // level-triggered: again while data is there
        Waited w = wait(**epoll, 4);
        ASSERT_EQ(w.events.size(), 1u);
        EXPECT_EQ(w.events[0].events, uapi::kEPOLLIN);
        EXPECT_EQ(uint64_t{w.events[0].data}, 0x1234u);
    }
    EXPECT_EQ(drain(*p.read), 2u);
    EXPECT_TRUE(wait(**epoll, 4).events.empty());
    // The writer going: EPOLLHUP although only EPOLLIN was asked for.
    p.write.reset();
    Waited w = wait(**epoll, 4);
    ASSERT_EQ(w.events.size(), 1u);
    EXPECT_EQ(w.events[0].events, uapi::kEPOLLHUP);
}

TEST(Epoll, EdgeTriggeredAndOneShot) {
    auto epoll = fs::make_epoll(0);
    PipeItem p;
    ASSERT_TRUE(
        fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.read, 3, event(uapi::kEPOLLIN | uapi::kEPOLLET, 7)));
    ASSERT_TRUE(put(*p.write, "a"));
    EXPECT_EQ(wait(**epoll, 4).events.size(), 1u);
    EXPECT_EQ(wait(**epoll, 4).events.size(), 0u);  // no new edge
    ASSERT_TRUE(put(*p.write, "b"));                // a write is an edge even when not empty
    EXPECT_EQ(wait(**epoll, 4).events.size(), 1u);
    EXPECT_EQ(wait(**epoll, 4).events.size(), 0u);
    // A write-end notify (a read) is not an EPOLLIN edge.
    EXPECT_EQ(drain(*p.read), 2u);
    EXPECT_EQ(wait(**epoll, 4).events.size(), 0u);

    ASSERT_TRUE(
        fs::epoll_control(**epoll, uapi::kEPOLL_CTL_MOD, *p.read, 3, event(uapi::kEPOLLIN | uapi::kEPOLLONESHOT, 8)));
    ASSERT_TRUE(put(*p.write, "c"));
    Waited w = wait(**epoll, 4);
    ASSERT_EQ(w.events.size(), 1u);
    EXPECT_EQ(uint64_t{w.events[0].data}, 8u);
    ASSERT_TRUE(put(*p.write, "d"));
    EXPECT_EQ(wait(**epoll, 4).events.size(), 0u);  // disarmed until MOD
    ASSERT_TRUE(
        fs::epoll_control(**epoll, uapi::kEPOLL_CTL_MOD, *p.read, 3, event(uapi::kEPOLLIN | uapi::kEPOLLONESHOT, 9)));
    w = wait(**epoll, 4);
    ASSERT_EQ(w.events.size(), 1u);
    EXPECT_EQ(uint64_t{w.events[0].data}, 9u);
}

TEST(Epoll, ControlErrors) {
    vm::testing::SimulatedFrames frames{16ULL << 20};
    fs::Tmpfs* tmpfs = *fs::Tmpfs::make(frames, "tmpfs", 0755);
    fs::set_root_mount(*fs::Mount::make_root(*tmpfs, 0));
    fs::Context context = *fs::root_context();
    auto regular = fs::open(context, context.cwd, "file", uapi::kO_RDWR | uapi::kO_CREAT, 0644);
    ASSERT_TRUE(regular);

    auto epoll = fs::make_epoll(0);
    PipeItem p;
    auto ev = event(uapi::kEPOLLIN, 0);
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, **regular, 5, ev)), "EPERM");
    EXPECT_EQ(err(fs::epoll_control(**epoll, 99, **regular, 5, ev)), "EPERM");  // EPERM before the op
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, **epoll, 4, ev)), "EINVAL");
    EXPECT_EQ(err(fs::epoll_control(*p.write, uapi::kEPOLL_CTL_ADD, *p.read, 3, ev)), "EINVAL");
    EXPECT_EQ(err(fs::epoll_control(**epoll, 99, *p.read, 3, ev)), "EINVAL");
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_MOD, *p.read, 3, ev)), "ENOENT");
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_DEL, *p.read, 3, ev)), "ENOENT");
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.read, 3, ev));
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.read, 3, ev)), "EEXIST");
    // The key is (description, descriptor): another number of the same file is another item.
    EXPECT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.read, 4, ev));
    // EPOLLEXCLUSIVE: only with ADD, only with its events, not on an instance.
    auto exclusive = event(uapi::kEPOLLIN | uapi::kEPOLLEXCLUSIVE, 0);
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_MOD, *p.read, 3, exclusive)), "EINVAL");
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.write, 5,
                                    event(uapi::kEPOLLIN | uapi::kEPOLLRDHUP | uapi::kEPOLLEXCLUSIVE, 0))),
              "EINVAL");
    auto inner = fs::make_epoll(0);
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, **inner, 6, exclusive)), "EINVAL");
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.write, 5, exclusive));
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_MOD, *p.write, 5, ev)), "EINVAL");
    EXPECT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_DEL, *p.read, 3, ev));
    EXPECT_EQ(err(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_DEL, *p.read, 3, ev)), "ENOENT");
    // epoll_wait on something else.
    EXPECT_EQ(wait(*p.read, 1).error, "EINVAL");
}

TEST(Epoll, ItemGoesWithTheLastReferenceOfItsFile) {
    auto epoll = fs::make_epoll(0);
    PipeItem p;
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.write, 4, event(uapi::kEPOLLOUT, 1)));
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *p.read, 3, event(uapi::kEPOLLIN, 2)));
    fs::FileRef dup(p.read);  // a second descriptor of the read end
    ASSERT_TRUE(put(*p.write, "x"));
    p.read.reset();  // one reference left: still watched
    EXPECT_EQ(wait(**epoll, 4).events.size(), 2u);
    dup.reset();  // the last one: the item goes (and the write end sees EPOLLERR)
    Waited w = wait(**epoll, 4);
    ASSERT_EQ(w.events.size(), 1u);
    EXPECT_EQ(uint64_t{w.events[0].data}, 1u);
    EXPECT_EQ(w.events[0].events, uapi::kEPOLLOUT | uapi::kEPOLLERR);
    // Closing the instance first, with items still on files that stay.
    auto other = fs::make_epoll(0);
    ASSERT_TRUE(fs::epoll_control(**other, uapi::kEPOLL_CTL_ADD, *p.write, 4, event(uapi::kEPOLLOUT, 1)));
    other->reset();
    EXPECT_TRUE(p.write->epoll_items().size() == 1);  // only the first instance's
    epoll->reset();
    EXPECT_TRUE(p.write->epoll_items().empty());
}

TEST(Epoll, WaitsWakeupsDeadlinesAndSignals) {
    auto epoll = fs::make_epoll(0);
    auto counter = fs::make_eventfd(0, uapi::kEFD_NONBLOCK);
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, **counter, 3, event(uapi::kEPOLLIN, 5)));
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        uint64_t one = 1;
        fs::IoBuffer::Segment seg;
        fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, &one, 8);
        ASSERT_TRUE((*counter)->write(b));
    });
    Waited w = wait(**epoll, 4, ~0ULL);  // blocks until the write
    writer.join();
    ASSERT_EQ(w.events.size(), 1u);
    EXPECT_EQ(w.events[0].events, uapi::kEPOLLIN);
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_DEL, **counter, 3, event(0, 0)));
    // A deadline with nothing ready: 0 events after it.
    uint64_t start = fs::now_ns();
    w = wait(**epoll, 4, start + 10'000'000);
    EXPECT_EQ(w.error, "OK");
    EXPECT_TRUE(w.events.empty());
    EXPECT_GE(fs::now_ns(), start + 10'000'000);
    // A signal: EINTR (epoll_wait is never restarted).
    std::thread interrupted([&] {
        fs::host_set_interrupt_pending(true);
        EXPECT_EQ(wait(**epoll, 4, ~0ULL).error, "EINTR");
        fs::host_set_interrupt_pending(false);
    });
    interrupted.join();
}

TEST(Epoll, FaultsAndMaxEvents) {
    auto epoll = fs::make_epoll(0);
    PipeItem a, b, c;
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *a.write, 1, event(uapi::kEPOLLOUT, 1)));
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *b.write, 2, event(uapi::kEPOLLOUT, 2)));
    ASSERT_TRUE(fs::epoll_control(**epoll, uapi::kEPOLL_CTL_ADD, *c.write, 3, event(uapi::kEPOLLOUT, 3)));
    // Two at a time, in the order they became ready, round robin.
    std::vector<uint64_t> seen;
    for (int i = 0; i < 3; ++i)
        for (auto& e : wait(**epoll, 2).events) seen.push_back(uint64_t{e.data});
    EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3, 1, 2, 3}));
    // The first record faulting: EFAULT, and the item is still reported after.
    fs::host_fault_user_copies_after(0);
    EXPECT_EQ(wait(**epoll, 4).error, "EFAULT");
    fs::host_fault_user_copies_after(~size_t(0));
    EXPECT_EQ(wait(**epoll, 4).events.size(), 3u);
    // The second faulting: the first is returned.
    fs::host_fault_user_copies_after(sizeof(uapi::EpollEvent) + 4);
    EXPECT_EQ(wait(**epoll, 4).events.size(), 1u);
    fs::host_fault_user_copies_after(~size_t(0));
    EXPECT_EQ(wait(**epoll, 4).events.size(), 3u);
}

TEST(Epoll, NestedInstancesAndLoops) {
    auto outer = fs::make_epoll(0);
    auto inner = fs::make_epoll(0);
    PipeItem p;
    ASSERT_TRUE(fs::epoll_control(**inner, uapi::kEPOLL_CTL_ADD, *p.read, 3, event(uapi::kEPOLLIN, 1)));
    ASSERT_TRUE(fs::epoll_control(**outer, uapi::kEPOLL_CTL_ADD, **inner, 4, event(uapi::kEPOLLIN, 2)));
    EXPECT_EQ((*inner)->poll(nullptr), 0u);
    EXPECT_TRUE(wait(**outer, 4).events.empty());
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ASSERT_TRUE(put(*p.write, "x"));
    });
    Waited w = wait(**outer, 4, ~0ULL);  // woken through the inner instance
    writer.join();
    ASSERT_EQ(w.events.size(), 1u);
    EXPECT_EQ(uint64_t{w.events[0].data}, 2u);
    EXPECT_EQ((*inner)->poll(nullptr), uapi::kPOLLIN | uapi::kPOLLRDNORM);
    // poll(2) on an instance: through a wait table.
    EXPECT_EQ(drain(*p.read), 1u);
    fs::PollWaitTable table;
    EXPECT_EQ((*inner)->poll(&table), 0u);
    ASSERT_TRUE(put(*p.write, "y"));
    EXPECT_TRUE(table.triggered());
    table.clear();

    // Loops and depth.
    EXPECT_EQ(err(fs::epoll_control(**inner, uapi::kEPOLL_CTL_ADD, **outer, 5, event(uapi::kEPOLLIN, 0))), "ELOOP");
    std::vector<fs::FileRef> chain;
    for (int i = 0; i < 7; ++i) chain.push_back(*fs::make_epoll(0));
    // chain[i] watches chain[i + 1]: adding chain[0] to a new instance looks
    // down, and more than EP_MAX_NESTS + 1 levels of instances below it
    // (six here) is ELOOP; five are fine.
    for (int i = 5; i >= 0; --i)
        ASSERT_TRUE(
            fs::epoll_control(*chain[i], uapi::kEPOLL_CTL_ADD, *chain[i + 1], 10 + i, event(uapi::kEPOLLIN, 0)));
    auto top = fs::make_epoll(0);
    EXPECT_EQ(err(fs::epoll_control(**top, uapi::kEPOLL_CTL_ADD, *chain[0], 9, event(uapi::kEPOLLIN, 0))), "ELOOP");
    EXPECT_TRUE(fs::epoll_control(**top, uapi::kEPOLL_CTL_ADD, *chain[1], 9, event(uapi::kEPOLLIN, 0)));
    EXPECT_EQ(err(fs::epoll_control(*chain[6], uapi::kEPOLL_CTL_ADD, **top, 8, event(uapi::kEPOLLIN, 0))), "ELOOP");
}

// The head's wake-one (poll.hpp): every plain entry is called; exclusive
// ones in the order they were added, up to the first that says it woke a
// waiter.
TEST(PollHead, ExclusiveEntriesStopAtTheFirstThatWokeAWaiter) {
    struct Probe {
        fs::PollEntry entry;
        bool waiter = false;
        int calls = 0;
    };
    Probe probes[5];
    bool exclusive[5] = {true, false, true, true, false};
    probes[2].waiter = probes[3].waiter = true;
    fs::PollHead head;
    for (int i = 0; i < 5; ++i) {
        probes[i].entry.context = &probes[i];
        probes[i].entry.exclusive = exclusive[i];
        probes[i].entry.callback = [](fs::PollEntry* entry, uint32_t) {
            auto* probe = static_cast<Probe*>(entry->context);
            ++probe->calls;
            return probe->waiter;
        };
        head.add(probes[i].entry);
    }
    head.notify(uapi::kPOLLIN);
    // 0: exclusive, nobody waiting (passed over); 1, 4: plain; 2: the
    // wake-up; 3: not asked.
    EXPECT_EQ(probes[0].calls, 1);
    EXPECT_EQ(probes[1].calls, 1);
    EXPECT_EQ(probes[2].calls, 1);
    EXPECT_EQ(probes[3].calls, 0);
    EXPECT_EQ(probes[4].calls, 1);
    for (auto& probe : probes) head.remove(probe.entry);
}

// EPOLLEXCLUSIVE items of several instances on one pipe (man 2 epoll_ctl):
// a write reaches the plain instance, the exclusive one nobody waits in
// (added first: it keeps the event but does not count) and exactly one of
// the two exclusive instances with a thread in epoll_wait; a hang-up (the
// write end's last close) reaches the other too.
TEST(Epoll, ExclusiveItemsWakeOneWaitingInstance) {
    PipeItem p;
    auto idle = fs::make_epoll(0), a = fs::make_epoll(0), b = fs::make_epoll(0), plain = fs::make_epoll(0);
    auto exclusive = event(uapi::kEPOLLIN | uapi::kEPOLLEXCLUSIVE, 1);
    ASSERT_TRUE(fs::epoll_control(**idle, uapi::kEPOLL_CTL_ADD, *p.read, 3, exclusive));
    ASSERT_TRUE(fs::epoll_control(**a, uapi::kEPOLL_CTL_ADD, *p.read, 3, exclusive));
    ASSERT_TRUE(fs::epoll_control(**b, uapi::kEPOLL_CTL_ADD, *p.read, 3, exclusive));
    ASSERT_TRUE(fs::epoll_control(**plain, uapi::kEPOLL_CTL_ADD, *p.read, 3, event(uapi::kEPOLLIN, 1)));
    int already = fs::host_waiting_threads();
    Waited in_a, in_b;
    std::atomic<int> returned{0};
    std::thread ta([&] { in_a = wait(**a, 4, ~0ULL), ++returned; });
    std::thread tb([&] { in_b = wait(**b, 4, ~0ULL), ++returned; });
    // Both asleep in epoll_wait (a bound against a hang, not a timing).
    for (int i = 0; i < 100000 && fs::host_waiting_threads() < already + 2; ++i)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    ASSERT_EQ(fs::host_waiting_threads(), already + 2);
    ASSERT_TRUE(put(*p.write, "x"));
    for (int i = 0; i < 100000 && returned == 0; ++i) std::this_thread::sleep_for(std::chrono::microseconds(100));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // room for a second (wrong) wake-up
    EXPECT_EQ(returned, 1);
    EXPECT_EQ(wait(**idle, 4).events.size(), 1u);
    EXPECT_EQ(wait(**plain, 4).events.size(), 1u);
    // The last close of the write end: EPOLLHUP reaches the other waiter.
    p.write.reset();
    ta.join();
    tb.join();
    ASSERT_EQ(in_a.events.size() + in_b.events.size(), 2u);
    EXPECT_EQ(in_a.events[0].events | in_b.events[0].events, uapi::kEPOLLIN | uapi::kEPOLLHUP);
}

}  // namespace
