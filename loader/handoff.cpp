#include "loader/handoff.hpp"

#include "lib/memory.hpp"
#include "lib/x86_64/page_table.hpp"
#include "lib/x86_64/registers.hpp"
#include "loader/core/memmap.hpp"
#include "loader/cpu.hpp"
#include "loader/paging.hpp"
#include "loader/uefi.hpp"

extern "C" void loader_handoff(loader::HandoffState* state);
extern "C" char loader_handoff_end[];

namespace loader {

lib::Expected<uint64_t> place_handoff_code() {
    uint64_t start = reinterpret_cast<uint64_t>(&loader_handoff);
    uint64_t size = reinterpret_cast<uint64_t>(&loader_handoff_end[0]) - start;
    if (size > paging::kPageSize) return lib::Error::make(lib::ErrorCode::kEINVAL, "hand-off code exceeds a page");
    // EfiLoaderCode: memory the firmware keeps executable; the kernel may
    // reuse it (USABLE) once it runs, by which time the copy has done its job.
    uint64_t page = TRY(uefi::allocate_pages(1, kEfiLoaderCode, "out of memory for the hand-off code", paging::k4GiB));
    lib::copy_bytes(reinterpret_cast<void*>(page), reinterpret_cast<const void*>(start), size);
    return page;
}

void prepare_cpu_state(bool nx, bool pat) {
    if (nx) cpu::wrmsr(x86_64::msr::kEfer, cpu::rdmsr(x86_64::msr::kEfer) | x86_64::efer::kNoExecuteEnable);
    // PAT entries 0-3 keep their reset values, so the firmware's mappings
    // (still live until CR3 switches) keep their memory types.
    if (pat) cpu::wrmsr(x86_64::msr::kPat, x86_64::paging::kPatLayout);
}

void hand_off(uint64_t code_page, HandoffState* state) {
    auto* code = reinterpret_cast<void (*)(HandoffState*)>(code_page);
    code(state);
    __builtin_unreachable();
}

}  // namespace loader
