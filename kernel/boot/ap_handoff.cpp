// Sending the APs out of the loader's parking loop (see ap_handoff.hpp). The
// SMP response and every smp_info live in bootloader-reclaimable memory: this
// runs before that memory is released, and keeps no pointer into it.
#include "kernel/boot/ap_handoff.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/boot/limine_requests.hpp"
#include "lib/cpu_limit.hpp"
#include "lib/x86_64/descriptors.hpp"

// The stubs (ap_handoff.S): boot_ap_launch gets RDI = the AP's smp_info,
// whose extra_argument holds the ApLaunch; boot_ap_launch_record gets the
// ApLaunch itself.
extern "C" void boot_ap_launch(limine::SmpInfo* info);
extern "C" [[noreturn]] void boot_ap_launch_record(boot::ApLaunch* launch);

// The GDT boot_ap_launch loads in place of the loader's: the same descriptors
// at 0x28/0x30 (docs/limine-protocol.md §3), so the hidden parts of CS/DS/SS
// stay what they are, in the kernel's read-only data. Its limit in
// ap_handoff.S is 7 * 8 - 1.
static_assert(x86_64::limine_gdt::kSegmentCount == 7);
extern "C" {
[[gnu::aligned(16)]] extern const uint64_t boot_ap_gdt[x86_64::limine_gdt::kSegmentCount];
[[gnu::aligned(16)]] const uint64_t boot_ap_gdt[x86_64::limine_gdt::kSegmentCount] = {
    x86_64::limine_gdt::kSegments[0], x86_64::limine_gdt::kSegments[1], x86_64::limine_gdt::kSegments[2],
    x86_64::limine_gdt::kSegments[3], x86_64::limine_gdt::kSegments[4], x86_64::limine_gdt::kSegments[5],
    x86_64::limine_gdt::kSegments[6],
};
}

namespace boot {
namespace {

// APs waiting in wait_for_launch(), each in a slot of its own.
struct Waiting {
    uint32_t lapic_id;
    ApLaunch* launch;  // set by launch_application_processor()
};
Waiting g_waiting[lib::kMaxCpus];
uint32_t g_waiting_count = 0;

limine::SmpResponse* smp_response() {
    return requests::smp.response;  // read once through the volatile request
}

template <typename Visit>
void for_each_ap(Visit visit) {
    limine::SmpResponse* response = smp_response();
    if (!response || !response->cpus) return;
    for (uint64_t i = 0; i < response->cpu_count; ++i) {
        limine::SmpInfo* cpu = response->cpus[i];
        if (!cpu || cpu->lapic_id == response->bsp_lapic_id) continue;  // the BSP's entry is never used
        visit(*cpu);
    }
}

Waiting* waiting_slot(uint32_t lapic_id) {
    uint32_t count = __atomic_load_n(&g_waiting_count, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < count && i < lib::kMaxCpus; ++i)
        if (__atomic_load_n(&g_waiting[i].lapic_id, __ATOMIC_ACQUIRE) == lapic_id + 1) return &g_waiting[i];
    return nullptr;
}

}  // namespace

size_t loader_application_processors(LoaderAp* out, size_t capacity) {
    size_t count = 0;
    for_each_ap([&](limine::SmpInfo& cpu) {
        if (count < capacity)
            out[count] = {cpu.lapic_id, __atomic_load_n(&cpu.goto_address, __ATOMIC_ACQUIRE) != nullptr};
        ++count;
    });
    return count;
}

bool launch_application_processor(uint32_t lapic_id, ApLaunch& launch) {
    bool launched = false;
    for_each_ap([&](limine::SmpInfo& cpu) {
        if (launched || cpu.lapic_id != lapic_id) return;
        launch.lapic_id = lapic_id;
        __atomic_store_n(&launch.reported, 0, __ATOMIC_RELAXED);
        if (__atomic_load_n(&cpu.goto_address, __ATOMIC_ACQUIRE) == nullptr) {
            cpu.extra_argument = reinterpret_cast<uint64_t>(&launch);
            // docs/limine-protocol.md §4: an atomic store of goto_address
            // releases the AP; the release order makes the record and
            // extra_argument visible first.
            __atomic_store_n(&cpu.goto_address, &boot_ap_launch, __ATOMIC_RELEASE);
            launched = true;
        } else if (Waiting* slot = waiting_slot(lapic_id)) {
            __atomic_store_n(&slot->launch, &launch, __ATOMIC_RELEASE);
            launched = true;
        }
    });
    return launched;
}

void wait_for_launch(uint32_t lapic_id) {
    uint32_t index = __atomic_fetch_add(&g_waiting_count, 1, __ATOMIC_ACQ_REL);
    if (index >= lib::kMaxCpus) arch::halt_forever();
    Waiting& slot = g_waiting[index];
    __atomic_store_n(&slot.launch, nullptr, __ATOMIC_RELAXED);
    __atomic_store_n(&slot.lapic_id, lapic_id + 1, __ATOMIC_RELEASE);  // 0 = slot not filled in yet
    ApLaunch* launch;
    while ((launch = __atomic_load_n(&slot.launch, __ATOMIC_ACQUIRE)) == nullptr) arch::pause();
    boot_ap_launch_record(launch);
}

}  // namespace boot
