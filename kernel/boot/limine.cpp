// The ONE place in the kernel that knows the Limine boot protocol
// (docs/limine-protocol.md; the kernel asks for base revision 6 and follows
// the rules of whichever revision the loader applied: nothing it reads
// through the HHDM is left out by any revision). It declares every request,
// checks each response against the protocol's promises, and copies what the
// kernel needs into BootInfo. Nothing else in the kernel sees a Limine type or
// touches bootloader-reclaimable memory.
#include "kernel/boot/limine_requests.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/boot/entry_state.hpp"
#include "kernel/console/console.hpp"
#include "kernel/console/log.hpp"
#include "lib/string_view.hpp"
#include "lib/utility.hpp"
#include "lib/x86_64/cpuid.hpp"
#include "kernel/rt/runtime.hpp"

extern "C" void kernel_entry_from_request();
extern "C" [[noreturn]] void kernel_main();

namespace boot::requests {

// §1: the markers bracket the requests; the linker script keeps the three
// sections in this order inside the data segment.
__attribute__((used, section(".limine_requests_start"))) volatile uint64_t start_marker[4] = {
    limine::kRequestsStartMarker[0], limine::kRequestsStartMarker[1], limine::kRequestsStartMarker[2],
    limine::kRequestsStartMarker[3]};
__attribute__((used, section(".limine_requests_end"))) volatile uint64_t end_marker[2] = {
    limine::kRequestsEndMarker[0], limine::kRequestsEndMarker[1]};

__attribute__((used, section(".limine_requests"))) volatile uint64_t base_revision[3] = {
    limine::kBaseRevisionMagic0, limine::kBaseRevisionMagic1, limine::kBaseRevision};

#define ID(name) {limine::id::name.words[0], limine::id::name.words[1], limine::id::name.words[2], limine::id::name.words[3]}
#define REQUEST __attribute__((used, section(".limine_requests"))) volatile

REQUEST limine::BootloaderInfoRequest bootloader_info = {ID(kBootloaderInfo), 0, nullptr};
REQUEST limine::FirmwareTypeRequest firmware_type = {ID(kFirmwareType), 0, nullptr};
REQUEST limine::StackSizeRequest stack_size = {ID(kStackSize), 0, nullptr, kBootStackSize};
REQUEST limine::HhdmRequest hhdm = {ID(kHhdm), 0, nullptr};
REQUEST limine::FramebufferRequest framebuffer = {ID(kFramebuffer), 1, nullptr};
REQUEST limine::PagingModeRequest paging_mode = {ID(kPagingMode), 1, nullptr, limine::kPaging4Level,
                                                 limine::kPaging4Level, limine::kPaging4Level};
REQUEST limine::SmpRequest smp = {ID(kSmp), 0, nullptr, limine::kSmpRequestX2apic};
REQUEST limine::MemmapRequest memmap = {ID(kMemmap), 0, nullptr};
REQUEST limine::EntryPointRequest entry_point = {ID(kEntryPoint), 0, nullptr, &kernel_entry_from_request};
REQUEST limine::KernelFileRequest kernel_file = {ID(kKernelFile), 0, nullptr};
REQUEST limine::ModuleRequest module = {ID(kModule), 1, nullptr, 0, nullptr};
REQUEST limine::RsdpRequest rsdp = {ID(kRsdp), 0, nullptr};
REQUEST limine::SmbiosRequest smbios = {ID(kSmbios), 0, nullptr};
REQUEST limine::EfiSystemTableRequest efi_system_table = {ID(kEfiSystemTable), 0, nullptr};
REQUEST limine::EfiMemmapRequest efi_memmap = {ID(kEfiMemmap), 0, nullptr};
REQUEST limine::BootTimeRequest boot_time = {ID(kBootTime), 0, nullptr};
REQUEST limine::KernelAddressRequest kernel_address = {ID(kKernelAddress), 0, nullptr};
// Newer than Limine 8.x: answered by ours and by Limine 9+ (§8); optional.
REQUEST limine::ExecutableCmdlineRequest executable_cmdline = {ID(kExecutableCmdline), 0, nullptr};
REQUEST limine::BootloaderPerformanceRequest bootloader_performance = {ID(kBootloaderPerformance), 0, nullptr};
REQUEST limine::TscFrequencyRequest tsc_frequency = {ID(kTscFrequency), 0, nullptr};
REQUEST limine::EntropyRequest entropy = {ID(kEntropy), 0, nullptr, kEntropyWords};

#undef REQUEST
#undef ID

}  // namespace boot::requests

namespace boot {
namespace {

BootInfo g_info;

// Copies a NUL-terminated string of unknown length into a fixed buffer,
// always terminating it; a null source gives "".
void copy_string(char* out, size_t capacity, const char* source) {
    size_t i = 0;
    if (source)
        for (; i + 1 < capacity && source[i]; ++i) out[i] = source[i];
    out[i] = '\0';
}

MemoryType memory_type_from_limine(uint64_t type) {
    switch (type) {
    case limine::kMemmapUsable: return MemoryType::kUsable;
    case limine::kMemmapAcpiReclaimable: return MemoryType::kAcpiReclaimable;
    case limine::kMemmapAcpiNvs: return MemoryType::kAcpiNvs;
    case limine::kMemmapBadMemory: return MemoryType::kBadMemory;
    case limine::kMemmapBootloaderReclaimable: return MemoryType::kBootloaderReclaimable;
    case limine::kMemmapKernelAndModules: return MemoryType::kKernelAndModules;
    case limine::kMemmapFramebuffer: return MemoryType::kFramebuffer;
    // RESERVED_MAPPED (revision 4+) is reserved memory the HHDM maps: never
    // the kernel's to reuse.
    case limine::kMemmapReservedMapped: return MemoryType::kReserved;
    default: return MemoryType::kReserved;  // reserved and anything unknown
    }
}

// Reads a request's response pointer once (the loader wrote it; the request
// objects are volatile so the compiler cannot assume they stay null).
template <typename T>
T* response_of(T* volatile const& field) {
    return field;
}

void copy_memory_map() {
    auto* response = response_of(requests::memmap.response);
    g_info.memory_count = 0;
    g_info.usable_bytes = 0;
    if (!response) return;
    for (uint64_t i = 0; i < response->entry_count && g_info.memory_count < kMaxMemoryRegions; ++i) {
        const limine::MemmapEntry* entry = response->entries[i];
        if (!entry) continue;
        MemoryRegion& region = g_info.memory[g_info.memory_count++];
        region.base = entry->base;
        region.length = entry->length;
        region.type = memory_type_from_limine(entry->type);
        if (region.type == MemoryType::kUsable) g_info.usable_bytes += entry->length;
    }
    if (response->entry_count > kMaxMemoryRegions)
        klog::warn("boot: memory map has {} entries; only the first {} are used", response->entry_count,
                   kMaxMemoryRegions);
}

void copy_framebuffer() {
    auto* response = response_of(requests::framebuffer.response);
    g_info.has_framebuffer = false;
    if (!response || response->framebuffer_count == 0 || !response->framebuffers) return;
    const limine::Framebuffer* fb = response->framebuffers[0];
    if (!fb || !fb->address) return;
    Framebuffer& out = g_info.framebuffer;
    out.address = static_cast<uint8_t*>(fb->address);
    out.physical = reinterpret_cast<uint64_t>(fb->address) - g_info.hhdm_offset;
    out.width = uint32_t(fb->width);
    out.height = uint32_t(fb->height);
    out.pitch = uint32_t(fb->pitch);
    out.bpp = fb->bpp;
    out.red_size = fb->red_mask_size;
    out.red_shift = fb->red_mask_shift;
    out.green_size = fb->green_mask_size;
    out.green_shift = fb->green_mask_shift;
    out.blue_size = fb->blue_mask_size;
    out.blue_shift = fb->blue_mask_shift;
    g_info.has_framebuffer = fb->memory_model == limine::kMemoryModelRgb && fb->width && fb->height;
}

void copy_files() {
    if (auto* response = response_of(requests::kernel_file.response); response && response->kernel_file) {
        const limine::File* file = response->kernel_file;
        g_info.kernel_file = static_cast<const uint8_t*>(file->address);
        g_info.kernel_file_size = file->size;
        copy_string(g_info.cmdline, sizeof g_info.cmdline, file->cmdline);
    }
    g_info.module_count = 0;
    if (auto* response = response_of(requests::module.response); response && response->modules) {
        for (uint64_t i = 0; i < response->module_count && g_info.module_count < kMaxModules; ++i) {
            const limine::File* file = response->modules[i];
            if (!file) continue;
            Module& module = g_info.modules[g_info.module_count++];
            module.address = static_cast<const uint8_t*>(file->address);
            module.size = file->size;
            copy_string(module.path, sizeof module.path, file->path);
            copy_string(module.cmdline, sizeof module.cmdline, file->cmdline);
        }
    }
}

void copy_cpus() {
    g_info.cpu_count = 0;
    auto* response = response_of(requests::smp.response);
    if (!response || !response->cpus) {
        // No SMP response: the kernel runs on the BSP alone, with the
        // initial xAPIC ID CPUID gives (lib/x86_64/cpuid.hpp).
        uint32_t apic_id = x86_64::initial_xapic_id();
        g_info.cpus[0] = Cpu{0, apic_id, true};
        g_info.cpu_count = 1;
        g_info.bsp_lapic_id = apic_id;
        return;
    }
    g_info.bsp_lapic_id = response->bsp_lapic_id;
    g_info.x2apic = (response->flags & limine::kSmpResponseX2apic) != 0;
    for (uint64_t i = 0; i < response->cpu_count && g_info.cpu_count < kMaxCpus; ++i) {
        const limine::SmpInfo* cpu = response->cpus[i];
        if (!cpu) continue;
        g_info.cpus[g_info.cpu_count++] = Cpu{cpu->processor_id, cpu->lapic_id, cpu->lapic_id == response->bsp_lapic_id};
    }
}

void copy_everything_else() {
    if (auto* r = response_of(requests::bootloader_info.response)) {
        copy_string(g_info.loader_name, sizeof g_info.loader_name, r->name);
        copy_string(g_info.loader_version, sizeof g_info.loader_version, r->version);
    } else {
        copy_string(g_info.loader_name, sizeof g_info.loader_name, "unknown");
        copy_string(g_info.loader_version, sizeof g_info.loader_version, "");
    }
    // §7: the RSDP is physical in revision 3 only, the SMBIOS entry points
    // and the EFI system table in revisions 3 and 4 only.
    uint64_t revision = g_info.base_revision;
    auto to_physical = [](const void* pointer, bool physical) -> uint64_t {
        if (!pointer) return 0;
        return physical ? reinterpret_cast<uint64_t>(pointer) : reinterpret_cast<uint64_t>(pointer) - g_info.hhdm_offset;
    };
    bool firmware_physical = revision == 3 || revision == 4;
    if (auto* r = response_of(requests::rsdp.response)) g_info.rsdp_physical = to_physical(r->address, revision == 3);
    if (auto* r = response_of(requests::smbios.response)) {
        g_info.smbios_entry32_physical = to_physical(r->entry_32, firmware_physical);
        g_info.smbios_entry64_physical = to_physical(r->entry_64, firmware_physical);
    }
    if (auto* r = response_of(requests::efi_system_table.response))
        g_info.efi_system_table_physical = to_physical(r->address, firmware_physical);
    if (auto* r = response_of(requests::tsc_frequency.response)) g_info.tsc_frequency = r->frequency;
    if (auto* r = response_of(requests::bootloader_performance.response)) {
        g_info.loader_init_usec = r->init_usec;
        g_info.loader_exec_usec = r->exec_usec;
    }
    if (auto* r = response_of(requests::entropy.response); r && r->values) {
        for (uint64_t i = 0; i < r->value_count && g_info.entropy_count < 4; ++i)
            g_info.entropy[g_info.entropy_count++] = r->values[i];
    }
    if (auto* r = response_of(requests::boot_time.response)) g_info.boot_time = r->boot_time;
    if (auto* r = response_of(requests::kernel_address.response)) {
        g_info.kernel_physical_base = r->physical_base;
        g_info.kernel_virtual_base = r->virtual_base;
    }
    if (auto* r = response_of(requests::paging_mode.response)) g_info.paging_5level = r->mode == limine::kPaging5Level;
}

// §7: a loader that supports the requested base revision sets the tag's
// third word to 0; from revision 3 on a loader also writes the revision it
// used into the second word, even when it did not support the one asked for.
// No report: a loader from before revision 3 (Limine 8.x), which applied
// at most revision 2 whether it confirmed the tag (then the tag asked for 2
// or less) or not.
void read_base_revision() {
    g_info.base_revision_confirmed = requests::base_revision[2] == 0;
    g_info.base_revision_reported = requests::base_revision[1] != limine::kBaseRevisionMagic1;
    g_info.base_revision =
        g_info.base_revision_reported ? requests::base_revision[1] : lib::min<uint64_t>(limine::kBaseRevision, 2);
}

[[noreturn]] void stop_boot(lib::StringView reason) {
    klog::error("boot: {}", reason);
    klog::error("boot: cannot continue; halting");
    arch::halt_forever();
}

}  // namespace

const BootInfo& info() { return g_info; }

const char* memory_type_name(MemoryType type) {
    switch (type) {
    case MemoryType::kUsable: return "usable";
    case MemoryType::kReserved: return "reserved";
    case MemoryType::kAcpiReclaimable: return "acpi-reclaimable";
    case MemoryType::kAcpiNvs: return "acpi-nvs";
    case MemoryType::kBadMemory: return "bad";
    case MemoryType::kBootloaderReclaimable: return "bootloader-reclaimable";
    case MemoryType::kKernelAndModules: return "kernel-and-modules";
    case MemoryType::kFramebuffer: return "framebuffer";
    }
    return "?";
}

const EntryState& entry_state() { return boot_entry_state; }

StackRange loader_stack() {
    uint64_t top = boot_entry_state.rsp + 8;
    return StackRange{top - kBootStackSize, top};
}

// Reads the loader's answers into g_info. Stops the boot with a clear
// message when the kernel cannot run at all (unsupported base revision, no
// HHDM, no memory map); every other protocol violation is reported by
// check_protocol() and left to the tests to fail on.
void init_from_loader() {
    read_base_revision();
    if (!g_info.base_revision_confirmed)
        klog::warn("boot: the boot loader did not confirm Limine base revision {}; following revision {}{}",
                   requests::base_revision[2], g_info.base_revision,
                   g_info.base_revision_reported ? " as it reports" : " (it predates the report)");
    auto* hhdm = response_of(requests::hhdm.response);
    if (!hhdm) stop_boot("the boot loader gave no HHDM response");
    g_info.hhdm_offset = hhdm->offset;
    if (!response_of(requests::memmap.response)) stop_boot("the boot loader gave no memory map");
    copy_memory_map();
    copy_framebuffer();
    copy_files();
    copy_cpus();
    copy_everything_else();
}

}  // namespace boot

// Called by entry.S on the loader's stack, with interrupts off. The order is
// deliberate: the stack canary before any protected function returns, the
// serial port before anything could fail, the boot data before anything
// uses it, global constructors before C++ objects are used.
extern "C" [[noreturn]] __attribute__((no_stack_protector)) void boot_from_limine() {
    // Per-CPU data first: locks and the log read this CPU's hot block.
    arch::start_boot_cpu();
    rt::init_stack_protector();
    console::init_serial();
    boot::init_from_loader();
    rt::run_global_constructors();
    if (boot::info().has_framebuffer) {
        if (auto drawn = console::init_framebuffer(boot::info().framebuffer); !drawn)
            klog::warn("console: no framebuffer console: {}", drawn.error().message);
    }
    kernel_main();
}

// Recorded by entry.S (see entry_state.hpp).
boot::EntryState boot_entry_state;
