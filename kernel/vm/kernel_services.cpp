// The kernel side of user address spaces (see kernel_services.hpp).
#include "kernel/vm/kernel_services.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/dev/random.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/cmdline.hpp"

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
};

// This CPU only: INVLPG up to 32 pages, a CR3 reload (non-global entries)
// beyond; then the remote hook, if SMP installed one.
class LocalShootdown final : public TlbShootdown {
public:
    void flush(const CpuSet& cpus, uint64_t root, uint64_t start, uint64_t end) override {
        size_t self = arch::cpu_index();
        if (cpus.contains(self) && (arch::read_cr3() & pte::kFrameMask) == root) {
            if ((end - start) / 4096 <= 32) {
                for (uint64_t page = start; page < end; page += 4096) arch::invlpg(page);
            } else {
                arch::write_cr3(arch::read_cr3());
            }
        }
        if (remote) {
            remote->flush(cpus, root, start, end);
            return;
        }
        bool others = false;
        cpus.for_each([&](size_t cpu) { others |= cpu != self; });
        if (others && !__atomic_exchange_n(&warned_, true, __ATOMIC_RELAXED))
            klog::warn("vm: TLB flush for other CPUs, but no shootdown is installed");
    }
    TlbShootdown* remote = nullptr;

private:
    bool warned_ = false;
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
LocalShootdown g_shootdown;
KernelRandom g_random;
Services g_services;
bool g_ready = false;
bool g_aslr = true;
AddressSpace* g_current[kMaxCpus] = {};

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

void set_tlb_shootdown(TlbShootdown* shootdown) {
    g_shootdown.remote = shootdown;
}

AddressSpace* switch_address_space(AddressSpace* space) {
    size_t cpu = arch::cpu_index();
    AddressSpace* previous = g_current[cpu];
    if (previous == space) return previous;
    // Join the new address space's CPU set before CR3 can cache anything of
    // it, so no flush misses this CPU; leave the old one's after the load,
    // which drops this CPU's non-global translations (no PCIDs; SDM Vol. 3A
    // §4.10.4.1), so it no longer needs flushing here.
    if (space) space->entered(cpu);
    arch::write_cr3(space ? space->root() : mm::kernel_page_table_root());
    if (previous) previous->left(cpu);
    g_current[cpu] = space;
    return previous;
}

AddressSpace* current_address_space() {
    return g_current[arch::cpu_index()];
}

FaultResult handle_page_fault(uint64_t address, uint64_t error_code) {
    AddressSpace* space = current_address_space();
    if (!space) return FaultResult::kMapError;
    return space->handle_fault(address, fault_access(error_code));
}

}  // namespace vm
