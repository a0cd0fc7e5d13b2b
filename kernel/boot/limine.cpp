// The ONE place in the kernel that knows the Limine boot protocol (base
// revision 2, ../shared/docs/limine-protocol.md). It declares every request,
// checks each response against the protocol's promises, and copies what the
// kernel needs into BootInfo. Nothing else in the kernel sees a Limine type or
// touches bootloader-reclaimable memory.
#include "boot/limine_requests.hpp"

#include "arch/x86_64/cpu.hpp"
#include "boot/boot_info.hpp"
#include "boot/entry_state.hpp"
#include "lib/string_view.hpp"

extern "C" void kernel_entry_from_request();
extern "C" [[noreturn]] void kernel_main();

namespace boot::requests {

// §1: the markers bracket the requests; the linker script keeps the three
// sections in this order inside the data segment.
__attribute__((used, section(".limine_requests_start"))) volatile uint64_t start_marker[4] = {
    limine::kRequestsStartMarker[0], limine::kRequestsStartMarker[1], limine::kRequestsStartMarker[2],
    limine::kRequestsStartMarker[3]};
__attribute__((used, section(".limine_requests_end"))) volatile uint64_t end_marker[2] = {
    limine::kRequestsEndMarker[0], limine::kRequestsEndMarker[1]};

__attribute__((used, section(".limine_requests"))) volatile uint64_t base_revision[3] = {
    limine::kBaseRevisionMagic0, limine::kBaseRevisionMagic1, limine::kBaseRevision};

#define ID(name) {limine::id::name.words[0], limine::id::name.words[1], limine::id::name.words[2], limine::id::name.words[3]}
#define REQUEST __attribute__((used, section(".limine_requests"))) volatile

REQUEST limine::BootloaderInfoRequest bootloader_info = {ID(kBootloaderInfo), 0, nullptr};
REQUEST limine::FirmwareTypeRequest firmware_type = {ID(kFirmwareType), 0, nullptr};
REQUEST limine::StackSizeRequest stack_size = {ID(kStackSize), 0, nullptr, kRequestedStackSize};
REQUEST limine::HhdmRequest hhdm = {ID(kHhdm), 0, nullptr};
REQUEST limine::FramebufferRequest framebuffer = {ID(kFramebuffer), 1, nullptr};
REQUEST limine::PagingModeRequest paging_mode = {ID(kPagingMode), 1, nullptr, limine::kPaging4Level,
                                                 limine::kPaging4Level, limine::kPaging4Level};
REQUEST limine::SmpRequest smp = {ID(kSmp), 0, nullptr, limine::kSmpRequestX2apic};
REQUEST limine::MemmapRequest memmap = {ID(kMemmap), 0, nullptr};
REQUEST limine::EntryPointRequest entry_point = {ID(kEntryPoint), 0, nullptr, &kernel_entry_from_request};
REQUEST limine::KernelFileRequest kernel_file = {ID(kKernelFile), 0, nullptr};
REQUEST limine::ModuleRequest module = {ID(kModule), 1, nullptr, 0, nullptr};
REQUEST limine::RsdpRequest rsdp = {ID(kRsdp), 0, nullptr};
REQUEST limine::SmbiosRequest smbios = {ID(kSmbios), 0, nullptr};
REQUEST limine::EfiSystemTableRequest efi_system_table = {ID(kEfiSystemTable), 0, nullptr};
REQUEST limine::EfiMemmapRequest efi_memmap = {ID(kEfiMemmap), 0, nullptr};
REQUEST limine::BootTimeRequest boot_time = {ID(kBootTime), 0, nullptr};
REQUEST limine::KernelAddressRequest kernel_address = {ID(kKernelAddress), 0, nullptr};

#undef REQUEST
#undef ID

}  // namespace boot::requests


namespace boot {
namespace { BootInfo g_info; }
const BootInfo& info() { return g_info; }
const EntryState& entry_state() { return boot_entry_state; }
}  // namespace boot

extern "C" [[noreturn]] void boot_from_limine() { kernel_main(); }

// Recorded by entry.S (see entry_state.hpp).
extern "C" boot::EntryState boot_entry_state;
boot::EntryState boot_entry_state;

// TEMPORARY weak stand-ins until kernel/rt provides the stack protector.
extern "C" __attribute__((weak)) uint64_t __stack_chk_guard = 0x595e9fbd94fda766ULL;
extern "C" __attribute__((weak, noreturn)) void __stack_chk_fail() { arch::halt_forever(); }
