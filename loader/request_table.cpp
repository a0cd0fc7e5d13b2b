#include "loader/request_table.hpp"

#include "lib/format.hpp"
#include "loader/core/requests.hpp"

namespace loader {
namespace {

using console::fatal;
using lib::StringView;

constexpr uint64_t kSupportedBaseRevision = 2;

bool is(const FoundRequest& found, const limine::RequestId& id) {
    return found.id2 == id.words[2] && found.id3 == id.words[3];
}

}  // namespace

Requests find_requests(const KernelImage& kernel, StringView kernel_path) {
    FoundRequest duplicate{};
    auto scanned = scan_requests(lib::Bytes(kernel.image, kernel.plan.image_size), &duplicate);
    if (!scanned) {
        if (scanned.error().code == lib::ErrorCode::kDuplicate) {
            const char* name = request_name(duplicate.id2, duplicate.id3);
            char where[96];
            lib::format(where, sizeof where, "{} request, {}", name ? name : "unknown", kernel_path);
            fatal("the kernel has two requests with the same id", where);
        }
        fatal(scanned.error().message, kernel_path);
    }
    const RequestScan& scan = *scanned;

    // Facts sheet §1: a loader that supports the requested base revision sets
    // the tag's third word to 0; a newer one stays as it is and we boot anyway
    // (the kernel then fails cleanly). No tag means revision 0.
    if (scan.has_base_revision && scan.requested_revision <= kSupportedBaseRevision) {
        auto* tag = static_cast<uint64_t*>(static_cast<void*>(kernel.image + scan.base_revision_offset));
        tag[2] = 0;
    }

    Requests requests;
    requests.base_revision = scan.has_base_revision ? scan.requested_revision : 0;
    uint64_t image_size = kernel.plan.image_size;
    for (size_t i = 0; i < scan.request_count; ++i) {
        const FoundRequest& found = scan.requests[i];
        void* at = kernel.image + found.offset;
        // A request cut off by the image's end is ignored rather than read
        // past: `fits` checks the full size of the feature's request struct.
        auto fits = [&](uint64_t size) { return found.offset <= image_size && size <= image_size - found.offset; };
        auto header = [&]() {
            return fits(sizeof(limine::RequestHeader)) ? static_cast<limine::RequestHeader*>(at) : nullptr;
        };
        auto as = [&]<typename Request>(Request*& slot) {
            if (fits(sizeof(Request))) slot = static_cast<Request*>(at);
        };
        namespace id = limine::id;
        if (is(found, id::kBootloaderInfo))
            requests.bootloader_info = header();
        else if (is(found, id::kFirmwareType))
            requests.firmware_type = header();
        else if (is(found, id::kStackSize))
            as(requests.stack_size);
        else if (is(found, id::kHhdm))
            requests.hhdm = header();
        else if (is(found, id::kFramebuffer))
            requests.framebuffer = header();
        else if (is(found, id::kPagingMode))
            as(requests.paging_mode);
        else if (is(found, id::kSmp))
            as(requests.smp);
        else if (is(found, id::kMemmap))
            requests.memmap = header();
        else if (is(found, id::kEntryPoint))
            as(requests.entry_point);
        else if (is(found, id::kKernelFile))
            requests.kernel_file = header();
        else if (is(found, id::kModule))
            as(requests.module);
        else if (is(found, id::kRsdp))
            requests.rsdp = header();
        else if (is(found, id::kSmbios))
            requests.smbios = header();
        else if (is(found, id::kEfiSystemTable))
            requests.efi_system_table = header();
        else if (is(found, id::kEfiMemmap))
            requests.efi_memmap = header();
        else if (is(found, id::kBootTime))
            requests.boot_time = header();
        else if (is(found, id::kKernelAddress))
            requests.kernel_address = header();
    }
    return requests;
}

}  // namespace loader
