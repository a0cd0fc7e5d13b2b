// Backtraces by walking the RBP frame chain (the kernel keeps frame pointers:
// -fno-omit-frame-pointer). Each frame is [saved RBP][return address] at RBP
// (System V ABI AMD64 §3.2.2, "The Stack Frame"); the chain ends at RBP = 0,
// which kernel/boot/entry.S sets before the first call.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace debug {

inline constexpr size_t kMaxBacktraceDepth = 32;

// Collects up to `max` return addresses, starting with the frame at
// `frame_pointer`. A frame is only read if it is 8-byte aligned, lies above
// the previous one (stacks grow down, so callers' frames are higher) and
// within kMaxStackSpan of `stack_pointer`, and is mapped (address_probe.hpp).
// The walk stops at the first frame that fails, at RBP = 0, or at a return
// address outside the kernel's text (after recording it).
size_t collect_backtrace(uint64_t frame_pointer, uint64_t stack_pointer, uint64_t* return_addresses, size_t max);

// Prints "backtrace:" and one "  #i 0x<address> <function>+0x<offset>" line
// per frame through klog::print.
void print_backtrace(uint64_t frame_pointer, uint64_t stack_pointer);

// The same for code stopped by an exception: first a "#0" line for `rip`
// itself (the faulting instruction, not a return address), then the chain.
void print_backtrace_from(uint64_t rip, uint64_t frame_pointer, uint64_t stack_pointer);

// Prints the backtrace of the code calling it (frame #0 is the caller), e.g.
// after a klog::warn about something that should not happen.
void print_current_backtrace();

// The current frame pointer and stack pointer, for a backtrace from here.
inline uint64_t current_frame_pointer() { return reinterpret_cast<uint64_t>(__builtin_frame_address(0)); }

}  // namespace debug
