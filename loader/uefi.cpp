#include "loader/uefi.hpp"

#include "lib/memory.hpp"
#include "lib/utility.hpp"
#include "loader/core/memmap.hpp"

namespace loader::uefi {
namespace {

efi::Handle g_image = nullptr;
efi::SystemTable* g_system_table = nullptr;

// The current chunk of reclaimable memory small objects come from.
uint64_t g_chunk_next = 0;
uint64_t g_chunk_end = 0;
constexpr uint64_t kChunkPages = 16;

lib::Error allocation_failed(const char* what) {
    return lib::Error::make(lib::ErrorCode::kENOMEM, what);
}

}  // namespace

void init(efi::Handle image, efi::SystemTable* system_table) {
    g_image = image;
    g_system_table = system_table;
}
efi::Handle image_handle() {
    return g_image;
}
efi::SystemTable* system_table() {
    return g_system_table;
}
efi::BootServices* boot_services() {
    return g_system_table->boot_services;
}

lib::Expected<uint64_t> allocate_pages(uint64_t pages, uint32_t memory_type, const char* what, uint64_t max_address) {
    if (pages == 0) pages = 1;
    efi::PhysicalAddress address = 0;
    efi::AllocateType type = efi::kAllocateAnyPages;
    if (max_address != 0) {
        // AllocateMaxAddress takes the highest address the block may END at
        // (inclusive), UEFI 2.10 §7.2.1.
        address = max_address - 1;
        type = efi::kAllocateMaxAddress;
    }
    efi::Status status = boot_services()->allocate_pages(type, memory_type, pages, &address);
    if (efi::is_error(status)) return allocation_failed(what);
    lib::fill_bytes(reinterpret_cast<void*>(address), 0, pages * kPageSize);
    return static_cast<uint64_t>(address);
}

lib::Expected<uint64_t> allocate_aligned(uint64_t pages, uint64_t alignment, uint32_t memory_type, const char* what) {
    if (alignment <= kPageSize) return allocate_pages(pages, memory_type, what);
    uint64_t extra = alignment / kPageSize - 1;
    uint64_t base = TRY(allocate_pages(pages + extra, memory_type, what));
    uint64_t aligned = lib::align_up(base, alignment);
    uint64_t head = (aligned - base) / kPageSize;
    uint64_t tail = extra - head;
    if (head) boot_services()->free_pages(base, head);
    if (tail) boot_services()->free_pages(aligned + pages * kPageSize, tail);
    return aligned;
}

lib::Expected<void*> allocate_reclaimable(uint64_t size, const char* what) {
    size = lib::align_up(size == 0 ? 1 : size, 16);
    if (g_chunk_end - g_chunk_next < size) {
        uint64_t pages = lib::max(kChunkPages, lib::align_up(size, kPageSize) / kPageSize);
        g_chunk_next = TRY(allocate_pages(pages, kEfiLoaderReclaimable, what));
        g_chunk_end = g_chunk_next + pages * kPageSize;
    }
    void* result = reinterpret_cast<void*>(g_chunk_next);
    g_chunk_next += size;
    return result;
}

lib::Expected<char*> copy_string(lib::StringView text, const char* what) {
    char* copy = TRY(allocate_object<char>(what, text.size() + 1));
    lib::copy_bytes(copy, text.data(), text.size());
    copy[text.size()] = 0;
    return copy;
}

void stall_microseconds(uint64_t microseconds) {
    boot_services()->stall(microseconds);
}

void* handle_protocol(efi::Handle handle, const efi::Guid& guid) {
    void* interface = nullptr;
    if (efi::is_error(boot_services()->handle_protocol(handle, &guid, &interface))) return nullptr;
    return interface;
}

void* locate_protocol(const efi::Guid& guid) {
    void* interface = nullptr;
    if (efi::is_error(boot_services()->locate_protocol(&guid, nullptr, &interface))) return nullptr;
    return interface;
}

}  // namespace loader::uefi
