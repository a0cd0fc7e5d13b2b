// The firmware handles the loader keeps while boot services last, and page
// allocation on top of AllocatePages (UEFI 2.10 §7.2).
#pragma once

#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/string_view.hpp"
#include "loader/efi/protocols.hpp"
#include "loader/efi/system_table.hpp"

namespace loader::uefi {

void init(efi::Handle image, efi::SystemTable* system_table);
efi::Handle image_handle();
efi::SystemTable* system_table();
efi::BootServices* boot_services();

inline constexpr uint64_t kPageSize = 4096;

// `pages` zeroed 4 KiB pages of `memory_type` (a loader::EfiMemoryType),
// anywhere; below `max_address` (exclusive) when it is not 0. Returns the
// physical (= identity-mapped) address. `what` names the allocation in the
// error message.
lib::Expected<uint64_t> allocate_pages(uint64_t pages, uint32_t memory_type, const char* what,
                                       uint64_t max_address = 0);

// One physically contiguous block with the given power-of-two alignment:
// over-allocates, then frees the head and tail around the aligned part.
lib::Expected<uint64_t> allocate_aligned(uint64_t pages, uint64_t alignment, uint32_t memory_type, const char* what);

// Small objects handed to the kernel (responses, strings, pointer arrays):
// carved out of kEfiLoaderReclaimable pages, zeroed, 16-byte aligned.
lib::Expected<void*> allocate_reclaimable(uint64_t size, const char* what);

template <typename T>
lib::Expected<T*> allocate_object(const char* what, uint64_t count = 1) {
    void* memory = TRY(allocate_reclaimable(sizeof(T) * count, what));
    return static_cast<T*>(memory);
}

// Copies a string (NUL-terminated) into reclaimable memory.
lib::Expected<char*> copy_string(lib::StringView text, const char* what);

// Boot-services Stall.
void stall_microseconds(uint64_t microseconds);

// The protocol `guid` on `handle`, or null.
void* handle_protocol(efi::Handle handle, const efi::Guid& guid);
// The first instance of the protocol `guid` in the system, or null.
void* locate_protocol(const efi::Guid& guid);

}  // namespace loader::uefi
