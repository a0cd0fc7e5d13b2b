// Reading whole files from the partition the loader was started from
// (LoadedImage->DeviceHandle -> Simple File System, UEFI 2.10 §9.1, §13.4).
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/string_view.hpp"
#include "loader/efi/protocols.hpp"

namespace loader::files {

// Opens the boot volume's root directory. Call once before read_file.
lib::Expected<void> open_boot_volume();

struct LoadedFile {
    uint64_t address;  // physical, 4 KiB aligned (whole pages of memory_type)
    uint64_t size;     // bytes of the file (the pages after it are zero)
};

// Reads `path` ("/boot/kernel", forward slashes) into fresh pages of
// `memory_type`. kNotFound if the file does not exist (or is a directory).
lib::Expected<LoadedFile> read_file(lib::StringView path, uint32_t memory_type);

// Facts for the Limine `file` structure: the boot partition's number
// (1-based, 0 if unknown), its GPT unique GUID / MBR disk id.
struct PartitionFacts {
    uint32_t partition_index = 0;
    uint32_t mbr_disk_id = 0;
    bool gpt = false;
    uint8_t gpt_partition_guid[16] = {};
    bool gpt_disk_known = false;
    uint8_t gpt_disk_guid[16] = {};  // from the disk's GPT header (UEFI 2.10 §5.3.2)
};
PartitionFacts boot_partition_facts();

}  // namespace loader::files
