// The kernel and module files: where they are (limine.conf paths,
// docs/limine-protocol.md §5), loading them (one contiguous KERNEL_AND_MODULES block for
// the kernel image, page-aligned blocks for files), and their Limine `file`
// descriptions (docs/limine-protocol.md §4). Failures print the one error line and halt.
#pragma once

#include <stdint.h>

#include "lib/span.hpp"
#include "lib/string_view.hpp"
#include "loader/core/elf.hpp"
#include "loader/files.hpp"
#include "protocol/limine.hpp"

namespace loader {

struct FileLocation {
    char path[256];  // on the boot partition, leading slash
};

// A config path "boot():/boot/kernel" -> "/boot/kernel". Only boot() exists;
// `what` names the option in the error line ("kernel_path", ...).
FileLocation resolve_config_path(lib::StringView text, lib::StringView what);

// An internal module's path (Module request rev 1): a resource path is taken
// as it is, anything else relative to the kernel's directory (loader/paths.hpp).
FileLocation resolve_internal_path(lib::StringView kernel_path, lib::StringView text);

// A Limine `file` in reclaimable memory; every pointer in it an HHDM address.
limine::File* describe_file(const files::LoadedFile& loaded, lib::StringView path, lib::StringView cmdline);

// Reads a module; "module missing" if absent.
files::LoadedFile load_module(lib::StringView path);

struct KernelImage {
    lib::Bytes file;        // the ELF file as read (KERNEL_AND_MODULES pages)
    uint64_t file_address;  // physical
    LoadPlan plan;
    uint64_t physical_base;  // the loaded image, one contiguous block
    uint8_t* image;

    // A pointer into the loaded image for a kernel virtual address range, or
    // null if [virtual_address, +size) is not wholly inside it.
    void* at(uint64_t virtual_address, uint64_t size) const;
    // A NUL-terminated string inside the image, or empty if it runs out.
    lib::StringView string_at(uint64_t virtual_address) const;
};

// Reads, validates, places (with the plan's alignment), copies and relocates.
// A relocatable kernel goes to a random base (loader/kaslr.hpp) if `kaslr`.
KernelImage load_kernel(lib::StringView path, bool kaslr);

}  // namespace loader
