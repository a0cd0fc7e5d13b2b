// The requests found in the loaded kernel (docs/limine-protocol.md §1, §4), one pointer
// per feature, and the helpers that answer them.
#pragma once

#include <stdint.h>

#include "lib/string_view.hpp"
#include "loader/console.hpp"
#include "loader/hhdm.hpp"
#include "loader/kernel_files.hpp"
#include "loader/uefi.hpp"
#include "protocol/limine.hpp"

namespace loader {

struct Requests {
    // The base revision the kernel asked for (docs/limine-protocol.md §1; no tag = 0).
    uint64_t base_revision = 0;
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
    limine::RequestHeader* dtb = nullptr;
    limine::RequestHeader* executable_cmdline = nullptr;
    limine::RequestHeader* bootloader_performance = nullptr;
    limine::RequestHeader* keep_iommu = nullptr;
    limine::RequestHeader* tsc_frequency = nullptr;
    limine::EntropyRequest* entropy = nullptr;
};

// Scans the loaded image (duplicate id -> the error line naming the
// request), handles the base revision tag (supported 0..2: word 3 set to 0;
// newer: left as it is) and sorts the requests by feature.
Requests find_requests(const KernelImage& kernel, lib::StringView kernel_path);

// Writes the response's HHDM address into the request's `response`.
template <typename Request, typename Response>
void answer(Request* request, Response* response) {
    if (request)
        reinterpret_cast<limine::RequestHeader*>(request)->response =
            hhdm::from_physical(reinterpret_cast<uint64_t>(response));
}

// A zeroed response in reclaimable memory with its revision set.
template <typename Response>
Response* new_response(uint64_t revision, lib::StringView request_name) {
    auto* response = console::must(uefi::allocate_object<Response>("no memory for a response"), request_name);
    response->revision = revision;
    return response;
}

}  // namespace loader
