// Finding the ACPI tables: the RSDP (ACPI 6.5 §5.2.5), the RSDT (§5.2.7) or
// XSDT (§5.2.8) it points to, and every system description table those list,
// each with its header (§5.2.6) and checksum validated. Tables that fail are
// reported in Diagnostics and left out of the directory, so whatever is found
// by signature can be trusted to be complete and intact.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/acpi/diagnostics.hpp"
#include "lib/acpi/physical_window.hpp"
#include "lib/acpi/signature.hpp"
#include "lib/span.hpp"

namespace acpi {

inline constexpr size_t kSdtHeaderSize = 36;            // §5.2.6, Table 5.4
inline constexpr uint64_t kMaxTableLength = 16u << 20;  // far above any real table (DSDTs are ~100 KiB)

// The system description table header (§5.2.6, Table 5.4), decoded.
struct SdtHeader {
    Signature signature;
    uint32_t length;
    uint8_t revision;
    char oem_id[7];  // printable, trailing spaces dropped
    char oem_table_id[9];
    uint32_t oem_revision;
    char creator_id[5];
    uint32_t creator_revision;
};

// Decodes the header at the start of `bytes` (which must hold 36 bytes).
SdtHeader decode_sdt_header(lib::Bytes bytes);

// The Root System Description Pointer (§5.2.5.3, Table 5.3).
struct Rsdp {
    uint64_t physical = 0;
    uint8_t revision = 0;  // 0 for ACPI 1.0, 2 for ACPI 2.0 and later
    char oem_id[7] = {};
    uint32_t rsdt_address = 0;
    uint64_t xsdt_address = 0;  // 0 if revision < 2 or the extended part is bad
};

struct TableRecord {
    SdtHeader header;
    uint64_t physical;
    lib::Bytes bytes;  // exactly header.length bytes, checksum verified
};

class TableDirectory {
public:
    static constexpr size_t kCapacity = 64;

    // Reads the RSDP at `rsdp_physical`, the XSDT (or, without a usable one,
    // the RSDT) and every table they list. Never fails as a whole: problems
    // go to `problems`; without a usable RSDP the directory stays empty.
    void load(const PhysicalWindow& window, uint64_t rsdp_physical, Diagnostics& problems);

    // Validates the table at `physical` and adds it (used for the DSDT, which
    // only the FADT points to). `expected` is the signature it must carry;
    // `referrer` the table whose pointer it was (named if that is bad).
    // Whether it was added; why not is in `problems`.
    [[nodiscard]] bool add(const PhysicalWindow& window, uint64_t physical, Signature expected, Signature referrer,
             Diagnostics& problems);

    // The index-th valid table with this signature, in root-table order
    // (several SSDTs are usual); null if there are not that many.
    const TableRecord* find(Signature signature, size_t index = 0) const;
    // Its bytes (header included), or an empty span.
    lib::Bytes table_bytes(Signature signature, size_t index = 0) const;
    size_t count(Signature signature) const;

    lib::Span<const TableRecord> tables() const { return lib::Span<const TableRecord>(tables_, count_); }
    const Rsdp& rsdp() const { return rsdp_; }
    bool found_rsdp() const { return found_rsdp_; }
    bool uses_xsdt() const { return uses_xsdt_; }
    uint64_t root_physical() const { return root_physical_; }

private:
    [[nodiscard]] bool load_rsdp(const PhysicalWindow& window, uint64_t physical, Diagnostics& problems);
    [[nodiscard]] bool load_root(const PhysicalWindow& window, uint64_t physical, bool extended, Diagnostics& problems);

    TableRecord tables_[kCapacity] = {};
    size_t count_ = 0;
    Rsdp rsdp_;
    bool found_rsdp_ = false;
    bool uses_xsdt_ = false;
    uint64_t root_physical_ = 0;
    lib::Bytes root_;
};

// Reads and validates one system description table at `physical`: the
// header must fit, Length must cover the header and be mappable, and the
// checksum must be zero. On failure the problem is reported (under the
// table's signature, or under `referrer`, the table holding the pointer, when
// not even the header is readable) and the result is empty.
lib::Bytes read_table(const PhysicalWindow& window, uint64_t physical, Signature referrer, Diagnostics& problems);

}  // namespace acpi
