// How the ACPI parser reaches physical memory. The kernel's window goes
// through the HHDM and refuses ranges the loader did not map; host tests give
// a fake memory made of a few regions. Everything that reads a table goes
// through here, so a hostile pointer in a table can never make the parser
// touch an unmapped address.
#pragma once

#include <stdint.h>

#include "lib/span.hpp"

namespace acpi {

class PhysicalWindow {
public:
    // The `length` bytes at `physical`, or an empty span if any of them can
    // not be read (unmapped, or the range wraps around).
    virtual lib::Bytes view(uint64_t physical, uint64_t length) const = 0;

protected:
    // Not virtual: windows are never deleted through this interface (and the
    // kernel has no operator delete for a deleting destructor to call).
    ~PhysicalWindow() = default;
};

}  // namespace acpi
