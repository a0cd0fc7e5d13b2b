// Scheduler costs for `make bench` (tools/measure_sched.py boots with
// bench=sched under QEMU -icount, where a TSC difference counts guest
// instructions; docs/benchmarks.md): a yield between two threads of one
// CPU, a wake-up of a thread on another CPU, a mutex lock+unlock
// uncontended and handed between two CPUs, and a thread's create+join.
// None of them sleeps on a timer (under -icount sleep=off the clock would
// jump to the deadline). Prints one line and ends the run.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/qemu_exit.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/sched/sched.hpp"

namespace sched {
namespace {

Thread* must_spawn(const char* name, void (*entry)(void*), void* argument, uint32_t cpu) {
    SpawnOptions options;
    options.affinity = CpuSet::only(cpu);
    auto thread = spawn(name, entry, argument, options);
    if (!thread) PANIC("bench: spawn: {}", thread.error().message);
    return *thread;
}

void must_join(Thread* thread) {
    if (!join(thread)) PANIC("bench: join failed");
}

// --- yield: two threads on one CPU take turns; per yield (one switch) ---

constexpr uint32_t kYields = 2000;
uint32_t g_yield_ready = 0;
uint64_t g_yield_cost = 0;

void yielder(void* argument) {
    bool timer = argument != nullptr;
    __atomic_fetch_add(&g_yield_ready, 1, __ATOMIC_ACQ_REL);
    while (__atomic_load_n(&g_yield_ready, __ATOMIC_ACQUIRE) < 2) yield();
    for (uint32_t i = 0; i < 100; ++i) yield();  // warm-up
    uint64_t start = arch::rdtsc();
    for (uint32_t i = 0; i < kYields; ++i) yield();
    if (timer) g_yield_cost = (arch::rdtsc() - start) / (2 * kYields);
}

uint64_t yield_cost(uint32_t cpu) {
    g_yield_ready = 0;
    Thread* a = must_spawn("bench-yield-a", yielder, reinterpret_cast<void*>(1), cpu);
    Thread* b = must_spawn("bench-yield-b", yielder, nullptr, cpu);
    must_join(a);
    must_join(b);
    return g_yield_cost;
}

// --- a wake-up on another CPU: ping-pong through two wait queues; per
// wake-up (half a round trip) ---

constexpr uint32_t kWakeRounds = 500;
WaitQueue* g_ping;
WaitQueue* g_pong;
uint32_t g_ball = 0;

void ponger(void*) {
    for (uint32_t round = 0; round < kWakeRounds + 10; ++round) {
        (void)g_pong->wait_event([round] { return __atomic_load_n(&g_ball, __ATOMIC_ACQUIRE) == 2 * round + 1; });
        __atomic_store_n(&g_ball, 2 * round + 2, __ATOMIC_RELEASE);
        g_ping->wake_one();
    }
}

uint64_t wake_other_cpu_cost(uint32_t other) {
    WaitQueue ping{"bench ping"}, pong{"bench pong"};
    g_ping = &ping;
    g_pong = &pong;
    g_ball = 0;
    Thread* thread = must_spawn("bench-pong", ponger, nullptr, other);
    uint64_t start = 0;
    for (uint32_t round = 0; round < kWakeRounds + 10; ++round) {
        if (round == 10) start = arch::rdtsc();  // after a warm-up
        __atomic_store_n(&g_ball, 2 * round + 1, __ATOMIC_RELEASE);
        pong.wake_one();
        (void)ping.wait_event([round] { return __atomic_load_n(&g_ball, __ATOMIC_ACQUIRE) == 2 * round + 2; });
    }
    uint64_t cost = (arch::rdtsc() - start) / (2 * kWakeRounds);
    must_join(thread);
    return cost;
}

// --- mutexes ---

constexpr uint32_t kLocks = 5000;

uint64_t mutex_uncontended_cost() {
    Mutex mutex{"bench"};
    for (uint32_t i = 0; i < 100; ++i) {
        mutex.lock();
        mutex.unlock();
    }
    uint64_t start = arch::rdtsc();
    for (uint32_t i = 0; i < kLocks; ++i) {
        mutex.lock();
        mutex.unlock();
    }
    return (arch::rdtsc() - start) / kLocks;
}

// Two threads on two CPUs pass a mutex in strict turns, each waiting on
// its own condition variable for its turn (what ubench's mutex_handoff
// does with pthreads): every pass wakes the other CPU. Per pass.
constexpr uint32_t kPasses = 500;
Mutex* g_handoff;
CondVar* g_turn_of[2];
uint32_t g_turn = 0;  // whose turn: the pass number's parity

constexpr uint32_t kWarmUpPasses = 20;
uint64_t g_pass_start = 0, g_pass_end = 0;

void passer(void* argument) {
    uint32_t me = uint32_t(reinterpret_cast<uintptr_t>(argument));
    constexpr uint32_t kLast = 2 * kPasses + kWarmUpPasses - 1;
    for (uint32_t pass = me; pass <= kLast; pass += 2) {
        MutexGuard guard(*g_handoff);
        while (g_turn != pass) g_turn_of[me]->wait(*g_handoff);
        // Timed by the passers themselves: the caller waits in join, off
        // both CPUs' way.
        if (pass == kWarmUpPasses) g_pass_start = arch::rdtsc();
        if (pass == kLast) g_pass_end = arch::rdtsc();
        g_turn = pass + 1;
        g_turn_of[1 - me]->signal();
    }
}

uint64_t mutex_hand_off_cost(uint32_t other) {
    Mutex mutex{"bench hand-off"};
    CondVar turn0{"turn 0"}, turn1{"turn 1"};
    g_handoff = &mutex;
    g_turn_of[0] = &turn0;
    g_turn_of[1] = &turn1;
    g_turn = 0;
    Thread* a = must_spawn("bench-pass-0", passer, reinterpret_cast<void*>(0), 0);
    Thread* b = must_spawn("bench-pass-1", passer, reinterpret_cast<void*>(1), other);
    must_join(a);
    must_join(b);
    return (g_pass_end - g_pass_start) / (2 * kPasses - 1);
}

// --- create + join: a thread that does nothing, spawned and joined ---

constexpr uint32_t kCreates = 200;

void nothing(void*) {}

uint64_t create_join_cost() {
    for (uint32_t i = 0; i < 10; ++i) must_join(must_spawn("bench-nothing", nothing, nullptr, 0));
    uint64_t start = arch::rdtsc();
    for (uint32_t i = 0; i < kCreates; ++i) must_join(must_spawn("bench-nothing", nothing, nullptr, 0));
    return (arch::rdtsc() - start) / kCreates;
}

}  // namespace

[[noreturn]] void run_benchmarks() {
    uint32_t cpus = cpus_running();
    uint32_t other = 0;
    for (uint32_t cpu = 1; cpu < kMaxCpus && other == 0; ++cpu)
        if (cpu_running(cpu)) other = cpu;
    uint64_t yield_one_cpu = yield_cost(0);
    uint64_t wake = other ? wake_other_cpu_cost(other) : 0;
    uint64_t uncontended = mutex_uncontended_cost();
    uint64_t hand_off = other ? mutex_hand_off_cost(other) : 0;

    uint64_t create_join = create_join_cost();
    klog::print("bench: sched cpus={} yield={} wake_other_cpu={} mutex_uncontended={} mutex_hand_off={} "
                "create_join={}\n",
                cpus, yield_one_cpu, wake, uncontended, hand_off, create_join);
    klog::flush();
    arch::qemu_exit(arch::QemuExitCode::kPass);
    arch::halt_forever();
}

}  // namespace sched
