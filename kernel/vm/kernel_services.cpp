// The kernel side of user address spaces (see kernel_services.hpp).
#include "kernel/vm/kernel_services.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/cmdline.hpp"
#include "lib/x86_64/cpuid.hpp"

namespace vm {
namespace {

constexpr uint64_t kAddressMask = 0x000ffffffffff000ULL;

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
        size_t self = arch::this_cpu().index;
        if (cpus.contains(self) && (arch::read_cr3() & kAddressMask) == root) {
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

// RDRAND where the CPU has it (CPUID.01H:ECX.RDRAND[bit 30]), else the TSC mixed
// through splitmix64. Good enough for layout randomisation; getrandom(2)
// has its own generator.
class KernelRandom final : public RandomSource {
public:
    void init() { has_rdrand_ = x86_64::has(x86_64::feature::kRdrand); }
    uint64_t next() override {
        if (has_rdrand_) {
            for (int attempt = 0; attempt < 10; ++attempt) {
                uint64_t value;
                unsigned char ok;
                asm volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok));
                if (ok) return value;
            }
        }
        state_ += 0x9e3779b97f4a7c15ULL ^ arch::rdtsc();
        uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    bool has_rdrand_ = false;
    uint64_t state_ = 0;
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
    g_random.init();
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
    size_t cpu = arch::this_cpu().index;
    AddressSpace* previous = g_current[cpu];
    if (previous == space) return previous;
    // The CR3 load drops this CPU's non-global translations (no PCIDs), so
    // the old address space no longer needs flushing here.
    arch::write_cr3(space ? space->root() : mm::kernel_page_table_root());
    if (previous) previous->left(cpu);
    if (space) space->entered(cpu);
    g_current[cpu] = space;
    return previous;
}

AddressSpace* current_address_space() {
    return g_current[arch::this_cpu().index];
}

}  // namespace vm
