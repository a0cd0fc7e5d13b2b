#include "loader/limine_boot.hpp"

#include "lib/format.hpp"
#include "lib/memory.hpp"
#include "lib/utility.hpp"
#include "loader/boot_time.hpp"
#include "loader/console.hpp"
#include "loader/core/elf.hpp"
#include "loader/core/memmap.hpp"
#include "loader/core/requests.hpp"
#include "loader/cpu.hpp"
#include "loader/files.hpp"
#include "loader/framebuffer.hpp"
#include "loader/handoff.hpp"
#include "loader/kernel_tables.hpp"
#include "loader/paging.hpp"
#include "loader/smp/smp.hpp"
#include "loader/uefi.hpp"
#include "protocol/limine.hpp"

namespace loader {
namespace {

using console::fatal;
using lib::StringView;

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kDefaultStackSize = 64 * 1024;  // facts sheet §3
constexpr uint64_t kSupportedBaseRevision = 2;

uint64_t g_hhdm_offset = paging::kHhdmOffset4Level;

template <typename T>
T* to_hhdm(T* pointer) {
    return pointer ? reinterpret_cast<T*>(reinterpret_cast<uint64_t>(pointer) + g_hhdm_offset) : nullptr;
}
uint64_t to_hhdm(uint64_t physical) { return physical + g_hhdm_offset; }

uint64_t pages_for(uint64_t bytes) { return lib::align_up(bytes, kPageSize) / kPageSize; }

// An allocation that must succeed: the error line names what it was for.
template <typename T>
T must(lib::Expected<T> result, StringView where) {
    if (!result) fatal(result.error().message, where);
    return result.release_value();
}

// ---------------------------------------------------------------------------
// Files: the kernel, modules, and their Limine `file` descriptions
// ---------------------------------------------------------------------------

struct FileLocation {
    char path[256];  // on the boot partition, leading slash
};

// A config path "boot():/boot/kernel" -> "/boot/kernel". Only boot() exists.
FileLocation resolve_config_path(StringView text, StringView what) {
    auto resource = parse_resource_path(text);
    if (!resource) {
        char message[160];
        lib::format(message, sizeof message, "{}: {}", what, resource.error().message);
        fatal(message, text);
    }
    FileLocation location{};
    if (resource->path.size() >= sizeof location.path) fatal("path too long", text);
    lib::copy_bytes(location.path, resource->path.data(), resource->path.size());
    return location;
}

// Internal modules (Module request rev 1): paths relative to the kernel's
// directory; a path with a resource ("boot():/x") or a leading slash is taken
// as it is, on the boot partition.
FileLocation resolve_internal_path(StringView kernel_path, StringView text) {
    if (text.find(':') != StringView::npos) return resolve_config_path(text, "internal module path");
    FileLocation location{};
    StringView directory;
    if (!text.starts_with("/")) {
        size_t slash = 0;
        for (size_t i = 0; i < kernel_path.size(); ++i)
            if (kernel_path[i] == '/') slash = i;
        directory = kernel_path.substr(0, slash);
    }
    if (directory.size() + 1 + text.size() >= sizeof location.path) fatal("internal module path too long", text);
    lib::format(location.path, sizeof location.path, "{}{}{}", directory, text.starts_with("/") ? "" : "/", text);
    return location;
}

limine::File* describe_file(const files::LoadedFile& loaded, StringView path, StringView cmdline) {
    // Function-local statics with dynamic initialisers would need the MSVC
    // thread-safe-static runtime; a plain global does not.
    static bool partition_known = false;
    static files::PartitionFacts partition;
    if (!partition_known) {
        partition = files::boot_partition_facts();
        partition_known = true;
    }
    auto* file = must(uefi::allocate_object<limine::File>("no memory for a file response"), path);
    file->revision = 0;
    file->address = reinterpret_cast<void*>(to_hhdm(loaded.address));
    file->size = loaded.size;
    file->path = to_hhdm(must(uefi::copy_string(path, "no memory for a path string"), path));
    file->cmdline = to_hhdm(must(uefi::copy_string(cmdline, "no memory for a command line"), path));
    file->media_type = limine::kMediaGeneric;
    file->partition_index = partition.partition_index;
    file->mbr_disk_id = partition.mbr_disk_id;
    if (partition.gpt) lib::copy_bytes(&file->gpt_part_uuid, partition.gpt_partition_guid, 16);
    return file;
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

struct KernelImage {
    lib::Bytes file;          // the ELF file as read
    uint64_t file_address;    // physical
    LoadPlan plan;
    uint64_t physical_base;   // the loaded image, one contiguous block
    uint8_t* image;

    // A pointer into the loaded image for a kernel virtual address range, or
    // null if [virtual_address, +size) is not wholly inside it.
    void* at(uint64_t virtual_address, uint64_t size) const {
        if (virtual_address < plan.virtual_base) return nullptr;
        uint64_t offset = virtual_address - plan.virtual_base;
        if (offset > plan.image_size || size > plan.image_size - offset) return nullptr;
        return image + offset;
    }
    // A NUL-terminated string inside the image, or empty if it runs out.
    StringView string_at(uint64_t virtual_address) const {
        const char* start = static_cast<const char*>(at(virtual_address, 1));
        if (!start) return {};
        uint64_t limit = plan.image_size - (virtual_address - plan.virtual_base);
        for (uint64_t i = 0; i < limit; ++i)
            if (start[i] == 0) return StringView(start, i);
        return {};
    }
};

struct Requests {
    limine::RequestHeader* bootloader_info = nullptr;
    limine::RequestHeader* firmware_type = nullptr;
    limine::StackSizeRequest* stack_size = nullptr;
    limine::RequestHeader* hhdm = nullptr;
    limine::RequestHeader* framebuffer = nullptr;
    limine::PagingModeRequest* paging_mode = nullptr;
    limine::SmpRequest* smp = nullptr;
    limine::RequestHeader* memmap = nullptr;
    limine::EntryPointRequest* entry_point = nullptr;
    limine::RequestHeader* kernel_file = nullptr;
    limine::ModuleRequest* module = nullptr;
    limine::RequestHeader* rsdp = nullptr;
    limine::RequestHeader* smbios = nullptr;
    limine::RequestHeader* efi_system_table = nullptr;
    limine::RequestHeader* efi_memmap = nullptr;
    limine::RequestHeader* boot_time = nullptr;
    limine::RequestHeader* kernel_address = nullptr;
};

bool is(const FoundRequest& found, const limine::RequestId& id) {
    return found.id2 == id.words[2] && found.id3 == id.words[3];
}

Requests find_requests(const KernelImage& kernel, StringView kernel_path) {
    FoundRequest duplicate{};
    auto scanned = scan_requests(lib::Bytes(kernel.image, kernel.plan.image_size), &duplicate);
    if (!scanned) {
        if (scanned.error().code == lib::ErrorCode::kDuplicate) {
            const char* name = request_name(duplicate.id2, duplicate.id3);
            char where[96];
            lib::format(where, sizeof where, "{} request, {}", name ? name : "unknown", kernel_path);
            fatal("the kernel has two requests with the same id", where);
        }
        fatal(scanned.error().message, kernel_path);
    }
    const RequestScan& scan = *scanned;

    // Facts sheet §1: a loader that supports the requested base revision sets
    // the tag's third word to 0; a newer one stays as it is and we boot anyway
    // (the kernel then fails cleanly). No tag means revision 0.
    if (scan.has_base_revision && scan.requested_revision <= kSupportedBaseRevision) {
        auto* tag = static_cast<uint64_t*>(static_cast<void*>(kernel.image + scan.base_revision_offset));
        tag[2] = 0;
    }

    Requests requests;
    for (size_t i = 0; i < scan.request_count; ++i) {
        const FoundRequest& found = scan.requests[i];
        // Every request is at least a header long; one cut off by the image's
        // end is ignored rather than read past it.
        if (found.offset + sizeof(limine::PagingModeRequest) > kernel.plan.image_size &&
            found.offset + sizeof(limine::RequestHeader) > kernel.plan.image_size)
            continue;
        void* at = kernel.image + found.offset;
        auto* header = static_cast<limine::RequestHeader*>(at);
        namespace id = limine::id;
        if (is(found, id::kBootloaderInfo)) requests.bootloader_info = header;
        else if (is(found, id::kFirmwareType)) requests.firmware_type = header;
        else if (is(found, id::kStackSize)) requests.stack_size = static_cast<limine::StackSizeRequest*>(at);
        else if (is(found, id::kHhdm)) requests.hhdm = header;
        else if (is(found, id::kFramebuffer)) requests.framebuffer = header;
        else if (is(found, id::kPagingMode)) requests.paging_mode = static_cast<limine::PagingModeRequest*>(at);
        else if (is(found, id::kSmp)) requests.smp = static_cast<limine::SmpRequest*>(at);
        else if (is(found, id::kMemmap)) requests.memmap = header;
        else if (is(found, id::kEntryPoint)) requests.entry_point = static_cast<limine::EntryPointRequest*>(at);
        else if (is(found, id::kKernelFile)) requests.kernel_file = header;
        else if (is(found, id::kModule)) requests.module = static_cast<limine::ModuleRequest*>(at);
        else if (is(found, id::kRsdp)) requests.rsdp = header;
        else if (is(found, id::kSmbios)) requests.smbios = header;
        else if (is(found, id::kEfiSystemTable)) requests.efi_system_table = header;
        else if (is(found, id::kEfiMemmap)) requests.efi_memmap = header;
        else if (is(found, id::kBootTime)) requests.boot_time = header;
        else if (is(found, id::kKernelAddress)) requests.kernel_address = header;
    }
    return requests;
}

// Writes the response's HHDM address into the request (facts sheet §1).
template <typename Request, typename Response>
void answer(Request* request, Response* response) {
    if (request) reinterpret_cast<limine::RequestHeader*>(request)->response = to_hhdm(reinterpret_cast<uint64_t>(response));
}

template <typename Response>
Response* new_response(uint64_t revision, StringView request_name) {
    auto* response = must(uefi::allocate_object<Response>("no memory for a response"), request_name);
    response->revision = revision;
    return response;
}

void* find_configuration_table(const efi::Guid& guid) {
    efi::SystemTable* st = uefi::system_table();
    for (uint64_t i = 0; i < st->number_of_table_entries; ++i)
        if (st->configuration_table[i].vendor_guid == guid) return st->configuration_table[i].vendor_table;
    return nullptr;
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

KernelImage load_kernel(StringView path) {
    KernelImage kernel{};
    auto file = files::read_file(path, kEfiLoaderKernelAndModules);
    if (!file) {
        if (file.error().code == lib::ErrorCode::kNotFound) fatal("kernel file missing", path);
        fatal(file.error().message, path);
    }
    kernel.file_address = file->address;
    kernel.file = lib::Bytes(reinterpret_cast<const uint8_t*>(file->address), file->size);
    auto plan = plan_kernel_load(kernel.file);
    if (!plan) fatal(plan.error().message, path);
    kernel.plan = *plan;
    if (kernel.plan.segment_count == 0 || kernel.plan.image_size == 0) fatal("kernel has no loadable segment", path);
    kernel.physical_base = must(uefi::allocate_aligned(pages_for(kernel.plan.image_size), kernel.plan.alignment,
                                                      kEfiLoaderKernelAndModules, "out of memory for the kernel image"),
                                path);
    kernel.image = reinterpret_cast<uint8_t*>(kernel.physical_base);
    copy_segments(kernel.file, kernel.plan, kernel.image);
    if (auto relocated = apply_relocations(kernel.file, kernel.plan, kernel.image, kernel.plan.slide); !relocated)
        fatal(relocated.error().message, path);
    return kernel;
}

files::LoadedFile load_module(StringView path) {
    auto file = files::read_file(path, kEfiLoaderKernelAndModules);
    if (!file) {
        if (file.error().code == lib::ErrorCode::kNotFound) fatal("module missing", path);
        fatal(file.error().message, path);
    }
    return *file;
}

// Module request: internal modules (request rev 1) first, then the entry's
// module_path lines, in order (as Limine 8.x does).
void answer_modules(const Requests& requests, const KernelImage& kernel, const ConfigEntry& entry,
                    StringView kernel_path) {
    limine::ModuleRequest* request = requests.module;
    constexpr uint64_t kMaxModules = 64;
    limine::File* list[kMaxModules];
    uint64_t count = 0;

    if (request->revision >= 1 && request->internal_module_count > 0) {
        uint64_t internal_count = request->internal_module_count;
        auto* internal = static_cast<uint64_t*>(
            kernel.at(reinterpret_cast<uint64_t>(request->internal_modules), internal_count * sizeof(uint64_t)));
        if (!internal || internal_count > kMaxModules) fatal("internal module list outside the kernel image", "module request");
        for (uint64_t i = 0; i < internal_count; ++i) {
            auto* module = static_cast<limine::InternalModule*>(kernel.at(internal[i], sizeof(limine::InternalModule)));
            if (!module) fatal("internal module outside the kernel image", "module request");
            StringView path = kernel.string_at(reinterpret_cast<uint64_t>(module->path));
            StringView cmdline = kernel.string_at(reinterpret_cast<uint64_t>(module->cmdline));
            if (path.empty()) fatal("internal module without a path", "module request");
            FileLocation location = resolve_internal_path(kernel_path, path);
            auto file = files::read_file(location.path, kEfiLoaderKernelAndModules);
            if (!file) {
                if (file.error().code == lib::ErrorCode::kNotFound && !(module->flags & limine::kInternalModuleRequired))
                    continue;  // optional and absent: skipped, as Limine does
                fatal(file.error().code == lib::ErrorCode::kNotFound ? "module missing" : file.error().message,
                      location.path);
            }
            if (count == kMaxModules) fatal("more than 64 modules", "module request");
            list[count++] = describe_file(*file, location.path, cmdline);
        }
    }
    for (size_t i = 0; i < entry.module_count; ++i) {
        FileLocation location = resolve_config_path(entry.modules[i].path, "module_path");
        files::LoadedFile file = load_module(location.path);
        if (count == kMaxModules) fatal("more than 64 modules", "module_path");
        list[count++] = describe_file(file, location.path, entry.modules[i].cmdline);
    }

    auto* response = new_response<limine::ModuleResponse>(1, "module request");
    auto** files = must(uefi::allocate_object<limine::File*>("no memory for the module list", count), "module request");
    for (uint64_t i = 0; i < count; ++i) files[i] = to_hhdm(list[i]);
    response->module_count = count;
    response->modules = to_hhdm(files);
    answer(request, response);
}

int64_t read_boot_time() {
    efi::Time time{};
    if (efi::is_error(uefi::system_table()->runtime_services->get_time(&time, nullptr))) return 0;
    return unix_seconds(CalendarTime{time.year, time.month, time.day, time.hour, time.minute, time.second});
}

// ---------------------------------------------------------------------------
// Exiting boot services with the final memory map
// ---------------------------------------------------------------------------

struct FinalMap {
    uint8_t* buffer;     // the UEFI map, in reclaimable memory (EFI memmap response)
    uint64_t capacity;   // bytes
    uint64_t size;       // bytes used
    uint64_t descriptor_size;
    uint32_t descriptor_version;
};

// Sizes a buffer for the map with room for the descriptors later
// allocations add (each may split one region in three).
FinalMap allocate_final_map_buffer() {
    FinalMap map{};
    uint64_t size = 0, key = 0;
    uefi::boot_services()->get_memory_map(&size, nullptr, &key, &map.descriptor_size, &map.descriptor_version);
    if (map.descriptor_size < sizeof(EfiMemoryDescriptor)) fatal("firmware memory map has a bad descriptor size", "GetMemoryMap");
    map.capacity = size + 64 * map.descriptor_size;
    map.buffer = reinterpret_cast<uint8_t*>(
        must(uefi::allocate_pages(pages_for(map.capacity), kEfiLoaderReclaimable, "out of memory for the memory map"),
             "EFI memory map"));
    return map;
}

// GetMemoryMap then ExitBootServices; a changed map key (EFI_INVALID_PARAMETER,
// UEFI 2.10 §7.4.6) means the map moved under us: fetch it again and retry.
void exit_boot_services(FinalMap& map) {
    console::flush();
    for (int attempt = 0; attempt < 8; ++attempt) {
        uint64_t size = map.capacity, key = 0;
        efi::Status status = uefi::boot_services()->get_memory_map(&size, map.buffer, &key, &map.descriptor_size,
                                                                   &map.descriptor_version);
        if (efi::is_error(status)) fatal("could not read the final memory map", "GetMemoryMap");
        map.size = size;
        status = uefi::boot_services()->exit_boot_services(uefi::image_handle(), key);
        if (!efi::is_error(status)) {
            console::switch_to_serial();
            return;
        }
        if (status != efi::kInvalidParameter) fatal("the firmware refused ExitBootServices", "ExitBootServices");
    }
    fatal("the memory map kept changing", "ExitBootServices");
}

}  // namespace

// ---------------------------------------------------------------------------

void boot_limine_entry(const ConfigEntry& entry, const char* config_path) {
    char entry_where[96];
    lib::format(entry_where, sizeof entry_where, "entry '{}' in {}", entry.title, config_path);
    if (!entry.protocol.equals_ignoring_case("limine")) {
        char message[96];
        lib::format(message, sizeof message, "unknown protocol '{}'", entry.protocol);
        fatal(message, entry_where);
    }
    if (entry.kernel_path.empty()) fatal("no kernel_path", entry_where);

    FileLocation kernel_location = resolve_config_path(entry.kernel_path, "kernel_path");
    StringView kernel_path = kernel_location.path;
    console::print("loader: booting '{}': {}\n", entry.title, kernel_path);
    KernelImage kernel = load_kernel(kernel_path);
    Requests requests = find_requests(kernel, kernel_path);

    // Paging mode first: it decides the HHDM offset. 5-level paging is not
    // implemented; a kernel that cannot live without it is refused.
    PagingChoice paging_choice{4, paging::kHhdmOffset4Level};
    if (requests.paging_mode) {
        uint64_t min_mode = requests.paging_mode->revision >= 1 ? requests.paging_mode->min_mode : 0;
        if (min_mode > limine::kPaging4Level)
            fatal(cpu::has_la57() ? "5-level paging required, but this loader supports only 4-level"
                                  : "5-level paging required, but the CPU has no LA57",
                  "paging mode request");
        auto* response = new_response<limine::PagingModeResponse>(0, "paging mode request");
        response->mode = limine::kPaging4Level;
        answer(requests.paging_mode, response);
    }
    g_hhdm_offset = paging_choice.hhdm_offset;

    if (requests.bootloader_info) {
        auto* response = new_response<limine::BootloaderInfoResponse>(0, "bootloader info request");
        response->name = to_hhdm(must(uefi::copy_string("cxxkernel-loader", "no memory for a string"), "bootloader info"));
        response->version = to_hhdm(must(uefi::copy_string("0.1.0", "no memory for a string"), "bootloader info"));
        answer(requests.bootloader_info, response);
    }
    if (requests.firmware_type) {
        auto* response = new_response<limine::FirmwareTypeResponse>(0, "firmware type request");
        response->firmware_type = limine::kFirmwareUefi64;
        answer(requests.firmware_type, response);
    }
    uint64_t stack_size = kDefaultStackSize;
    if (requests.stack_size) {
        stack_size = lib::max(kDefaultStackSize, lib::align_up(requests.stack_size->stack_size, kPageSize));
        answer(requests.stack_size, new_response<limine::StackSizeResponse>(0, "stack size request"));
    }
    if (requests.hhdm) {
        auto* response = new_response<limine::HhdmResponse>(0, "hhdm request");
        response->offset = g_hhdm_offset;
        answer(requests.hhdm, response);
    }
    uint64_t entry_point = kernel.plan.entry;
    if (requests.entry_point) {
        entry_point = reinterpret_cast<uint64_t>(requests.entry_point->entry);
        if (!kernel.at(entry_point, 1)) fatal("entry point outside the kernel image", "entry point request");
        answer(requests.entry_point, new_response<limine::EntryPointResponse>(0, "entry point request"));
    }
    if (!kernel.at(entry_point, 1)) fatal("ELF entry point outside the kernel image", kernel_path);
    if (requests.kernel_file) {
        auto* response = new_response<limine::KernelFileResponse>(0, "kernel file request");
        response->kernel_file = to_hhdm(
            describe_file(files::LoadedFile{kernel.file_address, kernel.file.size()}, kernel_path, entry.cmdline));
        answer(requests.kernel_file, response);
    }
    if (requests.module) answer_modules(requests, kernel, entry, kernel_path);

    void* acpi20 = find_configuration_table(efi::kAcpi20TableGuid);
    void* rsdp = acpi20 ? acpi20 : find_configuration_table(efi::kAcpi10TableGuid);
    if (requests.rsdp && rsdp) {
        auto* response = new_response<limine::RsdpResponse>(0, "rsdp request");
        response->address = to_hhdm(rsdp);
        answer(requests.rsdp, response);
    }
    if (requests.smbios) {
        void* entry32 = find_configuration_table(efi::kSmbiosTableGuid);
        void* entry64 = find_configuration_table(efi::kSmbios3TableGuid);
        if (entry32 || entry64) {
            auto* response = new_response<limine::SmbiosResponse>(0, "smbios request");
            response->entry_32 = to_hhdm(entry32);
            response->entry_64 = to_hhdm(entry64);
            answer(requests.smbios, response);
        }
    }
    if (requests.efi_system_table) {
        auto* response = new_response<limine::EfiSystemTableResponse>(0, "efi system table request");
        response->address = to_hhdm(static_cast<void*>(uefi::system_table()));
        answer(requests.efi_system_table, response);
    }
    if (requests.boot_time) {
        auto* response = new_response<limine::BootTimeResponse>(0, "boot time request");
        response->boot_time = read_boot_time();
        answer(requests.boot_time, response);
    }
    if (requests.kernel_address) {
        auto* response = new_response<limine::KernelAddressResponse>(0, "kernel address request");
        response->physical_base = kernel.physical_base;
        response->virtual_base = kernel.plan.virtual_base;
        answer(requests.kernel_address, response);
    }

    FramebufferSetup framebuffer;
    if (requests.framebuffer) {
        framebuffer = must(setup_framebuffer(entry.resolution, g_hhdm_offset), "framebuffer request");
        if (framebuffer.response) answer(requests.framebuffer, framebuffer.response);
    }

    // SMP step 1 (loader/smp/smp.hpp): before ExitBootServices.
    bool nx = cpu::has_nx();
    if (requests.smp) {
        smp::PrepareInfo info{};
        info.rsdp = static_cast<const uint8_t*>(rsdp);
        info.stack_size = stack_size;
        info.want_x2apic = (requests.smp->flags & limine::kSmpRequestX2apic) != 0;
        info.hhdm_offset = g_hhdm_offset;
        info.allocator.allocate = [](void*, uint64_t pages, uint64_t max_address) -> uint64_t {
            auto block = uefi::allocate_pages(pages, kEfiLoaderReclaimable, "smp", max_address);
            return block ? *block : 0;
        };
        info.allocator.context = nullptr;
        info.stall_microseconds = &uefi::stall_microseconds;
        if (auto prepared = smp::prepare(info); !prepared) fatal(prepared.error().message, "smp request");
    }

    // The BSP's stack, the GDT and the hand-off block: reclaimable memory.
    uint64_t stack = must(uefi::allocate_pages(pages_for(stack_size), kEfiLoaderReclaimable, "out of memory for the stack"),
                          "kernel stack");
    auto* gdt = must(uefi::allocate_object<uint64_t>("no memory for the GDT", kGdtEntries), "GDT");
    fill_limine_gdt(gdt);
    auto* gdtr = must(uefi::allocate_object<Gdtr>("no memory for the GDT"), "GDT");
    gdtr->limit = static_cast<uint16_t>(kGdtEntries * 8 - 1);
    gdtr->base = to_hhdm(reinterpret_cast<uint64_t>(gdt));
    auto* handoff = must(uefi::allocate_object<HandoffState>("no memory for the hand-off"), "hand-off");

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
        memmap_pointers = must(uefi::allocate_object<limine::MemmapEntry*>("no memory for the memory map", entry_capacity),
                               "memmap request");
    }
    limine::EfiMemmapResponse* efi_memmap_response = nullptr;
    if (requests.efi_memmap) efi_memmap_response = new_response<limine::EfiMemmapResponse>(0, "efi memmap request");

    MemoryRange overrides[1];
    size_t override_count = 0;
    if (framebuffer.response && framebuffer.size != 0)
        overrides[override_count++] = MemoryRange{framebuffer.physical_base, framebuffer.size, limine::kMemmapFramebuffer};

    // The page tables, last of all allocations (see kernel_tables.hpp for why
    // the map they are built from is good enough).
    KernelTablesInput tables_input{};
    tables_input.kernel_physical = kernel.physical_base;
    tables_input.plan = &kernel.plan;
    tables_input.hhdm_offset = g_hhdm_offset;
    tables_input.framebuffer_base = framebuffer.physical_base;
    tables_input.framebuffer_size = framebuffer.size;
    tables_input.nx = nx;
    tables_input.identity_start = handoff_code_start();
    tables_input.identity_end = handoff_code_end();
    tables_input.trampoline = requests.smp ? smp::trampoline_physical() : 0;
    uint64_t pml4 = must(build_kernel_tables(tables_input), "page tables");

    handoff->cr3 = pml4;
    handoff->gdtr = reinterpret_cast<uint64_t>(gdtr);
    handoff->stack_top = to_hhdm(stack + pages_for(stack_size) * kPageSize);
    handoff->entry = entry_point;

    console::print("loader: exiting boot services (tsc={})\n", cpu::rdtsc());
    exit_boot_services(final_map);
    // -------- No UEFI calls from here on. --------

    auto converted = convert_memory_map(lib::Bytes(final_map.buffer, final_map.size), final_map.descriptor_size,
                                        lib::Span<const MemoryRange>(overrides, override_count), ranges, entry_capacity);
    if (!converted) fatal(converted.error().message, "final memory map");
    if (memmap_response) {
        static_assert(sizeof(MemoryRange) == sizeof(limine::MemmapEntry));
        for (size_t i = 0; i < *converted; ++i)
            memmap_pointers[i] = to_hhdm(reinterpret_cast<limine::MemmapEntry*>(&ranges[i]));
        memmap_response->entry_count = *converted;
        memmap_response->entries = to_hhdm(memmap_pointers);
        answer(requests.memmap, memmap_response);
    }
    if (efi_memmap_response) {
        efi_memmap_response->memmap = to_hhdm(static_cast<void*>(final_map.buffer));
        efi_memmap_response->memmap_size = final_map.size;
        efi_memmap_response->desc_size = final_map.descriptor_size;
        efi_memmap_response->desc_version = final_map.descriptor_version;
        answer(requests.efi_memmap, efi_memmap_response);
    }

    prepare_cpu_state(nx, cpu::has_pat());

    if (requests.smp) {
        smp::StartInfo start{};
        start.pml4_physical = pml4;
        start.gdtr_base_virtual = gdtr->base;
        start.gdtr_limit = gdtr->limit;
        start.code_selector = kKernelCodeSelector;
        start.data_selector = kKernelDataSelector;
        start.five_level_paging = false;
        start.nx = nx;
        limine::SmpResponse* smp_response = smp::start_aps(start);
        if (smp_response) answer(requests.smp, smp_response);
    }

    console::print("loader: entering the kernel at {:#x} (tsc={})\n", entry_point, cpu::rdtsc());
    hand_off(*handoff);
}

}  // namespace loader
