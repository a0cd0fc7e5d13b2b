// The sleep type values for a system state (\_S5 for soft-off, ACPI 6.5
// §7.4.2 "\_Sx (System States)"): a package whose first two integers are
// the SLP_TYPa and SLP_TYPb values the OS writes to the PM1a and PM1b
// control registers (§4.8.3.2.1, §16.1.7 "Transitioning from the Working
// to the Soft Off State").
//
// Not an AML interpreter: a bounds-checked scan of a definition block for
// the one shape every firmware uses, a NameOp defining \_Sx (or _Sx) as a
// package of integer constants (§20.2.5.1 DefName, §20.2.5.4 DefPackage,
// §20.2.3 data objects). Anything else — a truncated package, a method, a
// reference — is "not found", and the caller falls back (no power-off).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace acpi {

struct SleepType {
    uint8_t a = 0;  // SLP_TYPa (3 bits)
    uint8_t b = 0;  // SLP_TYPb
};

// `aml` is a definition block's AML (the DSDT or an SSDT after its 36-byte
// header). `state` is the digit of \_Sx: '5' for soft-off.
lib::Expected<SleepType> find_sleep_type(lib::Bytes aml, char state);

}  // namespace acpi
