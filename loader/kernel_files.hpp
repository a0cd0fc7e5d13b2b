// The kernel and module files: where they are (limine.conf paths,
// docs/limine-protocol.md §5), loading them (one contiguous KERNEL_AND_MODULES block for
// the kernel image, page-aligned blocks for files: the kernel file
// BOOTLOADER_RECLAIMABLE, modules KERNEL_AND_MODULES, as Limine places them),
// and their Limine `file` descriptions (docs/limine-protocol.md §4). Failures
// print the one error line and halt.
#pragma once

#include <stdint.h>

#include "lib/span.hpp"
#include "lib/string_view.hpp"
#include "loader/core/config.hpp"
#include "loader/core/elf.hpp"
#include "loader/files.hpp"
#include "protocol/limine.hpp"

namespace loader {

struct FileLocation {
    char path[256];  // on the boot partition, leading slash, normalised (loader/paths.hpp)
    bool compressed = false;  // '$' before the resource
    HashKind hash = HashKind::kNone;
    uint8_t digest[128] = {};
    size_t digest_size = 0;
};

// A config path "boot():/boot/kernel#<hash>" -> "/boot/kernel" and its hash.
// Only boot() exists; `what` names the option in the error line ("path", ...).
FileLocation resolve_config_path(lib::StringView text, lib::StringView what);

// Whether a file whose hash differs stops the boot (the default) or only
// warns ("hash_mismatch_panic: no").
void set_hash_mismatch_panic(bool panic);

// Reads a file named by the config into pages of `memory_type` and checks
// its hash, if it has one: a mismatch is the error line naming the file
// ("hash mismatch (BLAKE2b-512)"), or a warning under hash_mismatch_panic: no.
// A missing file is "<missing_message> (<path>)". A compressed ('$') file
// is gzip (RFC 1952): its hash is checked on the compressed bytes, then it is
// replaced by its contents; bad gzip data is the error line naming the file.
// With `missing` given, an absent file sets *missing and returns nothing.
files::LoadedFile read_config_file(const FileLocation& location, uint32_t memory_type,
                                   lib::StringView missing_message, bool* missing = nullptr);

// An internal module's path (Module request rev 1): a resource path is taken
// as it is, anything else relative to the kernel's directory (loader/paths.hpp).
FileLocation resolve_internal_path(lib::StringView kernel_path, lib::StringView text);

// A Limine `file` in reclaimable memory; every pointer in it an HHDM address.
limine::File* describe_file(const files::LoadedFile& loaded, lib::StringView path, lib::StringView cmdline);

// Reads a module; "module missing" if absent.
files::LoadedFile load_module(const FileLocation& location);

struct KernelImage {
    lib::Bytes file;        // the ELF file as read (BOOTLOADER_RECLAIMABLE pages)
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
KernelImage load_kernel(const FileLocation& location, bool kaslr);

}  // namespace loader
