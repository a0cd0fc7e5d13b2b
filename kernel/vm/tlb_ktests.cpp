// TLB shootdown of user address spaces on the real CPUs (test=vm, two or
// more CPUs): a CPU that runs an address space keeps no translation that
// another CPU took away (munmap, mprotect), from the moment the call
// returned, and never sees what a reused frame holds next; two CPUs
// shooting down at each other both finish (docs/vm.md, "TLB shootdown").
//
// The other CPU runs the address space inside a call from this one
// (smp::call_on without waiting), with interrupts on so that the shootdown
// IPI gets in, as the kernel half's test in kernel/smp/smp_ktests.cpp does:
// a kernel thread would lose the address space at its next switch (the
// process layer's switch hook loads only a task's).
#include "kernel/abi/linux_mm.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/vm/kernel_services.hpp"

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kRw = uapi::kProtRead | uapi::kProtWrite;
constexpr uint64_t kFixedAnon = uapi::kMapPrivate | uapi::kMapAnonymous | uapi::kMapFixed;
constexpr uint64_t kAddress = 0x70000000;
constexpr uint64_t kBefore = 0x5555aaaa5555aaaaULL;  // what the page holds while mapped
constexpr uint64_t kReused = 0xdeadbeefdeadbeefULL;  // what its frame holds once reused
constexpr uint64_t kWaitTicks = uint64_t(1) << 36;   // far beyond any answer, even on a busy host

bool wait_until(const uint32_t* flag) {
    uint64_t start = arch::rdtsc();
    while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE) && arch::rdtsc() - start < kWaitTicks) arch::pause();
    return __atomic_load_n(flag, __ATOMIC_ACQUIRE) != 0;
}

// Another online CPU than this one (the caller has preemption disabled).
uint32_t other_cpu() {
    uint32_t self = arch::cpu_index();
    for (uint32_t cpu = smp::cpu_limit(); cpu-- > 0;)
        if (cpu != self && smp::is_online(cpu)) return cpu;
    return self;
}

// An address space destroyed at scope end (no CPU has it loaded by then).
struct Space {
    vm::AddressSpace* space = nullptr;
    Space() {
        auto created = vm::AddressSpace::create(vm::kernel_services());
        if (created) space = *created;
    }
    ~Space() {
        if (space) vm::AddressSpace::destroy(space);
    }
};

// --- a reader on another CPU -------------------------------------------------

struct Reader {
    vm::AddressSpace* space = nullptr;
    uint32_t started = 0;
    uint32_t taken = 0;  // set once the change (munmap or mprotect) returned
    uint64_t reads = 0;
    uint64_t reads_after = 0;   // must stay 0: the first read after the change must fail
    uint64_t wrong_values = 0;  // must stay 0: never the reused frame's contents
    uint32_t ended_by_fault = 0;
    uint32_t done = 0;
};
Reader g_reader;

// On the reader's CPU, in the call IPI: load the address space, read the
// page through the kernel's user copy (whose fault ends the loop: after
// the change the address space resolves nothing there), go back.
void read_until_fault(void*) {
    Reader& r = g_reader;
    vm::AddressSpace* previous = vm::switch_address_space(r.space);
    arch::sti();  // the shootdown IPI must get in
    __atomic_store_n(&r.started, 1, __ATOMIC_RELEASE);
    for (;;) {
        bool after = __atomic_load_n(&r.taken, __ATOMIC_ACQUIRE) != 0;
        uint64_t value = 0;
        if (!arch::load_user_u64(kAddress, value)) {
            r.ended_by_fault = 1;
            break;
        }
        ++r.reads;
        if (after) ++r.reads_after;
        if (value != kBefore) ++r.wrong_values;
        if (r.reads > (uint64_t(1) << 32)) break;  // never taken away: give up (the test fails)
    }
    arch::cli();
    vm::switch_address_space(previous);
    __atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
}

enum class Change { kUnmap, kProtectNone };

// The reader on another CPU reads kAddress of a fresh address space while
// this CPU (which never loads it) applies `change`, then writes the old
// frame as its next owner would.
void run_reader_test(Change change) {
    if (smp::cpu_count() < 2) {
        klog::print("  (one CPU: nothing to shoot down)\n");
        return;
    }
    Space s;
    KASSERT(s.space);
    KASSERT(s.space->mmap(kAddress, kPage, kRw, kFixedAnon, nullptr, 0).has_value());
    KASSERT(s.space->write_memory(kAddress, &kBefore, sizeof kBefore).has_value());
    uint64_t frame = vm::pte::frame(s.space->entry_at(kAddress));
    KASSERT(frame != 0);
    mm::frames().share(frame);  // ours after the unmap: "reused" below
    g_reader = Reader{};
    g_reader.space = s.space;

    arch::preempt_disable();  // this CPU stays the one that is not the reader's
    uint32_t reader_cpu = other_cpu();
    uint64_t flushes_before = vm::tlb_statistics().remote_flushes;
    uint64_t ipis_before = smp::received(reader_cpu).tlb_shootdown;
    bool called = smp::call_on(reader_cpu, read_until_fault, nullptr, smp::Wait::kNo);
    bool started = called && wait_until(&g_reader.started);
    uint64_t start = arch::rdtsc();
    while (started && __atomic_load_n(&g_reader.reads, __ATOMIC_RELAXED) < 1000 && arch::rdtsc() - start < kWaitTicks)
        arch::pause();  // its TLB holds the translation now
    bool loaded_there = s.space->cpus().contains(reader_cpu);
    bool changed = change == Change::kUnmap ? s.space->munmap(kAddress, kPage).has_value()
                                            : s.space->mprotect(kAddress, kPage, uapi::kProtNone).has_value();
    __atomic_store_n(&g_reader.taken, 1, __ATOMIC_RELEASE);
    // The frame is reused at once, as a freed frame may be.
    *boot::phys_to_virt<volatile uint64_t>(frame) = kReused;
    bool done = started && wait_until(&g_reader.done);
    arch::preempt_enable();

    KASSERT(called);
    KASSERT(started);
    KASSERT(done);
    KEXPECT(loaded_there);
    KEXPECT(changed);
    KEXPECT(g_reader.ended_by_fault);
    KEXPECT_GE(g_reader.reads, 1000u);
    KEXPECT_EQ(g_reader.reads_after, 0u);
    KEXPECT_EQ(g_reader.wrong_values, 0u);
    KEXPECT(!s.space->cpus().contains(reader_cpu));  // it switched back: out of the set
    KEXPECT_GT(vm::tlb_statistics().remote_flushes, flushes_before);
    KEXPECT_GT(smp::received(reader_cpu).tlb_shootdown, ipis_before);
    if (change == Change::kProtectNone) *boot::phys_to_virt<uint64_t>(frame) = kBefore;  // still mapped
    mm::frames().release(frame);
}

KTEST(vm, munmap_makes_a_reader_on_another_cpu_fault_before_the_frame_is_reused) {
    run_reader_test(Change::kUnmap);
}

KTEST(vm, mprotect_none_makes_a_reader_on_another_cpu_fault) {
    run_reader_test(Change::kProtectNone);
}

// --- two CPUs shooting down at each other ------------------------------------

constexpr int kRounds = 200;

struct Crossfire {
    vm::AddressSpace* mine = nullptr;    // what the other CPU loads ...
    vm::AddressSpace* theirs = nullptr;  // ... and unmaps in, which this CPU loads
    uint32_t started = 0;
    uint32_t failures = 0;
    uint32_t done = 0;
};
Crossfire g_crossfire;

// Maps a page of `space`, fills it (so it is present) and unmaps it, kRounds
// times: each unmap shoots down every CPU that has `space` loaded.
uint32_t map_and_unmap(vm::AddressSpace* space) {
    uint32_t failures = 0;
    for (int i = 0; i < kRounds; ++i) {
        uint64_t value = uint64_t(i);
        if (!space->mmap(kAddress, kPage, kRw, kFixedAnon, nullptr, 0)) ++failures;
        if (!space->write_memory(kAddress, &value, sizeof value)) ++failures;
        if (!space->munmap(kAddress, kPage)) ++failures;
    }
    return failures;
}

void crossfire_there(void*) {
    Crossfire& c = g_crossfire;
    vm::AddressSpace* previous = vm::switch_address_space(c.mine);
    arch::sti();  // the other CPU's shootdowns must get in
    __atomic_store_n(&c.started, 1, __ATOMIC_RELEASE);
    c.failures = map_and_unmap(c.theirs);
    arch::cli();
    vm::switch_address_space(previous);
    __atomic_store_n(&c.done, 1, __ATOMIC_RELEASE);
}

KTEST(vm, two_cpus_shooting_down_at_each_other_both_finish) {
    if (smp::cpu_count() < 2) {
        klog::print("  (one CPU: nothing to shoot down)\n");
        return;
    }
    Space a, b;
    KASSERT(a.space && b.space);
    g_crossfire = Crossfire{};
    g_crossfire.mine = a.space;
    g_crossfire.theirs = b.space;
    uint64_t flushes_before = vm::tlb_statistics().remote_flushes;

    arch::preempt_disable();
    uint32_t there = other_cpu();
    vm::AddressSpace* previous = vm::switch_address_space(b.space);
    bool called = smp::call_on(there, crossfire_there, nullptr, smp::Wait::kNo);
    bool started = called && wait_until(&g_crossfire.started);
    uint32_t failures = started ? map_and_unmap(a.space) : 0;
    bool done = started && wait_until(&g_crossfire.done);
    vm::switch_address_space(previous);
    arch::preempt_enable();

    KASSERT(called);
    KASSERT(started);
    KASSERT(done);
    KEXPECT_EQ(failures, 0u);
    KEXPECT_EQ(g_crossfire.failures, 0u);
    // Each side's unmaps went to the other while it had the space loaded.
    KEXPECT_GT(vm::tlb_statistics().remote_flushes, flushes_before);
    KEXPECT(a.space->cpus().empty());
    KEXPECT(b.space->cpus().empty());
}

}  // namespace
