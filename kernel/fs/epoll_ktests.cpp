// epoll on the machine (test=fs_epoll): two kernel threads ping-pong a byte
// through two pipes, each side sleeping in epoll_wait rather than in read,
// the main side on an instance nested over another, so every round runs the
// notify callbacks (a pipe's head, then an instance's own head) under their
// IRQ-safe locks and wakes a waiter, on whatever CPUs the threads land on.
// Then an item dropped by another thread's last close while a waiter may
// be asleep on its instance.
#include "kernel/console/log.hpp"
#include "kernel/fs/epoll.hpp"
#include "kernel/fs/pipe.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/sched/thread.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/time/time.hpp"

namespace {

constexpr uint64_t kPatience = 10'000'000'000ULL;  // a lost wake-up fails instead of hanging

uint8_t transfer(fs::File& file, bool write, uint8_t value) {
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, &value, 1);
    auto n = write ? file.write(b) : file.read(b);
    return n && *n == 1 ? value : 0xff;
}

// One epoll_wait for at most one event until `deadline_ns`: how many came
// (0 or 1; -1 on an error) and its data.
struct Waited {
    int count;
    uint64_t data;
};
Waited wait_one(fs::File& epoll, uint64_t deadline_ns) {
    uapi::EpollEvent event{};
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, &event, sizeof event);
    auto n = fs::epoll_wait_events(epoll, b, 1, deadline_ns);
    if (!n) return {-1, 0};
    return {int(*n), uint64_t{event.data}};
}

bool add(fs::File& epoll, fs::File& target, int fd, uint32_t events, uint64_t data) {
    return fs::epoll_control(epoll, uapi::kEPOLL_CTL_ADD, target, fd, uapi::EpollEvent{events, data}).has_value();
}

struct PingPong {
    fs::PipeEnds there, back;
    fs::FileRef epoll;  // the echo side's, over there.read
    int rounds = 0;
    bool ok = true;
};

void echo(void* argument) {
    auto* p = static_cast<PingPong*>(argument);
    for (int i = 0; i < p->rounds; ++i) {
        Waited w = wait_one(*p->epoll, ktime::now_ns() + kPatience);
        if (w.count != 1 || w.data != 1) p->ok = false;
        uint8_t v = transfer(*p->there.read, false, 0);
        if (transfer(*p->back.write, true, uint8_t(v + 1)) != uint8_t(v + 1)) p->ok = false;
    }
}

KTEST(fs_epoll, ping_pong_through_nested_instances) {
    constexpr int kRounds = 300;
    PingPong p;
    p.rounds = kRounds;
    auto there = fs::make_pipe(0), back = fs::make_pipe(0);
    auto echo_epoll = fs::make_epoll(0), inner = fs::make_epoll(0), outer = fs::make_epoll(0);
    KASSERT(there && back && echo_epoll && inner && outer);
    p.there = lib::move(*there);
    p.back = lib::move(*back);
    p.epoll = lib::move(*echo_epoll);
    KASSERT(add(*p.epoll, *p.there.read, 3, uapi::kEPOLLIN | uapi::kEPOLLET, 1));
    KASSERT(add(**inner, *p.back.read, 4, uapi::kEPOLLIN, 2));
    KASSERT(add(**outer, **inner, 5, uapi::kEPOLLIN, 3));
    auto thread = sched::spawn("epoll echo", echo, &p);
    KASSERT(thread.has_value());
    bool ok = true;
    uint64_t start = ktime::now_ns();
    for (int i = 0; i < kRounds; ++i) {
        uint8_t v = uint8_t(i);
        transfer(*p.there.write, true, v);
        Waited w = wait_one(**outer, ktime::now_ns() + kPatience);
        if (w.count != 1 || w.data != 3) ok = false;
        if (transfer(*p.back.read, false, 0) != uint8_t(v + 1)) ok = false;
    }
    uint64_t elapsed = ktime::now_ns() - start;
    KEXPECT(sched::join(*thread).has_value());
    KEXPECT(ok && p.ok);
    klog::info("fs: epoll round trip between two threads (nested on one side): {} ns ({} rounds)", elapsed / kRounds,
               kRounds);
}

void close_both_later(void* argument) {
    auto* ends = static_cast<fs::PipeEnds*>(argument);
    ends->read.reset();  // the watched end's last reference: its item goes
    ends->write.reset();
}

KTEST(fs_epoll, item_dropped_by_another_threads_close) {
    auto epoll = fs::make_epoll(0);
    auto ends = fs::make_pipe(0);
    KASSERT(epoll && ends);
    KASSERT(add(**epoll, *ends->read, 3, uapi::kEPOLLIN, 1));
    KEXPECT_EQ(ends->read->epoll_items().size(), size_t(1));
    auto thread = sched::spawn("epoll closer", close_both_later, &*ends);
    KASSERT(thread.has_value());
    // The read end goes first: its item is gone before the writer's close
    // could report EPOLLHUP, so the waiter (asleep or not yet) only times
    // out. Never a report, nor a callback, after the item's removal.
    Waited w = wait_one(**epoll, ktime::now_ns() + 50'000'000);
    KEXPECT(sched::join(*thread).has_value());
    KEXPECT_EQ(w.count, 0);
    KEXPECT(ends->read.get() == nullptr);
    KEXPECT_EQ(wait_one(**epoll, 0).count, 0);
}

}  // namespace
