// Answers "may the panic path read this kernel address without faulting?" by
// walking the live page tables (CR3) through the higher-half direct map, so a
// backtrace over a corrupt stack stops instead of taking a page fault inside
// the panic handler.
#pragma once

#include <stdint.h>

namespace debug {

// True if every byte of [address, address + size) lies in the higher half and
// is mapped present. Without a known HHDM (before boot::init_from_loader) the
// tables can not be read, and the answer is false.
bool is_mapped_kernel_range(uint64_t address, uint64_t size);

}  // namespace debug
