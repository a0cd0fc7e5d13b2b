// The ONE place that knows the Limine boot protocol (temporary skeleton).
#include "protocol/limine.hpp"
#include "boot/boot_info.hpp"

extern "C" [[noreturn]] void kernel_main();

namespace {
__attribute__((used, section(".limine_requests_start"))) volatile uint64_t requests_start[4] = {
    limine::kRequestsStartMarker[0], limine::kRequestsStartMarker[1], limine::kRequestsStartMarker[2],
    limine::kRequestsStartMarker[3]};
__attribute__((used, section(".limine_requests"))) volatile uint64_t base_revision[3] = {
    limine::kBaseRevisionMagic0, limine::kBaseRevisionMagic1, limine::kBaseRevision};
__attribute__((used, section(".limine_requests_end"))) volatile uint64_t requests_end[2] = {
    limine::kRequestsEndMarker[0], limine::kRequestsEndMarker[1]};
boot::BootInfo g_info;
}  // namespace

const boot::BootInfo& boot::info() { return g_info; }

extern "C" [[noreturn]] void boot_from_limine() { kernel_main(); }
