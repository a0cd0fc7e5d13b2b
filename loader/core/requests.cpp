// Finding Limine requests, markers and the base revision tag in the loaded
// kernel image (docs/limine-protocol.md §1). Offsets are relative to the image start;
// "8-byte aligned" means aligned relative to that start, which is where the
// loader places the page-aligned image.
#include "loader/core/requests.hpp"

#include "lib/bytes.hpp"
#include "protocol/limine.hpp"

namespace loader {
namespace {

using lib::Error;
using lib::ErrorCode;
using lib::read_u64;

struct KnownRequest {
    const limine::RequestId& id;
    const char* name;
    const char* duplicate_message;
};

// One row per feature of docs/limine-protocol.md §4, with the message used when the
// kernel declares that request twice.
constexpr KnownRequest kKnownRequests[] = {
    {limine::id::kBootloaderInfo, "bootloader_info", "requests: bootloader_info request appears twice"},
    {limine::id::kFirmwareType, "firmware_type", "requests: firmware_type request appears twice"},
    {limine::id::kStackSize, "stack_size", "requests: stack_size request appears twice"},
    {limine::id::kHhdm, "hhdm", "requests: hhdm request appears twice"},
    {limine::id::kFramebuffer, "framebuffer", "requests: framebuffer request appears twice"},
    {limine::id::kPagingMode, "paging_mode", "requests: paging_mode request appears twice"},
    {limine::id::kSmp, "smp", "requests: smp request appears twice"},
    {limine::id::kMemmap, "memmap", "requests: memmap request appears twice"},
    {limine::id::kEntryPoint, "entry_point", "requests: entry_point request appears twice"},
    {limine::id::kKernelFile, "kernel_file", "requests: kernel_file request appears twice"},
    {limine::id::kModule, "module", "requests: module request appears twice"},
    {limine::id::kRsdp, "rsdp", "requests: rsdp request appears twice"},
    {limine::id::kSmbios, "smbios", "requests: smbios request appears twice"},
    {limine::id::kEfiSystemTable, "efi_system_table", "requests: efi_system_table request appears twice"},
    {limine::id::kEfiMemmap, "efi_memmap", "requests: efi_memmap request appears twice"},
    {limine::id::kBootTime, "boot_time", "requests: boot_time request appears twice"},
    {limine::id::kKernelAddress, "kernel_address", "requests: kernel_address request appears twice"},
    {limine::id::kDtb, "dtb", "requests: dtb request appears twice"},
    {limine::id::kExecutableCmdline, "executable_cmdline", "requests: executable_cmdline request appears twice"},
    {limine::id::kBootloaderPerformance, "bootloader_performance",
     "requests: bootloader_performance request appears twice"},
    {limine::id::kKeepIommu, "keep_iommu", "requests: keep_iommu request appears twice"},
    {limine::id::kTscFrequency, "tsc_frequency", "requests: tsc_frequency request appears twice"},
    {limine::id::kEntropy, "entropy", "requests: entropy request appears twice"},
    {limine::id::kRiscvBspHartId, "riscv_bsp_hartid", "requests: riscv_bsp_hartid request appears twice"},
};

const KnownRequest* find_known(uint64_t id2, uint64_t id3) {
    for (const KnownRequest& known : kKnownRequests)
        if (known.id.words[2] == id2 && known.id.words[3] == id3) return &known;
    return nullptr;
}

// True if the words at `offset` (which must leave room for `count` words
// before `end`) equal `expected`.
bool words_match(lib::Bytes image, uint64_t offset, uint64_t end, const uint64_t* expected, size_t count) {
    if (offset > end || count * 8 > end - offset) return false;
    for (size_t i = 0; i < count; ++i)
        if (read_u64(image, offset + 8 * i) != expected[i]) return false;
    return true;
}

constexpr uint64_t kCommonMagic[2] = {limine::kCommonMagic0, limine::kCommonMagic1};
constexpr uint64_t kBaseRevisionMagic[2] = {limine::kBaseRevisionMagic0, limine::kBaseRevisionMagic1};
constexpr size_t kRequestHeaderBytes = sizeof(limine::RequestHeader);  // id[4], revision, response

}  // namespace

const char* request_name(uint64_t id2, uint64_t id3) {
    const KnownRequest* known = find_known(id2, id3);
    return known ? known->name : nullptr;
}

lib::Expected<RequestScan> scan_requests(lib::Bytes image, FoundRequest* duplicate) {
    RequestScan scan{};
    uint64_t size = image.size();

    // Markers: the last start marker, then the first end marker after it.
    bool has_start = false;
    uint64_t start = 0;
    for (uint64_t at = 0; at + 32 <= size; at += 8)
        if (words_match(image, at, size, limine::kRequestsStartMarker, 4)) {
            has_start = true;
            start = at + 32;
        }
    uint64_t begin = 0, end = size;
    if (has_start) {
        bool has_end = false;
        for (uint64_t at = start; at + 16 <= size; at += 8)
            if (words_match(image, at, size, limine::kRequestsEndMarker, 2)) {
                has_end = true;
                end = at;
                break;
            }
        if (!has_end) return Error::make(ErrorCode::kEINVAL, "requests: start marker found but no end marker after it");
        begin = start;
        scan.has_markers = true;
    }

    // The base revision tag may sit anywhere in the image (Limine 8.x looks
    // for it over the whole image, not only between the markers); the first
    // one counts.
    for (uint64_t at = 0; at + 24 <= size; at += 8)
        if (words_match(image, at, size, kBaseRevisionMagic, 2)) {
            scan.has_base_revision = true;
            scan.base_revision_offset = at;
            scan.requested_revision = read_u64(image, at + 16);
            break;
        }

    for (uint64_t at = begin; at + kRequestHeaderBytes <= end; at += 8) {
        if (!words_match(image, at, end, kCommonMagic, 2)) continue;
        FoundRequest found{at, read_u64(image, at + 16), read_u64(image, at + 24)};
        for (size_t i = 0; i < scan.request_count; ++i) {
            if (scan.requests[i].id2 != found.id2 || scan.requests[i].id3 != found.id3) continue;
            if (duplicate) *duplicate = found;
            const KnownRequest* known = find_known(found.id2, found.id3);
            return Error::make(ErrorCode::kEEXIST,
                               known ? known->duplicate_message : "requests: an unknown request id appears twice");
        }
        if (scan.request_count == kMaxRequests)
            return Error::make(ErrorCode::kEOPNOTSUPP, "requests: more than 64 requests in the kernel");
        scan.requests[scan.request_count++] = found;
    }
    return scan;
}

}  // namespace loader
