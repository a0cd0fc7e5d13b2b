#include "loader/kernel_files.hpp"

#include "lib/compress/gzip.hpp"
#include "lib/format.hpp"
#include "lib/hash/blake2b.hpp"
#include "lib/hash/blake3.hpp"
#include "lib/memory.hpp"
#include "lib/utility.hpp"
#include "loader/console.hpp"
#include "loader/core/config.hpp"
#include "loader/core/memmap.hpp"
#include "loader/cpu.hpp"
#include "loader/hhdm.hpp"
#include "loader/kaslr.hpp"
#include "loader/paths.hpp"
#include "loader/uefi.hpp"

namespace loader {

using console::fatal;
using console::must;
using lib::StringView;

namespace {
constexpr uint64_t kPageSize = 4096;
uint64_t pages_for(uint64_t bytes) {
    return lib::align_up(bytes, kPageSize) / kPageSize;
}
}  // namespace

namespace {
bool g_hash_mismatch_panic = true;

// "BLAKE2b-512" etc., for messages.
const char* hash_name(HashKind kind) {
    switch (kind) {
    case HashKind::kBlake2b512: return "BLAKE2b-512";
    case HashKind::kBlake3_256: return "BLAKE3-256";
    case HashKind::kBlake3_1024: return "BLAKE3 extended output, 128 bytes";
    case HashKind::kNone: break;
    }
    return "no hash";
}

bool digest_matches(const FileLocation& location, lib::Bytes bytes) {
    uint8_t digest[128];
    switch (location.hash) {
    case HashKind::kNone: return true;
    case HashKind::kBlake2b512: {
        lib::Blake2b hasher;
        hasher.update(bytes);
        hasher.finish(digest);
        break;
    }
    case HashKind::kBlake3_256:
    case HashKind::kBlake3_1024: {
        lib::Blake3 hasher;
        hasher.update(bytes);
        hasher.finish(digest, location.digest_size);
        break;
    }
    }
    return lib::compare_bytes(digest, location.digest, location.digest_size) == 0;
}
// A gzip file (RFC 1952, lib/compress/gzip.hpp) read whole, replaced by
// its contents in fresh pages of the same type; bad data is the error line
// naming the file.
files::LoadedFile decompress(const files::LoadedFile& file, uint32_t memory_type, StringView path) {
    lib::Bytes compressed(reinterpret_cast<const uint8_t*>(file.address), file.size);
    auto size = lib::gunzip(compressed, nullptr, SIZE_MAX);
    if (!size) fatal(size.error().message, path);
    uint64_t pages = lib::align_up(lib::max<uint64_t>(*size, 1), uefi::kPageSize) / uefi::kPageSize;
    uint64_t address = must(uefi::allocate_pages(pages, memory_type, "no memory for a decompressed file"), path);
    auto written = lib::gunzip(compressed, reinterpret_cast<uint8_t*>(address), *size);
    if (!written) fatal(written.error().message, path);
    uefi::boot_services()->free_pages(file.address, lib::align_up(file.size, uefi::kPageSize) / uefi::kPageSize);
    return files::LoadedFile{address, *written};
}

}  // namespace

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
    normalise_path(location.path);
    location.compressed = resource->compressed;
    location.hash = resource->hash;
    location.digest_size = resource->digest_size;
    lib::copy_bytes(location.digest, resource->digest, sizeof location.digest);
    return location;
}

void set_hash_mismatch_panic(bool panic) {
    g_hash_mismatch_panic = panic;
}

files::LoadedFile read_config_file(const FileLocation& location, uint32_t memory_type, StringView missing_message,
                                   bool* missing) {
    auto file = files::read_file(location.path, memory_type);
    if (!file) {
        if (file.error().code == lib::ErrorCode::kENOENT && missing) {
            *missing = true;
            return {};
        }
        if (file.error().code == lib::ErrorCode::kENOENT) fatal(missing_message, location.path);
        fatal(file.error().message, location.path);
    }
    lib::Bytes bytes(reinterpret_cast<const uint8_t*>(file->address), file->size);
    if (!digest_matches(location, bytes)) {
        char message[96];
        lib::format(message, sizeof message, "hash mismatch ({})", hash_name(location.hash));
        if (g_hash_mismatch_panic) fatal(message, location.path);
        console::print("loader: warning: {} ({}); booting anyway (hash_mismatch_panic: no)\n", message,
                       location.path);
    }
    // '$': the hash covered the compressed bytes; the kernel gets the data.
    return location.compressed ? decompress(*file, memory_type, location.path) : *file;
}

FileLocation resolve_internal_path(StringView kernel_path, StringView text) {
    if (text.find(':') != StringView::npos) return resolve_config_path(text, "internal module path");
    FileLocation location{};
    // "name#<hash>": the hash is checked like a config path's.
    size_t hash_at = text.find('#');
    if (hash_at != StringView::npos) {
        ResourcePath hash;
        if (auto parsed = parse_path_hash(text.substr(hash_at + 1), hash); !parsed) fatal(parsed.error().message, text);
        location.hash = hash.hash;
        location.digest_size = hash.digest_size;
        lib::copy_bytes(location.digest, hash.digest, sizeof location.digest);
        text = text.substr(0, hash_at);
    }
    if (auto joined = kernel_relative_path(kernel_path, text, location.path, sizeof location.path); !joined)
        fatal(joined.error().message, text);
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
    file->address = reinterpret_cast<void*>(hhdm::from_physical(loaded.address));
    file->size = loaded.size;
    file->path = hhdm::from_pointer(must(uefi::copy_string(path, "no memory for a path string"), path));
    file->cmdline = hhdm::from_pointer(must(uefi::copy_string(cmdline, "no memory for a command line"), path));
    file->media_type = limine::kMediaGeneric;
    file->partition_index = partition.partition_index;
    file->mbr_disk_id = partition.mbr_disk_id;
    // GUIDs keep their UEFI byte layout, which is the uuid struct's (u32, u16,
    // u16, u8[8], little-endian).
    if (partition.gpt) lib::copy_bytes(&file->gpt_part_uuid, partition.gpt_partition_guid, 16);
    if (partition.gpt_disk_known) lib::copy_bytes(&file->gpt_disk_uuid, partition.gpt_disk_guid, 16);
    return file;
}

void* KernelImage::at(uint64_t virtual_address, uint64_t size) const {
    if (virtual_address < plan.virtual_base) return nullptr;
    uint64_t offset = virtual_address - plan.virtual_base;
    if (offset > plan.image_size || size > plan.image_size - offset) return nullptr;
    return image + offset;
}

StringView KernelImage::string_at(uint64_t virtual_address) const {
    const char* start = static_cast<const char*>(at(virtual_address, 1));
    if (!start) return {};
    uint64_t limit = plan.image_size - (virtual_address - plan.virtual_base);
    for (uint64_t i = 0; i < limit; ++i)
        if (start[i] == 0) return StringView(start, i);
    return {};
}

KernelImage load_kernel(const FileLocation& location, bool kaslr) {
    KernelImage kernel{};
    StringView path = location.path;
    // The file (not the loaded image) is BOOTLOADER_RECLAIMABLE, as Limine
    // keeps it: a kernel that wants it after reclaiming must copy it.
    auto file = read_config_file(location, kEfiLoaderReclaimable, "kernel file missing");
    kernel.file_address = file.address;
    kernel.file = lib::Bytes(reinterpret_cast<const uint8_t*>(file.address), file.size);
    auto plan = plan_kernel_load(kernel.file);
    if (!plan) fatal(plan.error().message, path);
    kernel.plan = *plan;
    if (kaslr && kernel.plan.relocatable) {
        uint64_t base = kaslr_base(kernel.plan.image_size, kernel.plan.alignment, cpu::random64());
        auto moved = plan_kernel_load(kernel.file, base);
        if (!moved) fatal(moved.error().message, path);
        kernel.plan = *moved;
    }
    if (kernel.plan.segment_count == 0 || kernel.plan.image_size == 0) fatal("kernel has no loadable segment", path);
    kernel.physical_base =
        must(uefi::allocate_aligned(pages_for(kernel.plan.image_size), kernel.plan.alignment,
                                    kEfiLoaderKernelAndModules, "out of memory for the kernel image"),
             path);
    kernel.image = reinterpret_cast<uint8_t*>(kernel.physical_base);
    copy_segments(kernel.file, kernel.plan, kernel.image);
    if (auto relocated = apply_relocations(kernel.file, kernel.plan, kernel.image, kernel.plan.slide); !relocated)
        fatal(relocated.error().message, path);
    return kernel;
}

files::LoadedFile load_module(const FileLocation& location) {
    return read_config_file(location, kEfiLoaderKernelAndModules, "module missing");
}

}  // namespace loader
