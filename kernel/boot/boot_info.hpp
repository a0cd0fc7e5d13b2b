// BootInfo: the kernel's own copy of what the boot loader said. Filled once by
// kernel/boot/limine.cpp (the ONE place that knows the Limine protocol) before
// anything else runs; the rest of the kernel reads only this, never a Limine
// type and never bootloader-reclaimable memory.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/cpu_limit.hpp"

namespace boot {

enum class MemoryType : uint8_t {
    kUsable,
    kReserved,
    kAcpiReclaimable,
    kAcpiNvs,
    kBadMemory,
    kBootloaderReclaimable,
    kKernelAndModules,
    kFramebuffer,
};

const char* memory_type_name(MemoryType type);

struct MemoryRegion {
    uint64_t base;    // physical
    uint64_t length;  // bytes
    MemoryType type;
};

// Pixel layout of a linear framebuffer: 32-bit pixels with the position and
// width of each colour channel (RGB or BGR or anything else the GOP reports).
struct Framebuffer {
    uint8_t* address = nullptr;  // virtual, write-combining mapping
    uint64_t physical = 0;
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t pitch = 0;          // bytes per scan line
    uint16_t bpp = 0;            // bits per pixel (the console supports 32)
    uint8_t red_size = 0, red_shift = 0;
    uint8_t green_size = 0, green_shift = 0;
    uint8_t blue_size = 0, blue_shift = 0;
};

struct Module {
    const uint8_t* address;  // virtual (HHDM); KERNEL_AND_MODULES memory
    uint64_t size;
    char path[128];
    char cmdline[128];
};

struct Cpu {
    uint32_t processor_id;  // ACPI UID
    uint32_t lapic_id;
    bool is_bsp;
};

inline constexpr size_t kMaxMemoryRegions = 256;
inline constexpr size_t kMaxModules = 16;
inline constexpr size_t kMaxCpus = lib::kMaxCpus;  // the kernel's one CPU limit
inline constexpr size_t kMaxCmdline = 512;

struct BootInfo {
    char loader_name[32];
    char loader_version[32];
    // The Limine base revision whose rules apply (docs/limine-protocol.md §7):
    // the one the loader reports using, else the one it confirmed, else 2
    // (a loader that neither confirms nor reports predates revision 3).
    uint64_t base_revision;
    bool base_revision_confirmed;  // the tag's third word was set to 0
    bool base_revision_reported;   // the tag's second word names the revision used
    uint64_t hhdm_offset;

    MemoryRegion memory[kMaxMemoryRegions];
    size_t memory_count;
    uint64_t usable_bytes;

    bool has_framebuffer;
    Framebuffer framebuffer;

    // Physical addresses, whichever kind of pointer the revision gave.
    uint64_t rsdp_physical;  // 0 if the loader gave none
    uint64_t smbios_entry32_physical, smbios_entry64_physical;
    uint64_t efi_system_table_physical;
    int64_t boot_time;        // UNIX seconds, 0 if unknown

    uint64_t kernel_physical_base;
    uint64_t kernel_virtual_base;
    // The kernel's own ELF file (for symbolizing backtraces). Its bytes are
    // KERNEL_AND_MODULES memory, which stays valid; null if none was given.
    const uint8_t* kernel_file;
    uint64_t kernel_file_size;

    char cmdline[kMaxCmdline];

    // From the requests newer than Limine 8.x, when answered (0 otherwise).
    uint64_t tsc_frequency;            // Hz, as the loader measured it
    uint64_t loader_init_usec;         // bootloader performance: loader start,
    uint64_t loader_exec_usec;         // and entry into the kernel, one clock
    uint64_t entropy[4];               // random words from the loader
    size_t entropy_count;

    Module modules[kMaxModules];
    size_t module_count;

    Cpu cpus[kMaxCpus];
    size_t cpu_count;
    uint32_t bsp_lapic_id;
    bool x2apic;

    bool paging_5level;
};

// The one instance, valid after boot::init_from_loader() (called from the
// entry point before kernel_main).
const BootInfo& info();

// Converts a physical address to its HHDM virtual address.
template <typename T = void>
T* phys_to_virt(uint64_t physical) {
    return reinterpret_cast<T*>(physical + info().hhdm_offset);
}

}  // namespace boot
