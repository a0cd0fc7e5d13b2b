// The vDSO (docs/syscalls.md "vDSO"): its data page (kernel/vdso/
// vdso_data.h, filled once from the kernel's clock) and its code, both in
// frames of their own, mapped into every new program by exec (shared,
// read-only; AT_SYSINFO_EHDR points at the code's ELF header, the data page
// is the page below).
#pragma once

#include "kernel/vm/address_space.hpp"
#include "lib/expected.hpp"

namespace proc {

// Frames for the data page and the image; the data from the clock. Once,
// after time and SMP (whether the TSCs are in step is known by then).
void init_vdso();
bool vdso_ready();

// exec's map_vdso hook: maps [data][image] into `space` and returns the
// image's address.
lib::Expected<uint64_t> map_vdso(vm::AddressSpace& space, void* context);

// Whether a region maps the vDSO's object (/proc/<pid>/maps names its data
// page [vvar] and its image [vdso]).
bool is_vdso(const vm::Backing* backing);

}  // namespace proc
