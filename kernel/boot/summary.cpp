#include "kernel/boot/summary.hpp"

#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"

namespace boot {

void print_summary(uint32_t cpus_online) {
    const BootInfo& b = info();
    char framebuffer[32] = "none";
    if (b.has_framebuffer)
        lib::format(framebuffer, sizeof framebuffer, "{}x{}x{}", b.framebuffer.width, b.framebuffer.height,
                    b.framebuffer.bpp);
    // One record, so that no other CPU's line lands inside it.
    klog::print("boot: loader=\"{} {}\" rev={} hhdm={:#x} memmap={} usable={} fb={} cpus={} rsdp={:#x} "
                "kernel={:#x}@{:#x} cmdline=\"{}\"\n",
                b.loader_name, b.loader_version, b.base_revision, b.hhdm_offset, b.memory_count, b.usable_bytes,
                static_cast<const char*>(framebuffer), cpus_online, b.rsdp_physical, b.kernel_physical_base,
                b.kernel_virtual_base, b.cmdline);
}

void print_memory_map() {
    const BootInfo& b = info();
    for (size_t i = 0; i < b.memory_count; ++i) {
        const MemoryRegion& r = b.memory[i];
        klog::debug("memmap: {:#018x}-{:#018x} {}", r.base, r.base + r.length, memory_type_name(r.type));
    }
}

}  // namespace boot
