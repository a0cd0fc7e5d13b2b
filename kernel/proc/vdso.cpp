// The vDSO's frames and its mapping (vdso.hpp).
#include "kernel/proc/vdso.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/time/time.hpp"
#include "kernel/vdso/vdso_data.h"
#include "kernel/vm/backing.hpp"
#include "kernel/vm/errors.hpp"

extern "C" const uint8_t proc_vdso_image_start[];
extern "C" const uint8_t proc_vdso_image_end[];

namespace proc {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxImagePages = 4;
constexpr uint64_t kProtRead = 1, kProtExec = 4;      // PROT_READ, PROT_EXEC
constexpr uint64_t kMapShared = 0x01, kMapFixed = 0x10;  // MAP_SHARED, MAP_FIXED

// Page 0: the data page; pages 1..: the image. Shared by every program,
// never written by one (mapped read-only), never freed.
class VdsoBacking final : public vm::Backing {
public:
    uint64_t frames[1 + kMaxImagePages] = {};
    uint64_t pages = 0;

    lib::Expected<uint64_t> acquire_page(uint64_t index, bool) override {
        if (index >= pages) return vm::error(lib::Errno::kENXIO, "past the vDSO");
        mm::frames().share(frames[index]);
        return frames[index];
    }
    void ref() override {}
    void unref() override {}
};

VdsoBacking g_backing;
bool g_ready = false;
vdso_data* g_data = nullptr;  // the data page, once mapped in the kernel

}  // namespace

void init_vdso() {
    uint64_t image_size = uint64_t(proc_vdso_image_end - proc_vdso_image_start);
    uint64_t image_pages = (image_size + kPage - 1) / kPage;
    if (image_pages == 0 || image_pages > kMaxImagePages) {
        klog::warn("vdso: image of {} bytes does not fit; programs use system calls", image_size);
        return;
    }
    for (uint64_t i = 0; i < 1 + image_pages; ++i) {
        auto frame = mm::frames().allocate(mm::Zeroing::kYes, mm::FrameOwner::kKernel);
        if (!frame) {
            klog::warn("vdso: no memory; programs use system calls");
            return;
        }
        g_backing.frames[i] = *frame;
    }
    for (uint64_t i = 0; i < image_pages; ++i) {
        uint64_t n = image_size - i * kPage < kPage ? image_size - i * kPage : kPage;
        __builtin_memcpy(mm::frames().window().at<uint8_t>(g_backing.frames[1 + i]), proc_vdso_image_start + i * kPage,
                         n);
    }
    ktime::ClockParameters clock = ktime::clock_parameters();
    auto* data = mm::frames().window().at<vdso_data>(g_backing.frames[0]);
    data->zero_tsc = clock.zero_tsc;
    data->ns_per_tick = clock.ns_per_tick;
    data->use_syscall = clock.per_cpu_offsets ? 1 : 0;
    data->realtime_offset = ktime::realtime_offset_ns();
    g_data = data;
    // clock_settime moves CLOCK_REALTIME: the page follows (one aligned
    // 64-bit store, which a reader sees whole).
    ktime::set_realtime_hook([](int64_t offset) { __atomic_store_n(&g_data->realtime_offset, offset, __ATOMIC_RELEASE); });
    data->coarse_ns = 4'000'000;  // the COARSE clocks' tick (time_calls.cpp)
    // getcpu by RDTSCP: the syscall layer sets IA32_TSC_AUX on every CPU
    // that has the instruction (the CPUs of one machine are alike, as Linux
    // assumes for its vgetcpu).
    data->getcpu_rdtscp = arch::cpuid(0x80000000).eax >= 0x80000001 && (arch::cpuid(0x80000001).edx & (1u << 27));
    __atomic_store_n(&data->version, uint32_t(VDSO_DATA_VERSION), __ATOMIC_RELEASE);
    g_backing.pages = 1 + image_pages;
    g_ready = true;
    klog::info("vdso: {} bytes of code, clock_gettime {}, getcpu {}", image_size,
               clock.per_cpu_offsets ? "through the kernel (TSCs not in step)" : "from the TSC",
               data->getcpu_rdtscp ? "by RDTSCP" : "through the kernel");
}

bool vdso_ready() {
    return g_ready;
}

bool is_vdso(const vm::Backing* backing) {
    return backing == &g_backing;
}

lib::Expected<uint64_t> map_vdso(vm::AddressSpace& space, void*) {
    uint64_t size = g_backing.pages * kPage;
    vm::FileMapping mapping{&g_backing, true, false, false, false};
    uint64_t base = TRY(space.mmap(0, size, kProtRead, kMapShared, &mapping, 0));
    // The image executable, the data page not.
    TRY(space.mmap(base + kPage, size - kPage, kProtRead | kProtExec, kMapShared | kMapFixed, &mapping, kPage));
    return base + kPage;
}

}  // namespace proc
