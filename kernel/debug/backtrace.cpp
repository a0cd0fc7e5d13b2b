// RBP-chain stack walking; see backtrace.hpp.
#include "kernel/debug/backtrace.hpp"

#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/address_probe.hpp"
#include "kernel/debug/symbols.hpp"

namespace debug {
namespace {

// Kernel stacks are at most a few pages; the loader's boot stack is at least
// 64 KiB (docs/limine-protocol.md §3). A frame farther than this from the stack pointer
// is taken for garbage.
constexpr uint64_t kMaxStackSpan = 1024 * 1024;

constexpr uint64_t kPageSize = 4096;

bool plausible_frame(uint64_t frame, uint64_t lowest, uint64_t stack_pointer) {
    if (frame == 0 || (frame & 7) != 0 || frame < lowest) return false;
    if (frame < stack_pointer || frame - stack_pointer > kMaxStackSpan) return false;
    if (boot::info().hhdm_offset == 0) {
        // Too early to read the page tables (no HHDM yet): only the page the
        // stack pointer is in is known to be mapped.
        uint64_t page_end = (stack_pointer | (kPageSize - 1)) + 1;
        return frame + 16 <= page_end;
    }
    return is_mapped_kernel_range(frame, 16);
}

}  // namespace

size_t collect_backtrace(uint64_t frame_pointer, uint64_t stack_pointer, uint64_t* return_addresses, size_t max) {
    size_t count = 0;
    uint64_t frame = frame_pointer;
    uint64_t lowest = stack_pointer;
    while (count < max && plausible_frame(frame, lowest, stack_pointer)) {
        const volatile uint64_t* words = reinterpret_cast<const volatile uint64_t*>(frame);
        uint64_t next_frame = words[0];
        uint64_t return_address = words[1];
        if (return_address == 0) break;  // the entry stub's fake return address
        return_addresses[count++] = return_address;
        if (!is_kernel_text(return_address)) break;
        lowest = frame + 16;  // the caller's frame must lie strictly above this one
        frame = next_frame;
    }
    return count;
}

namespace {

// `lookup_bias` is 1 for return addresses: they point after the call, which
// for a call to a [[noreturn]] function may already be the next function,
// so the byte before them (inside the call) is looked up instead.
void print_frame(size_t index, uint64_t address, uint64_t lookup_bias) {
    SymbolName symbol;
    if (symbolize(address - lookup_bias, symbol))
        klog::print("  #{} {:#018x} {}+{:#x}\n", index, address, symbol.name, symbol.offset + lookup_bias);
    else
        klog::print("  #{} {:#018x} ?\n", index, address);
}

void print_frames(size_t first_index, uint64_t frame_pointer, uint64_t stack_pointer) {
    uint64_t addresses[kMaxBacktraceDepth];
    size_t count = collect_backtrace(frame_pointer, stack_pointer, addresses, kMaxBacktraceDepth);
    if (count == 0 && first_index == 0) klog::print("  (no frames)\n");
    for (size_t i = 0; i < count; ++i) print_frame(first_index + i, addresses[i], 1);
    if (count == kMaxBacktraceDepth) klog::print("  ... (truncated at {} frames)\n", count);
}

}  // namespace

void print_backtrace(uint64_t frame_pointer, uint64_t stack_pointer) {
    klog::print("backtrace:\n");
    print_frames(0, frame_pointer, stack_pointer);
}

[[gnu::noinline]] void print_current_backtrace() {
    uint64_t stack_pointer;
    asm volatile("mov %%rsp, %0" : "=r"(stack_pointer));
    print_backtrace(current_frame_pointer(), stack_pointer);
}

void print_backtrace_from(uint64_t rip, uint64_t frame_pointer, uint64_t stack_pointer) {
    klog::print("backtrace:\n");
    print_frame(0, rip, 0);
    print_frames(1, frame_pointer, stack_pointer);
}

}  // namespace debug
