// A four-character ACPI table signature (ACPI 6.5 §5.2.6, Table 5.5 lists
// the defined ones: "APIC" is the MADT, "FACP" the FADT, ...).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/span.hpp"
#include "lib/string_view.hpp"

namespace acpi {

struct Signature {
    char text[4] = {};

    // The first four characters of a literal: Signature::of("APIC").
    template <size_t N>
    static constexpr Signature of(const char (&literal)[N]) {
        static_assert(N == 5, "an ACPI signature has exactly four characters");
        return Signature{{literal[0], literal[1], literal[2], literal[3]}};
    }
    // The first four bytes of `bytes` (zero-filled when shorter).
    static constexpr Signature from(lib::Bytes bytes) {
        Signature result;
        for (size_t i = 0; i < 4 && i < bytes.size(); ++i) result.text[i] = static_cast<char>(bytes[i]);
        return result;
    }

    constexpr lib::StringView view() const { return lib::StringView(text, 4); }

    // A copy fit for the log: non-printable bytes become '?'.
    struct Printable {
        char text[5];
    };
    constexpr Printable printable() const {
        Printable result{};
        for (size_t i = 0; i < 4; ++i) {
            auto c = static_cast<uint8_t>(text[i]);
            result.text[i] = (c >= 0x20 && c < 0x7f) ? text[i] : '?';
        }
        result.text[4] = '\0';
        return result;
    }

    friend constexpr bool operator==(const Signature& a, const Signature& b) {
        return a.text[0] == b.text[0] && a.text[1] == b.text[1] && a.text[2] == b.text[2] && a.text[3] == b.text[3];
    }
};

// The tables the project reads, by the signature ACPI gives each (ACPI 6.5
// Tables 5.5 and 5.6; DMAR: Intel VT-d spec §8.1; IVRS: AMD IOMMU spec §5.2).
namespace signature {
inline constexpr Signature kRsdt = Signature::of("RSDT");
inline constexpr Signature kXsdt = Signature::of("XSDT");
inline constexpr Signature kMadt = Signature::of("APIC");
inline constexpr Signature kFadt = Signature::of("FACP");
inline constexpr Signature kDsdt = Signature::of("DSDT");
inline constexpr Signature kSsdt = Signature::of("SSDT");
inline constexpr Signature kHpet = Signature::of("HPET");
inline constexpr Signature kMcfg = Signature::of("MCFG");
inline constexpr Signature kDmar = Signature::of("DMAR");
inline constexpr Signature kIvrs = Signature::of("IVRS");
}  // namespace signature

}  // namespace acpi
