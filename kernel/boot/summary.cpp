#include "kernel/boot/summary.hpp"

#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"

namespace boot {

void print_summary() {
    const BootInfo& b = info();
    klog::print("boot: loader=\"{} {}\" rev={} hhdm={:#x} memmap={} usable={} ", b.loader_name, b.loader_version,
                b.base_revision, b.hhdm_offset, b.memory_count, b.usable_bytes);
    if (b.has_framebuffer)
        klog::print("fb={}x{}x{} ", b.framebuffer.width, b.framebuffer.height, b.framebuffer.bpp);
    else
        klog::print("fb=none ");
    klog::print("cpus={} rsdp={:#x} kernel={:#x}@{:#x} cmdline=\"{}\"\n", b.cpu_count, b.rsdp_physical,
                b.kernel_physical_base, b.kernel_virtual_base, b.cmdline);
}

void print_memory_map() {
    const BootInfo& b = info();
    for (size_t i = 0; i < b.memory_count; ++i) {
        const MemoryRegion& r = b.memory[i];
        klog::debug("memmap: {:#018x}-{:#018x} {}", r.base, r.base + r.length, memory_type_name(r.type));
    }
}

}  // namespace boot
