// Booting one entry with the Limine protocol, in the order the protocol
// forces: the kernel and its requests first; then everything that needs boot
// services (files, GOP, SMP preparation, allocations, page tables); then
// ExitBootServices; then what needs the final memory map; then the jump.
#include "loader/limine_boot.hpp"

#include "lib/format.hpp"
#include "lib/memory.hpp"
#include "lib/utility.hpp"
#include "loader/boot_facts.hpp"
#include "loader/boot_time.hpp"
#include "loader/console.hpp"
#include "loader/core/memmap.hpp"
#include "loader/cpu.hpp"
#include "loader/exit_boot.hpp"
#include "loader/framebuffer.hpp"
#include "loader/handoff.hpp"
#include "loader/hhdm.hpp"
#include "loader/ioapic.hpp"
#include "loader/iommu.hpp"
#include "loader/kernel_files.hpp"
#include "loader/kernel_tables.hpp"
#include "loader/madt.hpp"
#include "loader/modules.hpp"
#include "loader/paging.hpp"
#include "loader/request_table.hpp"
#include "loader/smp/smp.hpp"
#include "loader/uefi.hpp"
#include "protocol/limine.hpp"

namespace loader {
namespace {

using console::fatal;
using console::must;
using hhdm::from_pointer;
using hhdm::random_hhdm_offset;
using lib::StringView;

constexpr uint64_t kPageSize = 4096;

uint64_t pages_for(uint64_t bytes) {
    return lib::align_up(bytes, kPageSize) / kPageSize;
}

void* find_configuration_table(const efi::Guid& guid) {
    efi::SystemTable* st = uefi::system_table();
    for (uint64_t i = 0; i < st->number_of_table_entries; ++i)
        if (st->configuration_table[i].vendor_guid == guid) return st->configuration_table[i].vendor_table;
    return nullptr;
}

// UEFI 2.10 §4.6: ACPI 2.0+ RSDP preferred, the 1.0 one otherwise.
void* find_rsdp() {
    void* acpi20 = find_configuration_table(efi::kAcpi20TableGuid);
    return acpi20 ? acpi20 : find_configuration_table(efi::kAcpi10TableGuid);
}

int64_t read_boot_time() {
    efi::Time time{};
    if (efi::is_error(uefi::system_table()->runtime_services->get_time(&time, nullptr))) return 0;
    return unix_seconds(CalendarTime{time.year, time.month, time.day, time.hour, time.minute, time.second});
}

// Paging mode (docs/limine-protocol.md §4): the kernel's preferred `mode`, clamped to
// [min_mode, max_mode] (request revision 1; revision 0: [4-level, mode]) and
// to the entry's paging_mode / min_paging_mode / max_paging_mode, as Limine
// lets the config override the kernel; 5-level only where the CPU has LA57.
// No mode left, or 5-level demanded on a CPU without it, is fatal.
// Sets the HHDM offset, which every later response depends on: Limine's fixed
// one, or a random 1 GiB-aligned one when the entry randomises it.
PagingChoice choose_paging(limine::PagingModeRequest* request, const ConfigEntry& entry, bool kaslr_applied) {
    int64_t wanted = limine::kPaging4Level, min_mode = limine::kPaging4Level, max_mode = limine::kPaging5Level;
    if (request) {
        wanted = int64_t(request->mode);
        max_mode = request->revision >= 1 ? int64_t(request->max_mode) : wanted;
        min_mode = request->revision >= 1 ? int64_t(request->min_mode) : limine::kPaging4Level;
        if (min_mode > limine::kPaging5Level) fatal("unknown minimum paging mode", "paging mode request");
    } else {
        max_mode = limine::kPaging4Level;
    }
    if (entry.min_paging_mode != kPagingModeUnset && entry.min_paging_mode > min_mode) min_mode = entry.min_paging_mode;
    if (entry.max_paging_mode != kPagingModeUnset && entry.max_paging_mode < max_mode) max_mode = entry.max_paging_mode;
    if (min_mode > max_mode)
        fatal("the entry's paging modes and the kernel's paging mode request have nothing in common", "paging mode");
    if (wanted > max_mode) wanted = max_mode;
    if (wanted < min_mode) wanted = min_mode;
    PagingChoice choice{4, paging::kHhdmOffset4Level};
    if (wanted >= limine::kPaging5Level && cpu::has_la57()) choice = PagingChoice{5, paging::kHhdmOffset5Level};
    if (min_mode >= limine::kPaging5Level && choice.levels != 5)
        fatal("5-level paging required, but the CPU has no LA57", "paging mode request");

    // randomise_hhdm_base: by default on exactly when KASLR moved the kernel.
    bool randomise = entry.randomise_hhdm_base == Setting::kYes ||
                     (entry.randomise_hhdm_base == Setting::kUnset && kaslr_applied);
    if (randomise) choice.hhdm_offset = random_hhdm_offset(choice.levels, cpu::random64());
    hhdm::set_offset(choice.hhdm_offset);
    if (request) {
        auto* response = new_response<limine::PagingModeResponse>(0, "paging mode request");
        response->mode = choice.levels == 5 ? limine::kPaging5Level : limine::kPaging4Level;
        answer(request, response);
    }
    return choice;
}

// The requests answered from facts known before the exit (docs/limine-protocol.md §4).
void answer_information_requests(const Requests& requests, const KernelImage& kernel, const ConfigEntry& entry,
                                 StringView kernel_path, void* rsdp) {
    if (requests.bootloader_info) {
        auto* response = new_response<limine::BootloaderInfoResponse>(0, "bootloader info request");
        response->name =
            from_pointer(must(uefi::copy_string("cxxkernel-loader", "no memory for a string"), "bootloader info"));
        response->version = from_pointer(must(uefi::copy_string("0.1.0", "no memory for a string"), "bootloader info"));
        answer(requests.bootloader_info, response);
    }
    if (requests.firmware_type) {
        auto* response = new_response<limine::FirmwareTypeResponse>(0, "firmware type request");
        response->firmware_type = limine::kFirmwareUefi64;
        answer(requests.firmware_type, response);
    }
    if (requests.stack_size)
        answer(requests.stack_size, new_response<limine::StackSizeResponse>(0, "stack size request"));
    if (requests.hhdm) {
        auto* response = new_response<limine::HhdmResponse>(0, "hhdm request");
        response->offset = hhdm::offset();
        answer(requests.hhdm, response);
    }
    if (requests.entry_point)
        answer(requests.entry_point, new_response<limine::EntryPointResponse>(0, "entry point request"));
    // The executable file and its command line: the cmdline response points
    // at the same string as the file's (as the protocol says).
    limine::File* executable_file =
        describe_file(files::LoadedFile{kernel.file_address, kernel.file.size()}, kernel_path, entry.cmdline);
    if (requests.kernel_file) {
        auto* response = new_response<limine::KernelFileResponse>(0, "executable file request");
        response->kernel_file = from_pointer(executable_file);
        answer(requests.kernel_file, response);
    }
    if (requests.executable_cmdline) {
        auto* response = new_response<limine::ExecutableCmdlineResponse>(0, "executable cmdline request");
        response->cmdline = executable_file->cmdline;
        answer(requests.executable_cmdline, response);
    }
    if (requests.dtb && !entry.dtb_path.empty()) {
        files::LoadedFile dtb = facts::load_device_tree(resolve_config_path(entry.dtb_path, "dtb_path"));
        auto* response = new_response<limine::DtbResponse>(0, "device tree blob request");
        response->dtb = reinterpret_cast<void*>(hhdm::from_physical(dtb.address));
        answer(requests.dtb, response);
    }
    if (requests.keep_iommu)
        answer(requests.keep_iommu, new_response<limine::KeepIommuResponse>(0, "keep iommu request"));
    if (requests.tsc_frequency && facts::tsc_frequency() != 0) {
        auto* response = new_response<limine::TscFrequencyResponse>(0, "tsc frequency request");
        response->frequency = facts::tsc_frequency();
        answer(requests.tsc_frequency, response);
    }
    if (requests.entropy) {
        // Bounded: a kernel asking for more gets this many (the protocol lets
        // the loader cap it).
        constexpr uint64_t kMaxEntropyValues = 512;
        uint64_t count = lib::min(requests.entropy->value_count, kMaxEntropyValues);
        auto* response = new_response<limine::EntropyResponse>(0, "entropy request");
        if (count != 0) {
            auto* values = must(uefi::allocate_object<uint64_t>("no memory for random values", count), "entropy");
            facts::fill_random(values, count);
            response->values = from_pointer(values);
        }
        response->value_count = count;
        answer(requests.entropy, response);
    }
    if (requests.module) answer_modules(requests.module, kernel, entry, kernel_path);
    // §7: the RSDP is a physical address in revision 3 only, the SMBIOS
    // entry points and the EFI system table in revisions 3 and 4 only; HHDM
    // addresses otherwise.
    uint64_t revision = requests.base_revision;
    auto firmware_pointer = [](void* pointer, bool physical) { return physical ? pointer : from_pointer(pointer); };
    if (requests.rsdp && rsdp) {
        auto* response = new_response<limine::RsdpResponse>(0, "rsdp request");
        response->address = firmware_pointer(rsdp, revision == 3);
        answer(requests.rsdp, response);
    }
    if (requests.smbios) {
        void* entry32 = find_configuration_table(efi::kSmbiosTableGuid);
        void* entry64 = find_configuration_table(efi::kSmbios3TableGuid);
        if (entry32 || entry64) {
            auto* response = new_response<limine::SmbiosResponse>(0, "smbios request");
            response->entry_32 = firmware_pointer(entry32, revision == 3 || revision == 4);
            response->entry_64 = firmware_pointer(entry64, revision == 3 || revision == 4);
            answer(requests.smbios, response);
        }
    }
    if (requests.efi_system_table) {
        auto* response = new_response<limine::EfiSystemTableResponse>(0, "efi system table request");
        response->address = firmware_pointer(static_cast<void*>(uefi::system_table()), revision == 3 || revision == 4);
        answer(requests.efi_system_table, response);
    }
    if (requests.boot_time) {
        auto* response = new_response<limine::BootTimeResponse>(0, "date at boot request");
        response->boot_time = read_boot_time();
        answer(requests.boot_time, response);
    }
    if (requests.kernel_address) {
        auto* response = new_response<limine::KernelAddressResponse>(0, "kernel address request");
        response->physical_base = kernel.physical_base;
        response->virtual_base = kernel.plan.virtual_base;
        answer(requests.kernel_address, response);
    }
}

// The IO-APICs to mask at hand-off (docs/limine-protocol.md §3), read while
// the ACPI tables are identity-mapped. No MADT: nothing to mask.
ioapic::IoApicList find_ioapics(void* rsdp) {
    const char* problem = nullptr;
    return ioapic::list_from_madt(read_madt(rsdp, &problem));
}

// SMP step 1 (loader/smp/smp.hpp), before ExitBootServices.
void prepare_smp(const limine::SmpRequest* request, void* rsdp, uint64_t stack_size) {
    smp::PrepareInfo info{};
    info.rsdp = static_cast<const uint8_t*>(rsdp);
    info.stack_size = stack_size;
    info.want_x2apic = (request->flags & limine::kSmpRequestX2apic) != 0;
    info.hhdm_offset = hhdm::offset();
    info.allocator.allocate = [](void*, uint64_t pages, uint64_t max_address) -> uint64_t {
        auto block = uefi::allocate_pages(pages, kEfiLoaderReclaimable, "smp", max_address);
        return block ? *block : 0;
    };
    info.allocator.context = nullptr;
    info.stall_microseconds = &uefi::stall_microseconds;
    if (auto prepared = smp::prepare(info); !prepared) fatal(prepared.error().message, "smp request");
}

}  // namespace

void boot_limine_entry(const ConfigEntry& entry, const Config& config, const char* config_path) {
    char entry_where[96];
    lib::format(entry_where, sizeof entry_where, "entry '{}' in {}", entry.title, config_path);
    if (!entry.protocol.equals_ignoring_case("limine")) {
        char message[96];
        lib::format(message, sizeof message, "unknown protocol '{}'", entry.protocol);
        fatal(message, entry_where);
    }
    if (entry.directory) fatal("a directory of sub-entries boots nothing", entry_where);
    if (entry.executable_path().empty()) fatal("no path (or kernel_path)", entry_where);
    set_hash_mismatch_panic(config.hash_mismatch_panic);

    FileLocation kernel_location = resolve_config_path(entry.executable_path(), "path");
    StringView kernel_path = kernel_location.path;
    console::print("loader: booting '{}': {}\n", entry.title, kernel_path);
    KernelImage kernel = load_kernel(kernel_location, entry.kaslr);
    Requests requests = find_requests(kernel, kernel_path);

    // Paging mode first: it decides the HHDM offset.
    PagingChoice paging_choice = choose_paging(requests.paging_mode, entry, entry.kaslr && kernel.plan.relocatable);

    uint64_t stack_size = limine::kDefaultStackSize;
    if (requests.stack_size) {
        stack_size = lib::max(limine::kDefaultStackSize, lib::align_up(requests.stack_size->stack_size, kPageSize));
    }
    uint64_t entry_point = kernel.plan.entry;
    if (requests.entry_point) {
        entry_point = reinterpret_cast<uint64_t>(requests.entry_point->entry);
        if (!kernel.at(entry_point, 1)) fatal("entry point outside the kernel image", "entry point request");
    }
    if (!kernel.at(entry_point, 1)) fatal("ELF entry point outside the kernel image", kernel_path);
    void* rsdp = find_rsdp();
    answer_information_requests(requests, kernel, entry, kernel_path, rsdp);

    FramebufferSetup framebuffer;
    if (requests.framebuffer) {
        framebuffer = must(setup_framebuffer(entry.resolution, hhdm::offset()), "framebuffer request");
        if (framebuffer.response) answer(requests.framebuffer, framebuffer.response);
    }

    ioapic::IoApicList ioapics = find_ioapics(rsdp);
    bool nx = cpu::has_nx();
    if (requests.smp) prepare_smp(requests.smp, rsdp, stack_size);

    // The BSP's stack, and one page below 4 GiB holding the hand-off state
    // and the GDT (handoff.hpp says why below 4 GiB): reclaimable memory.
    uint64_t stack =
        must(uefi::allocate_pages(pages_for(stack_size), kEfiLoaderReclaimable, "out of memory for the stack"),
             "kernel stack");
    uint64_t state_page =
        must(uefi::allocate_pages(1, kEfiLoaderReclaimable, "out of memory for the GDT", paging::k4GiB), "GDT");
    auto* handoff = reinterpret_cast<HandoffState*>(state_page);
    auto* gdt = reinterpret_cast<uint64_t*>(state_page + 256);
    fill_limine_gdt(gdt);
    handoff->gdtr_physical = Gdtr{static_cast<uint16_t>(kGdtEntries * 8 - 1), reinterpret_cast<uint64_t>(gdt)};
    handoff->gdtr_virtual =
        Gdtr{static_cast<uint16_t>(kGdtEntries * 8 - 1), hhdm::from_physical(reinterpret_cast<uint64_t>(gdt))};

    // Memory map response buffers, with slack for what the firmware adds
    // before the final map (each Limine entry at most one per UEFI
    // descriptor, plus the framebuffer splitting one).
    FinalMap final_map = allocate_final_map_buffer();
    uint64_t entry_capacity = final_map.capacity / final_map.descriptor_size + 8;
    auto* ranges = must(uefi::allocate_object<MemoryRange>("no memory for the memory map", entry_capacity), "memmap");
    limine::MemmapResponse* memmap_response = nullptr;
    limine::MemmapEntry** memmap_pointers = nullptr;
    if (requests.memmap) {
        memmap_response = new_response<limine::MemmapResponse>(0, "memmap request");
        memmap_pointers =
            must(uefi::allocate_object<limine::MemmapEntry*>("no memory for the memory map", entry_capacity),
                 "memmap request");
    }
    limine::BootloaderPerformanceResponse* performance = nullptr;
    if (requests.bootloader_performance && facts::tsc_frequency() != 0)
        performance = new_response<limine::BootloaderPerformanceResponse>(0, "bootloader performance request");
    limine::EfiMemmapResponse* efi_memmap_response = nullptr;
    if (requests.efi_memmap) efi_memmap_response = new_response<limine::EfiMemmapResponse>(0, "efi memmap request");

    MemoryRange overrides[1];
    size_t override_count = 0;
    if (framebuffer.response && framebuffer.size != 0)
        overrides[override_count++] =
            MemoryRange{framebuffer.physical_base, framebuffer.size, limine::kMemmapFramebuffer};

    // The page tables, last of all allocations (see kernel_tables.hpp for why
    // the map they are built from is good enough).
    KernelTablesInput tables_input{};
    tables_input.kernel_physical = kernel.physical_base;
    tables_input.plan = &kernel.plan;
    tables_input.hhdm_offset = hhdm::offset();
    tables_input.framebuffer_base = framebuffer.physical_base;
    tables_input.framebuffer_size = framebuffer.size;
    tables_input.nx = nx;
    uint64_t handoff_code = must(place_handoff_code(), "hand-off code");
    tables_input.handoff_code = handoff_code;
    tables_input.trampoline = requests.smp ? smp::trampoline_physical() : 0;
    tables_input.state_page = state_page;
    tables_input.levels = paging_choice.levels;
    tables_input.base_revision = requests.base_revision;
    uint64_t pml4 = must(build_kernel_tables(tables_input), "page tables");

    handoff->cr3 = pml4;
    handoff->stack_top = hhdm::from_physical(stack + pages_for(stack_size) * kPageSize);
    handoff->entry = entry_point;
    handoff->five_level = paging_choice.levels == 5;

    console::print("loader: exiting boot services (tsc={})\n", cpu::rdtsc());
    exit_boot_services(final_map);
    // -------- No UEFI calls from here on. --------

    auto converted =
        convert_memory_map(lib::Bytes(final_map.buffer, final_map.size), final_map.descriptor_size,
                           lib::Span<const MemoryRange>(overrides, override_count), ranges, entry_capacity,
                           MemmapRules{requests.base_revision});
    if (!converted) fatal(converted.error().message, "final memory map");
    if (memmap_response) {
        static_assert(sizeof(MemoryRange) == sizeof(limine::MemmapEntry));
        for (size_t i = 0; i < *converted; ++i)
            memmap_pointers[i] = hhdm::from_pointer(reinterpret_cast<limine::MemmapEntry*>(&ranges[i]));
        memmap_response->entry_count = *converted;
        memmap_response->entries = hhdm::from_pointer(memmap_pointers);
        answer(requests.memmap, memmap_response);
    }
    if (efi_memmap_response) {
        efi_memmap_response->memmap = hhdm::from_pointer(static_cast<void*>(final_map.buffer));
        efi_memmap_response->memmap_size = final_map.size;
        efi_memmap_response->desc_size = final_map.descriptor_size;
        efi_memmap_response->desc_version = final_map.descriptor_version;
        answer(requests.efi_memmap, efi_memmap_response);
    }

    prepare_cpu_state(nx, cpu::has_pat());
    ioapic::mask_all(ioapics, requests.base_revision);
    // IOMMUs off (base revision 5; for every revision, as Limine 11+ does),
    // unless the kernel asked to keep them.
    if (requests.keep_iommu)
        console::print("loader: IOMMU: left as the firmware set it (Keep IOMMU request)\n");
    else
        turn_off_iommus(rsdp);
    // The kernel gets a clean screen, as under Limine, not the loader's text
    // (nothing draws on it any more: the console went to serial at the exit).
    if (framebuffer.response && framebuffer.size != 0)
        lib::fill_bytes(reinterpret_cast<void*>(framebuffer.physical_base), 0, framebuffer.size);

    if (requests.smp) {
        smp::StartInfo start{};
        start.pml4_physical = pml4;
        start.gdtr_base_virtual = handoff->gdtr_virtual.base;
        start.gdtr_limit = handoff->gdtr_virtual.limit;
        start.code_selector = kKernelCodeSelector;
        start.data_selector = kKernelDataSelector;
        start.five_level_paging = paging_choice.levels == 5;
        start.nx = nx;
        limine::SmpResponse* smp_response = smp::start_aps(start);
        if (smp_response) answer(requests.smp, smp_response);
    }

    smp::set_bsp_entry_lapic_state(rsdp);

    console::print("loader: entering the kernel at {:#x} (tsc={})\n", entry_point, cpu::rdtsc());
    if (performance) {
        // The TSC counts from reset, so reset is time 0 on this clock.
        performance->reset_usec = 0;
        performance->init_usec = facts::microseconds_of(facts::loader_start_tsc());
        performance->exec_usec = facts::microseconds_of(cpu::rdtsc());
        answer(requests.bootloader_performance, performance);
    }
    hand_off(handoff_code, handoff);
}

}  // namespace loader
