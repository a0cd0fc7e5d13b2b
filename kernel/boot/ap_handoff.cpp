// Sending the APs out of the loader's parking loop (see ap_handoff.hpp). The
// SMP response and every smp_info live in bootloader-reclaimable memory: this
// runs before that memory is released, and keeps no pointer into it.
#include "kernel/boot/ap_handoff.hpp"

#include "kernel/boot/limine_requests.hpp"

// The stub each AP jumps to (ap_handoff.S): RDI = its smp_info, whose
// extra_argument holds the ApLaunch.
extern "C" void boot_ap_launch(limine::SmpInfo* info);

namespace boot {
namespace {

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

}  // namespace

ApCount count_application_processors() {
    ApCount count;
    for_each_ap([&](limine::SmpInfo& cpu) {
        if (__atomic_load_n(&cpu.goto_address, __ATOMIC_ACQUIRE) == nullptr)
            ++count.in_loader;
        else
            ++count.started_before;
    });
    return count;
}

void launch_application_processors(ApLaunch* launches, size_t count) {
    size_t next = 0;
    for_each_ap([&](limine::SmpInfo& cpu) {
        if (next == count || __atomic_load_n(&cpu.goto_address, __ATOMIC_ACQUIRE) != nullptr) return;
        ApLaunch& launch = launches[next++];
        launch.lapic_id = cpu.lapic_id;
        __atomic_store_n(&launch.reported, 0, __ATOMIC_RELAXED);
        cpu.extra_argument = reinterpret_cast<uint64_t>(&launch);
        // Facts sheet §4: an atomic store of goto_address releases the AP;
        // the release order makes the record and extra_argument visible first.
        __atomic_store_n(&cpu.goto_address, &boot_ap_launch, __ATOMIC_RELEASE);
    });
}

}  // namespace boot
