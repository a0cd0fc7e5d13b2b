#include "loader/files.hpp"

#include "lib/memory.hpp"
#include "lib/utility.hpp"
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
    if (!image) return Error::make(ErrorCode::kNotFound, "no Loaded Image protocol on the loader's own handle");
    g_device = image->device_handle;
    auto* file_system = static_cast<efi::SimpleFileSystemProtocol*>(
        uefi::handle_protocol(g_device, efi::kSimpleFileSystemProtocolGuid));
    if (!file_system) return Error::make(ErrorCode::kNotFound, "the boot partition has no Simple File System");
    if (efi::is_error(file_system->open_volume(file_system, &g_root)))
        return Error::make(ErrorCode::kDevice, "could not open the boot partition's root directory");
    return {};
}

lib::Expected<LoadedFile> read_file(lib::StringView path, uint32_t memory_type) {
    efi::Char16 efi_path[kMaxPath];
    if (!to_efi_path(path, efi_path)) return Error::make(ErrorCode::kInvalid, "path too long or contains NUL");
    efi::FileProtocol* file = nullptr;
    if (efi::is_error(g_root->open(g_root, &file, efi_path, efi::kFileModeRead, 0)))
        return Error::make(ErrorCode::kNotFound, "file not found");

    // EFI_FILE_INFO is followed by the name: room for a long one.
    alignas(8) uint8_t info_buffer[sizeof(efi::FileInfo) + 2 * kMaxPath + 16];
    uint64_t info_size = sizeof info_buffer;
    if (efi::is_error(file->get_info(file, &efi::kFileInfoGuid, &info_size, info_buffer))) {
        file->close(file);
        return Error::make(ErrorCode::kDevice, "could not read the file's size (GetInfo failed)");
    }
    const auto* info = reinterpret_cast<const efi::FileInfo*>(info_buffer);
    if (info->attribute & efi::kFileAttributeDirectory) {
        file->close(file);
        return Error::make(ErrorCode::kNotFound, "a directory, not a file");
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
            return Error::make(ErrorCode::kDevice, "reading the file failed");
        }
        done += chunk;
    }
    file->close(file);
    return LoadedFile{*pages, size};
}

PartitionFacts boot_partition_facts() {
    PartitionFacts facts;
    auto* node = static_cast<const efi::DevicePathProtocol*>(
        uefi::handle_protocol(g_device, efi::kDevicePathProtocolGuid));
    // Walk the device path to its Hard Drive media node (UEFI 2.10 §10.3.5.1),
    // with a bound so a malformed path can not loop forever.
    for (int guard = 0; node && guard < 64; ++guard) {
        uint16_t length = static_cast<uint16_t>(node->length[0] | (node->length[1] << 8));
        if (node->type == efi::kDevicePathTypeEnd || length < sizeof(efi::DevicePathProtocol)) break;
        if (node->type == efi::kDevicePathTypeMedia && node->sub_type == efi::kMediaSubTypeHardDrive &&
            length >= sizeof(efi::HardDriveDevicePath)) {
            efi::HardDriveDevicePath hard_drive;
            lib::copy_bytes(&hard_drive, node, sizeof hard_drive);
            facts.partition_index = hard_drive.partition_number;
            if (hard_drive.signature_type == 2) {
                facts.gpt = true;
                lib::copy_bytes(facts.gpt_partition_guid, hard_drive.signature, 16);
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
