#include "loader/request_table.hpp"

#include "lib/format.hpp"
#include "loader/core/requests.hpp"

namespace loader {
namespace {

using console::fatal;
using lib::StringView;


bool is(const FoundRequest& found, const limine::RequestId& id) {
    return found.id2 == id.words[2] && found.id3 == id.words[3];
}

}  // namespace

Requests find_requests(const KernelImage& kernel, StringView kernel_path) {
    FoundRequest duplicate{};
    auto scanned = scan_requests(lib::Bytes(kernel.image, kernel.plan.image_size), &duplicate);
    if (!scanned) {
        if (scanned.error().code == lib::ErrorCode::kEEXIST) {
            const char* name = request_name(duplicate.id2, duplicate.id3);
            char where[96];
            lib::format(where, sizeof where, "{} request, {}", name ? name : "unknown", kernel_path);
            fatal("the kernel has two requests with the same id", where);
        }
        fatal(scanned.error().message, kernel_path);
    }
    const RequestScan& scan = *scanned;

    // Base revision tag (docs/limine-protocol.md §1, §7): no tag means 0.
    // One we speak gets its third word set to 0 and the revision used in its
    // second word (mandatory from revision 3 on; Limine 11+ writes it for
    // every revision). One we do not know is refused: booting it under some
    // other revision's rules is allowed, but the protocol recommends refusing.
    uint64_t revision = scan.has_base_revision ? scan.requested_revision : 0;
    if (revision > limine::kMaxBaseRevision) {
        char message[128];
        lib::format(message, sizeof message, "the kernel asks for Limine base revision {}; this loader speaks 0 to {}",
                    revision, limine::kMaxBaseRevision);
        fatal(message, kernel_path);
    }
    if (scan.has_base_revision) {
        auto* tag = static_cast<uint64_t*>(static_cast<void*>(kernel.image + scan.base_revision_offset));
        tag[1] = revision;
        tag[2] = 0;
    }

    Requests requests;
    requests.base_revision = revision;
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
        else if (is(found, id::kDtb))
            requests.dtb = header();
        else if (is(found, id::kExecutableCmdline))
            requests.executable_cmdline = header();
        else if (is(found, id::kBootloaderPerformance))
            requests.bootloader_performance = header();
        else if (is(found, id::kKeepIommu))
            requests.keep_iommu = header();
        else if (is(found, id::kTscFrequency))
            requests.tsc_frequency = header();
        else if (is(found, id::kEntropy))
            as(requests.entropy);
    }
    return requests;
}

}  // namespace loader
