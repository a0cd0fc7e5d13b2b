// The loader's reading of the firmware's ACPI tables: the MADT (ACPI 6.5
// §5.2.12), for the processors to start and the I/O APICs to mask before the
// kernel runs, and any other table by signature (DMAR, IVRS for the IOMMUs).
// The tables are found and decoded by lib/acpi (the kernel's parser too), reading
// physical memory through the identity map UEFI boot services keep
// (UEFI 2.10 §2.3.4).
#pragma once

#include "lib/acpi/madt.hpp"
#include "lib/acpi/signature.hpp"

namespace loader {

// The MADT reachable from the RSDP at `rsdp` (null: none), parsed once and
// kept for the rest of the boot; null, with the reason in `*problem`, when
// there is no usable one. A MADT with bad entries is still returned with its
// valid part (the first problem is in `*problem` then).
const acpi::MadtInfo* read_madt(const void* rsdp, const char** problem);

// The bytes of the first intact table with `signature`
// (acpi::Signature::of("DMAR")) that the RSDT/XSDT of `rsdp` lists; empty
// when there is none.
lib::Bytes read_acpi_table(const void* rsdp, acpi::Signature signature);

}  // namespace loader
