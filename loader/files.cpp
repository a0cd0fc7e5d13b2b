#include "loader/files.hpp"

#include "lib/bytes.hpp"
#include "lib/memory.hpp"
#include "lib/utility.hpp"
#include "loader/core/memmap.hpp"
#include "loader/uefi.hpp"

namespace loader::files {
namespace {

using lib::Error;
using lib::ErrorCode;

efi::FileProtocol* g_root = nullptr;
efi::Handle g_device = nullptr;

// FAT paths as UEFI wants them: UCS-2, backslash separators (UEFI 2.10
// §13.5.2), NUL-terminated.
constexpr uint64_t kMaxPath = 256;
bool to_efi_path(lib::StringView path, efi::Char16 (&out)[kMaxPath]) {
    if (path.size() + 1 > kMaxPath) return false;
    for (size_t i = 0; i < path.size(); ++i) {
        char c = path[i];
        if (c == 0) return false;
        out[i] = c == '/' ? u'\\' : static_cast<efi::Char16>(static_cast<uint8_t>(c));
    }
    out[path.size()] = 0;
    return true;
}

}  // namespace

lib::Expected<void> open_boot_volume() {
    auto* image = static_cast<efi::LoadedImageProtocol*>(
        uefi::handle_protocol(uefi::image_handle(), efi::kLoadedImageProtocolGuid));
    if (!image) return Error::make(ErrorCode::kENOENT, "no Loaded Image protocol on the loader's own handle");
    g_device = image->device_handle;
    auto* file_system = static_cast<efi::SimpleFileSystemProtocol*>(
        uefi::handle_protocol(g_device, efi::kSimpleFileSystemProtocolGuid));
    if (!file_system) return Error::make(ErrorCode::kENOENT, "the boot partition has no Simple File System");
    if (efi::is_error(file_system->open_volume(file_system, &g_root)))
        return Error::make(ErrorCode::kEIO, "could not open the boot partition's root directory");
    return {};
}

lib::Expected<LoadedFile> read_file(lib::StringView path, uint32_t memory_type) {
    efi::Char16 efi_path[kMaxPath];
    if (!to_efi_path(path, efi_path)) return Error::make(ErrorCode::kEINVAL, "path too long or contains NUL");
    efi::FileProtocol* file = nullptr;
    if (efi::is_error(g_root->open(g_root, &file, efi_path, efi::kFileModeRead, 0)))
        return Error::make(ErrorCode::kENOENT, "file not found");

    // EFI_FILE_INFO is followed by the name: room for a long one.
    alignas(8) uint8_t info_buffer[sizeof(efi::FileInfo) + 2 * kMaxPath + 16];
    uint64_t info_size = sizeof info_buffer;
    if (efi::is_error(file->get_info(file, &efi::kFileInfoGuid, &info_size, info_buffer))) {
        file->close(file);
        return Error::make(ErrorCode::kEIO, "could not read the file's size (GetInfo failed)");
    }
    const auto* info = reinterpret_cast<const efi::FileInfo*>(info_buffer);
    if (info->attribute & efi::kFileAttributeDirectory) {
        file->close(file);
        return Error::make(ErrorCode::kENOENT, "a directory, not a file");
    }
    uint64_t size = info->file_size;
    auto pages = uefi::allocate_pages(lib::align_up(size, uefi::kPageSize) / uefi::kPageSize, memory_type,
                                      "no memory for a file");
    if (!pages) {
        file->close(file);
        return pages.error();
    }
    // Read in a loop: a driver may return fewer bytes than asked.
    uint64_t done = 0;
    while (done < size) {
        uint64_t chunk = size - done;
        efi::Status status = file->read(file, &chunk, reinterpret_cast<void*>(*pages + done));
        if (efi::is_error(status) || chunk == 0) {
            file->close(file);
            return Error::make(ErrorCode::kEIO, "reading the file failed");
        }
        done += chunk;
    }
    file->close(file);
    return LoadedFile{*pages, size};
}

// The disk GUID from the GPT header at LBA 1 (UEFI 2.10 §5.3.2: "EFI PART"
// at offset 0, DiskGUID at offset 56) of the disk holding the partition
// whose device path is `partition_path`; `hard_drive_offset` is where its
// Hard Drive node starts, so the bytes before it name the whole disk.
static bool read_gpt_disk_guid(const efi::DevicePathProtocol* partition_path, uint64_t hard_drive_offset,
                               uint8_t (&guid)[16]) {
    // The disk's path: the nodes before the Hard Drive node, then an End node.
    constexpr uint64_t kMaxPath = 512;
    alignas(8) uint8_t disk_path[kMaxPath + sizeof(efi::DevicePathProtocol)];
    if (hard_drive_offset > kMaxPath) return false;
    lib::copy_bytes(disk_path, partition_path, hard_drive_offset);
    const uint8_t end_node[4] = {efi::kDevicePathTypeEnd, 0xff, 4, 0};
    lib::copy_bytes(disk_path + hard_drive_offset, end_node, sizeof end_node);

    void* remaining = disk_path;
    efi::Handle disk = nullptr;
    if (efi::is_error(uefi::boot_services()->locate_device_path(&efi::kBlockIoProtocolGuid, &remaining, &disk)))
        return false;
    auto* block_io = static_cast<efi::BlockIoProtocol*>(uefi::handle_protocol(disk, efi::kBlockIoProtocolGuid));
    if (!block_io || !block_io->media || block_io->media->logical_partition) return false;
    uint32_t block_size = block_io->media->block_size;
    if (block_size < 92 || block_size > uefi::kPageSize) return false;
    auto buffer = uefi::allocate_pages(1, kEfiLoaderData, "no memory for the GPT header");
    if (!buffer) return false;
    auto* header = reinterpret_cast<uint8_t*>(*buffer);
    bool ok = !efi::is_error(block_io->read_blocks(block_io, block_io->media->media_id, 1, block_size, header)) &&
              lib::compare_bytes(header, "EFI PART", 8) == 0;
    if (ok) lib::copy_bytes(guid, header + 56, 16);
    uefi::boot_services()->free_pages(*buffer, 1);
    return ok;
}

PartitionFacts boot_partition_facts() {
    PartitionFacts facts;
    auto* start =
        static_cast<const efi::DevicePathProtocol*>(uefi::handle_protocol(g_device, efi::kDevicePathProtocolGuid));
    const efi::DevicePathProtocol* node = start;
    // Walk the device path to its Hard Drive media node (UEFI 2.10 §10.3.5.1),
    // with a bound so a malformed path can not loop forever.
    for (int guard = 0; node && guard < 64; ++guard) {
        uint16_t length = lib::read_u16(lib::Bytes(node->length, sizeof node->length), 0);
        if (node->type == efi::kDevicePathTypeEnd || length < sizeof(efi::DevicePathProtocol)) break;
        if (node->type == efi::kDevicePathTypeMedia && node->sub_type == efi::kMediaSubTypeHardDrive &&
            length >= sizeof(efi::HardDriveDevicePath)) {
            efi::HardDriveDevicePath hard_drive;
            lib::copy_bytes(&hard_drive, node, sizeof hard_drive);
            facts.partition_index = hard_drive.partition_number;
            if (hard_drive.signature_type == 2) {
                facts.gpt = true;
                lib::copy_bytes(facts.gpt_partition_guid, hard_drive.signature, 16);
                uint64_t offset = reinterpret_cast<const uint8_t*>(node) - reinterpret_cast<const uint8_t*>(start);
                facts.gpt_disk_known = read_gpt_disk_guid(start, offset, facts.gpt_disk_guid);
            } else if (hard_drive.signature_type == 1) {
                lib::copy_bytes(&facts.mbr_disk_id, hard_drive.signature, 4);
            }
            break;
        }
        node = reinterpret_cast<const efi::DevicePathProtocol*>(reinterpret_cast<const uint8_t*>(node) + length);
    }
    return facts;
}

}  // namespace loader::files
