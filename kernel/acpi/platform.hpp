// Everything the kernel learns from the ACPI tables, parsed in one go from
// the RSDP: the table directory, the typed views of the MADT, FADT, HPET and
// MCFG, and the list of problems found on the way. Pure logic over a
// PhysicalWindow, so host tests drive it with captured and broken tables.
#pragma once

#include <stdint.h>

#include "kernel/acpi/fadt.hpp"
#include "kernel/acpi/hpet.hpp"
#include "kernel/acpi/mcfg.hpp"
#include "lib/acpi/diagnostics.hpp"
#include "lib/acpi/madt.hpp"
#include "lib/acpi/physical_window.hpp"
#include "lib/acpi/tables.hpp"

namespace acpi {

struct Platform {
    TableDirectory tables;
    Diagnostics problems;

    bool has_madt = false;
    MadtInfo madt;
    bool has_fadt = false;
    FadtInfo fadt;
    bool has_hpet = false;
    HpetInfo hpet;
    bool has_mcfg = false;
    McfgInfo mcfg;

    // Parses everything reachable from the RSDP at `rsdp_physical`. The DSDT
    // (named only by the FADT) joins the directory, so table_bytes("DSDT")
    // finds it next to the SSDTs. Resets any earlier content first.
    void parse(const PhysicalWindow& window, uint64_t rsdp_physical);
};

}  // namespace acpi
