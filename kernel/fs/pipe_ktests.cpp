// Pipes on the machine (test=fs_pipe): two kernel threads ping-pong a byte
// through two pipes. Each side sleeps on the pipe's wait queue and is
// woken by the other's write, not by the next timer tick: on one CPU, one
// of the two is always runnable, so the CPU never goes idle during the
// round trips (a wake-up that waited for the tick would idle the CPU on
// every round). Idle entries are counted rather than ticks: ticks follow
// the host's clock, which a busy host makes run ahead of the guest. Across CPUs the round trip is
// measured and reported (the wake-up of a thread on another, idle CPU is
// the scheduler's IPI path). Also: EOF to a blocked reader when the writer
// closes, from another thread; writers blocked on a full pipe woken by the
// reads that make room (in pieces that free a buffer only now and then)
// and by F_SETPIPE_SZ, without the tick (a pipe wakes its writers only
// when a read finds it full, docs/fs.md).
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/console/log.hpp"
#include "kernel/sched/sched.hpp"
#include "kernel/fs/pipe.hpp"
#include "kernel/sched/thread.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/time/time.hpp"

namespace {

struct PingPong {
    fs::PipeEnds there, back;
    int rounds = 0;
    bool ok = true;
};

uint8_t transfer(fs::File& file, bool write, uint8_t value) {
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, &value, 1);
    auto n = write ? file.write(b) : file.read(b);
    return n && *n == 1 ? value : 0xff;
}

void echo(void* argument) {
    auto* p = static_cast<PingPong*>(argument);
    for (int i = 0; i < p->rounds; ++i) {
        uint8_t v = transfer(*p->there.read, false, 0);
        if (transfer(*p->back.write, true, uint8_t(v + 1)) != uint8_t(v + 1)) p->ok = false;
    }
}

// Returns the round trip in ns and the ticks it took; `same_cpu` pins both
// threads to this CPU.
struct Measured {
    uint64_t round_trip_ns, ticks, idle_entries;
    bool ok;
};

Measured ping_pong(int rounds, bool same_cpu) {
    PingPong p;
    p.rounds = rounds;
    auto there = fs::make_pipe(0), back = fs::make_pipe(0);
    if (!there || !back) return {0, 0, 0, false};
    p.there = lib::move(*there);
    p.back = lib::move(*back);
    uint32_t cpu = arch::cpu_index();
    // The caller's own affinity comes back afterwards: the test runner is
    // pinned to CPU 0, and later tests (smp's) rely on that.
    const lib::CpuSet caller_affinity = sched::current()->affinity();
    if (same_cpu) (void)sched::set_affinity(sched::current(), lib::CpuSet::only(cpu));
    auto thread = sched::spawn("pipe echo", echo, &p);
    if (!thread) return {0, 0, 0, false};
    if (same_cpu) (void)sched::set_affinity(*thread, lib::CpuSet::only(cpu));
    uint64_t ticks_before = ktime::ticks(), start = ktime::now_ns();
    uint64_t idle_before = sched::cpu_stats(cpu).idle_entries;
    bool ok = true;
    for (int i = 0; i < rounds; ++i) {
        uint8_t v = uint8_t(i);
        transfer(*p.there.write, true, v);
        if (transfer(*p.back.read, false, 0) != uint8_t(v + 1)) ok = false;
    }
    uint64_t ticks = ktime::ticks() - ticks_before, elapsed = ktime::now_ns() - start;
    uint64_t idle_entries = sched::cpu_stats(cpu).idle_entries - idle_before;
    ok = sched::join(*thread).has_value() && ok && p.ok;
    if (same_cpu) (void)sched::set_affinity(sched::current(), caller_affinity);
    return {elapsed / uint64_t(rounds), ticks, idle_entries, ok};
}

KTEST(fs_pipe, ping_pong_wakes_without_the_tick) {
    constexpr int kRounds = 2000;
    Measured m = ping_pong(kRounds, true);
    KEXPECT(m.ok);
    klog::info("fs: pipe round trip between two threads on one CPU: {} ns ({} rounds, {} ticks, {} idle entries)",
               m.round_trip_ns, kRounds, m.ticks, m.idle_entries);
    // A few idle moments are allowed (an interrupt's work elsewhere), not
    // one per round.
    KEXPECT_LT(m.idle_entries * 10, uint64_t(kRounds));
    KEXPECT(sched::current()->affinity() == lib::CpuSet::only(0));  // the runner is pinned again
}

KTEST(fs_pipe, ping_pong_across_cpus) {
    constexpr int kRounds = 200;
    Measured m = ping_pong(kRounds, false);
    KEXPECT(m.ok);
    klog::info("fs: pipe round trip between two threads, any CPU: {} ns ({} rounds, {} ticks)", m.round_trip_ns,
               kRounds, m.ticks);
}

void close_later(void* argument) {
    auto* ends = static_cast<fs::PipeEnds*>(argument);
    ends->write.reset();
}

KTEST(fs_pipe, blocked_reader_sees_eof) {
    auto ends = fs::make_pipe(0);
    KASSERT(ends.has_value());
    auto thread = sched::spawn("pipe closer", close_later, &*ends);
    KASSERT(thread.has_value());
    uint8_t c;
    fs::IoBuffer::Segment s;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(s, &c, 1);
    auto n = ends->read->read(b);
    KEXPECT(n.has_value() && *n == 0);
    KEXPECT(sched::join(*thread).has_value());
}

struct Stream {
    fs::PipeEnds ends;
    size_t bytes = 0;
    bool ok = true;
};

// Writes `bytes` of a counting pattern in writes larger than the pipe.
void stream_writer(void* argument) {
    auto* s = static_cast<Stream*>(argument);
    static uint8_t chunk[80 * 1024];
    for (size_t done = 0; done < s->bytes;) {
        size_t n = s->bytes - done < sizeof chunk ? s->bytes - done : sizeof chunk;
        for (size_t i = 0; i < n; ++i) chunk[i] = uint8_t((done + i) * 7);
        fs::IoBuffer::Segment seg;
        fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, chunk, n);
        auto w = s->ends.write->write(b);
        if (!w || *w != n) {
            s->ok = false;
            return;
        }
        done += n;
    }
}

// Reads the stream back in `piece_size` pieces until s.bytes came or the
// pipe ends: whether every byte was the pattern's, and how many reads.
struct ReadBack {
    size_t bytes = 0, reads = 0;
    bool same = true;
};
ReadBack read_back(Stream& s, size_t piece_size) {
    static uint8_t piece[8192];
    ReadBack r;
    while (r.bytes < s.bytes) {
        fs::IoBuffer::Segment seg;
        fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, piece, piece_size);
        auto n = s.ends.read->read(b);
        if (!n || *n == 0) break;
        for (size_t i = 0; i < *n; ++i) r.same = r.same && piece[i] == uint8_t((r.bytes + i) * 7);
        r.bytes += *n;
        ++r.reads;
    }
    return r;
}

KTEST(fs_pipe, full_pipe_writer_wakes_on_room_without_the_tick) {
    Stream s;
    auto ends = fs::make_pipe(0);
    KASSERT(ends.has_value());
    s.ends = lib::move(*ends);
    s.bytes = 1024 * 1024;
    uint32_t cpu = arch::cpu_index();
    const lib::CpuSet caller_affinity = sched::current()->affinity();
    (void)sched::set_affinity(sched::current(), lib::CpuSet::only(cpu));
    auto thread = sched::spawn("pipe writer", stream_writer, &s);
    KASSERT(thread.has_value());
    (void)sched::set_affinity(*thread, lib::CpuSet::only(cpu));
    uint64_t idle_before = sched::cpu_stats(cpu).idle_entries;
    ReadBack r = read_back(s, 1000);  // not a divisor of a page: buffers free up now and then
    uint64_t idle_entries = sched::cpu_stats(cpu).idle_entries - idle_before;
    KEXPECT(sched::join(*thread).has_value());
    (void)sched::set_affinity(sched::current(), caller_affinity);
    KEXPECT(s.ok);
    KEXPECT(r.same);
    KEXPECT_EQ(r.bytes, s.bytes);
    klog::info("fs: 1 MiB through a pipe in 1000-byte reads: {} reads, {} idle entries", r.reads, idle_entries);
    KEXPECT_LT(idle_entries * 10, uint64_t(r.reads));
}

KTEST(fs_pipe, full_pipe_writer_wakes_when_the_pipe_grows) {
    Stream s;
    auto ends = fs::make_pipe(0);
    KASSERT(ends.has_value());
    s.ends = lib::move(*ends);
    s.bytes = 64 * 1024 + 4096;  // one page more than the default pipe holds
    auto thread = sched::spawn("pipe writer", stream_writer, &s);
    KASSERT(thread.has_value());
    // Until the pipe is full (the writer then waits for room).
    while (s.ends.write->poll(nullptr) & uapi::kPOLLOUT) sched::yield();
    auto grown = fs::set_pipe_size(*s.ends.write, 128 * 1024, false);
    KEXPECT(grown.has_value() && *grown == 128 * 1024);
    KEXPECT(sched::join(*thread).has_value());  // a lost wake-up would hang here
    KEXPECT(s.ok);
    ReadBack r = read_back(s, 8192);
    KEXPECT_EQ(r.bytes, s.bytes);
    KEXPECT(r.same);
}

}  // namespace
