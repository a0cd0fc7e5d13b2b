// The kernel side of user address spaces (see kernel_services.hpp).
#include "kernel/vm/kernel_services.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/dev/random.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/cmdline.hpp"
#include "lib/cpu_set.hpp"

namespace vm {
namespace {

// User frames: the frame allocator's records carry the reference counts.
class KernelFrames final : public FrameSource {
public:
    void init() {
        window_ = mm::frames().window();
        auto zero = mm::frames().allocate(mm::Zeroing::kYes, mm::FrameOwner::kUser);
        if (!zero) PANIC("vm: no frame for the zero page");
        zero_frame_ = *zero;
    }
    lib::Expected<uint64_t> allocate(bool zeroed) override {
        return mm::frames().allocate(zeroed ? mm::Zeroing::kYes : mm::Zeroing::kNo, mm::FrameOwner::kUser);
    }
    void ref(uint64_t frame) override { mm::frames().share(frame); }
    void unref(uint64_t frame) override { mm::frames().release(frame); }
    uint32_t count(uint64_t frame) const override { return mm::frames().references(frame); }
    uint64_t free_frames() const override { return mm::frames().free_frames(); }
};

// Drops [start, end) of the address space whose PML4 is `root` from this
// CPU's TLB if CR3 holds it: INVLPG up to 32 pages, a CR3 reload (which
// drops every non-global entry, all user ones) beyond (SDM Vol. 3A
// §4.10.4.1). A CPU whose CR3 holds another root has nothing of it cached:
// its last CR3 load dropped it (no PCIDs).
struct FlushRange {
    uint64_t root, start, end;
};

void flush_if_loaded(const FlushRange& range) {
    if ((arch::read_cr3() & pte::kFrameMask) != range.root) return;
    if ((range.end - range.start) / 4096 <= kFlushPagesOneByOne) {
        for (uint64_t page = range.start; page < range.end; page += 4096) arch::invlpg(page);
    } else {
        arch::write_cr3(arch::read_cr3());
    }
}

// On each other CPU of the set, in its TLB-shootdown IPI (interrupts off).
void flush_on_this_cpu(void* range) {
    flush_if_loaded(*static_cast<const FlushRange*>(range));
}

TlbStatistics g_tlb_statistics;

// This CPU first, then every other CPU of the set through the shootdown
// IPI (smp::shoot_down), which returns once each has flushed: only then
// may the caller (vm::Gather) free the frames and tables the old entries
// reached (SDM Vol. 3A §4.10.5). The set holds the CPUs whose CR3 holds
// the root (vm::switch_address_space keeps it), so a process's threads on
// two CPUs cost one IPI, and a single-threaded process none.
//
// No deadlock: the shooting CPU answers others' shootdowns while it waits
// (smp::shoot_down), and the CPUs it waits for answer because none of them
// waits for the address-space lock with interrupts off (the uaccess fault
// path resolves nothing with interrupts off, kernel/arch/x86_64/
// exceptions.cpp; docs/vm.md, "TLB shootdown").
class KernelShootdown final : public TlbShootdown {
public:
    void flush(const CpuSet& cpus, uint64_t root, uint64_t start, uint64_t end) override {
        FlushRange range{root, start, end};
        size_t self = arch::cpu_index();
        if (cpus.contains(self)) flush_if_loaded(range);
        lib::CpuSet others;
        cpus.for_each([&](size_t cpu) {
            if (cpu != self) others.add(uint32_t(cpu));
        });
        if (others.empty()) return;
        __atomic_fetch_add(&g_tlb_statistics.remote_flushes, 1, __ATOMIC_RELAXED);
        smp::shoot_down(others, flush_on_this_cpu, &range);
    }
};

// Layout randomisation and AT_RANDOM draw from the kernel's generator
// (kernel/dev/random.hpp: ChaCha20 seeded from RDSEED/RDRAND), as Linux's
// get_random_u64 and get_random_bytes do.
class KernelRandom final : public RandomSource {
public:
    uint64_t next() override {
        uint64_t value;
        dev::random::fill(&value, sizeof value);
        return value;
    }
};

KernelFrames g_frames;
KernelShootdown g_shootdown;
KernelRandom g_random;
Services g_services;
bool g_ready = false;
bool g_aslr = true;

// The first caller makes everything; callers on other CPUs meanwhile wait.
void init_once() {
    if (__atomic_load_n(&g_ready, __ATOMIC_ACQUIRE)) return;
    static ksync::SpinlockNoIrq lock;
    ksync::Guard guard(lock);
    if (g_ready) return;
    g_frames.init();
    g_services.frames = &g_frames;
    g_services.tlb = &g_shootdown;
    g_services.kernel_root = mm::kernel_page_table_root();
    g_services.no_execute = mm::paging_features().no_execute;
    g_services.commit_limit_pages = mm::frames().stats().managed_bytes / 4096;
    lib::CommandLine cmdline(boot::info().cmdline);
    g_aslr = cmdline.value_or("aslr", "on") != lib::StringView("off");
    klog::info("vm: user address spaces ready, aslr={}", g_aslr ? "on" : "off");
    __atomic_store_n(&g_ready, true, __ATOMIC_RELEASE);
}

}  // namespace

const Services& kernel_services() {
    init_once();
    return g_services;
}

bool aslr_enabled() {
    init_once();
    return g_aslr;
}

RandomSource& kernel_random() {
    init_once();
    return g_random;
}

TlbStatistics tlb_statistics() {
    TlbStatistics statistics;
    statistics.remote_flushes = __atomic_load_n(&g_tlb_statistics.remote_flushes, __ATOMIC_RELAXED);
    return statistics;
}

namespace kernel_services_detail {
AddressSpace* g_current[kMaxCpus] = {};
}  // namespace kernel_services_detail

AddressSpace* switch_address_space(AddressSpace* space) {
    size_t cpu = arch::cpu_index();
    AddressSpace* previous = kernel_services_detail::g_current[cpu];
    if (space) {
        enter_address_space(*space);  // the rules: there
        return previous;
    }
    if (!previous) return previous;
    arch::write_cr3(mm::kernel_page_table_root());
    previous->left(cpu);
    kernel_services_detail::g_current[cpu] = nullptr;
    return previous;
}

AddressSpace* current_address_space() {
    return kernel_services_detail::g_current[arch::cpu_index()];
}

FaultResult handle_page_fault(uint64_t address, uint64_t error_code) {
    AddressSpace* space = current_address_space();
    if (!space) return FaultResult::kMapError;
    return space->handle_fault(address, fault_access(error_code));
}

}  // namespace vm
