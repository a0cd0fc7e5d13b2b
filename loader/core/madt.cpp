// ACPI table lookup and the loader's reading of the MADT (ACPI 6.5 §5.2.5
// RSDP, §5.2.6 system description table header, §5.2.7 RSDT, §5.2.8 XSDT,
// §5.2.12 MADT). Tables come from firmware and may be corrupt: every length
// is checked against the bytes actually available, checksums are verified,
// and a zero-length MADT entry ends the walk with an error instead of
// looping forever.
#include "loader/core/madt.hpp"

#include "lib/utility.hpp"
#include "loader/core/bytes.hpp"

namespace loader {
namespace {

using bytes::byte_sum;
using bytes::read_u16;
using bytes::read_u32;
using bytes::read_u64;
using lib::Error;
using lib::ErrorCode;

constexpr size_t kSdtHeaderSize = 36;            // §5.2.6 Table 5.4
constexpr size_t kMadtEntriesOffset = 44;        // header + Local Interrupt Controller Address + Flags
constexpr size_t kRsdpV1Size = 20;               // §5.2.5.3: the ACPI 1.0 checksum covers these
constexpr size_t kRsdpV2Size = 36;               // §5.2.5.3: Length for revision 2 and later
constexpr uint32_t kMaxRsdpLength = 4096;        // refuse absurd RSDP lengths before summing
constexpr uint32_t kMaxTableLength = 16u << 20;  // likewise for any SDT (a MADT is a few KiB)

// MADT Interrupt Controller Structure types (§5.2.12, Table 5.21).
constexpr uint8_t kMadtLocalApic = 0;
constexpr uint8_t kMadtLocalApicAddressOverride = 5;
constexpr uint8_t kMadtLocalX2Apic = 9;
constexpr size_t kLocalApicLength = 8;         // §5.2.12.2
constexpr size_t kAddressOverrideLength = 12;  // §5.2.12.8
constexpr size_t kLocalX2ApicLength = 16;      // §5.2.12.12

// Local APIC Flags (§5.2.12.2, Table 5.23): Enabled and Online Capable.
constexpr uint32_t kApicEnabled = 1u << 0;
constexpr uint32_t kApicOnlineCapable = 1u << 1;

bool signature_is(const uint8_t* at, const char* signature, size_t length) {
    for (size_t i = 0; i < length; ++i)
        if (at[i] != static_cast<uint8_t>(signature[i])) return false;
    return true;
}

void add_cpu(MadtCpus& result, uint32_t processor_uid, uint32_t apic_id, bool enabled) {
    for (size_t i = 0; i < result.count; ++i)
        if (result.cpus[i].apic_id == apic_id) return;  // listed once, first entry wins
    if (result.count == kMaxCpus) {
        ++result.ignored_count;
        return;
    }
    result.cpus[result.count++] = MadtCpu{processor_uid, apic_id, enabled};
}

// Validates an SDT at `at` whose signature the caller already checked or does
// not care about: length within bounds, checksum zero. Returns the table.
lib::Expected<lib::Bytes> checked_table(const uint8_t* at, const char* what_truncated, const char* what_checksum) {
    uint32_t length = read_u32(at + 4);
    if (length < kSdtHeaderSize || length > kMaxTableLength) return Error::make(ErrorCode::kInvalid, what_truncated);
    if (byte_sum(at, length) != 0) return Error::make(ErrorCode::kInvalid, what_checksum);
    return lib::Bytes(at, length);
}

}  // namespace

lib::Expected<MadtCpus> parse_madt_cpus(lib::Bytes madt) {
    if (madt.size() < kMadtEntriesOffset)
        return Error::make(ErrorCode::kTruncated, "MADT: shorter than its 44-byte fixed part");
    const uint8_t* table = madt.data();
    if (!signature_is(table, "APIC", 4)) return Error::make(ErrorCode::kInvalid, "MADT: signature is not 'APIC'");
    uint32_t length = read_u32(table + 4);
    if (length < kMadtEntriesOffset)
        return Error::make(ErrorCode::kInvalid, "MADT: Length field is smaller than the 44-byte fixed part");
    if (length > madt.size()) return Error::make(ErrorCode::kTruncated, "MADT: Length field runs past the table bytes");
    if (byte_sum(table, length) != 0) return Error::make(ErrorCode::kInvalid, "MADT: checksum does not sum to zero");

    MadtCpus result{};
    result.local_apic_address = read_u32(table + 36);
    for (size_t at = kMadtEntriesOffset; at < length;) {
        if (length - at < 2) return Error::make(ErrorCode::kTruncated, "MADT: entry header cut off at the table end");
        uint8_t type = table[at];
        uint8_t entry_length = table[at + 1];
        if (entry_length < 2)
            return Error::make(ErrorCode::kInvalid, "MADT: entry with length below 2 (would never advance)");
        if (entry_length > length - at)
            return Error::make(ErrorCode::kTruncated, "MADT: entry runs past the table end");
        const uint8_t* entry = table + at;
        switch (type) {
            case kMadtLocalApic: {
                if (entry_length < kLocalApicLength)
                    return Error::make(ErrorCode::kInvalid, "MADT: Processor Local APIC entry shorter than 8 bytes");
                uint32_t flags = read_u32(entry + 4);
                if (flags & (kApicEnabled | kApicOnlineCapable))
                    add_cpu(result, entry[2], entry[3], (flags & kApicEnabled) != 0);
                break;
            }
            case kMadtLocalX2Apic: {
                if (entry_length < kLocalX2ApicLength)
                    return Error::make(ErrorCode::kInvalid, "MADT: Processor Local x2APIC entry shorter than 16 bytes");
                uint32_t flags = read_u32(entry + 8);
                if (flags & (kApicEnabled | kApicOnlineCapable))
                    add_cpu(result, read_u32(entry + 12), read_u32(entry + 4), (flags & kApicEnabled) != 0);
                break;
            }
            case kMadtLocalApicAddressOverride: {
                if (entry_length < kAddressOverrideLength)
                    return Error::make(ErrorCode::kInvalid,
                                       "MADT: Local APIC Address Override entry shorter than 12 bytes");
                result.local_apic_address = read_u64(entry + 4);
                break;
            }
            default: break;  // I/O APICs, overrides, NMIs: not the loader's business
        }
        at += entry_length;
    }
    return result;
}

lib::Expected<lib::Bytes> find_acpi_table(const uint8_t* rsdp, const char signature[4], PhysToPtr phys_to_ptr) {
    if (!rsdp) return Error::make(ErrorCode::kNotFound, "ACPI: no RSDP");
    if (!signature_is(rsdp, "RSD PTR ", 8))
        return Error::make(ErrorCode::kInvalid, "ACPI: RSDP signature is not 'RSD PTR '");
    if (byte_sum(rsdp, kRsdpV1Size) != 0)
        return Error::make(ErrorCode::kInvalid, "ACPI: RSDP checksum (first 20 bytes) is wrong");
    uint8_t revision = rsdp[15];

    uint64_t root_address = read_u32(rsdp + 16);
    size_t entry_size = 4;
    const char* root_signature = "RSDT";
    if (revision >= 2) {
        uint32_t length = read_u32(rsdp + 20);
        if (length < kRsdpV2Size || length > kMaxRsdpLength)
            return Error::make(ErrorCode::kInvalid, "ACPI: RSDP Length is outside 36..4096");
        if (byte_sum(rsdp, length) != 0)
            return Error::make(ErrorCode::kInvalid, "ACPI: RSDP extended checksum is wrong");
        uint64_t xsdt_address = read_u64(rsdp + 24);
        // Prefer the XSDT when the RSDP offers one (§5.2.5.3: OSPM should use
        // the XSDT address when revision >= 2).
        if (xsdt_address != 0) {
            root_address = xsdt_address;
            entry_size = 8;
            root_signature = "XSDT";
        }
    }
    if (root_address == 0) return Error::make(ErrorCode::kNotFound, "ACPI: RSDP gives no RSDT/XSDT address");
    const uint8_t* root = phys_to_ptr(root_address);
    if (!root) return Error::make(ErrorCode::kOutOfRange, "ACPI: RSDT/XSDT address is not readable");
    if (!signature_is(root, root_signature, 4))
        return Error::make(ErrorCode::kInvalid, entry_size == 8 ? "ACPI: XSDT signature is not 'XSDT'"
                                                                : "ACPI: RSDT signature is not 'RSDT'");
    lib::Bytes root_table = TRY(
        checked_table(root, "ACPI: RSDT/XSDT Length is below 36 or above 16 MiB", "ACPI: RSDT/XSDT checksum is wrong"));

    bool found_corrupt = false;
    size_t entry_count = (root_table.size() - kSdtHeaderSize) / entry_size;
    for (size_t i = 0; i < entry_count; ++i) {
        const uint8_t* entry = root_table.data() + kSdtHeaderSize + i * entry_size;
        uint64_t address = entry_size == 8 ? read_u64(entry) : read_u32(entry);
        if (address == 0) continue;
        const uint8_t* table = phys_to_ptr(address);
        if (!table || !signature_is(table, signature, 4)) continue;
        auto checked = checked_table(table, "", "");
        if (checked) return checked.value();
        // A corrupt copy: keep looking for an intact table of that name.
        found_corrupt = true;
    }
    if (found_corrupt)
        return Error::make(ErrorCode::kInvalid, "ACPI: the requested table fails its length or checksum check");
    return Error::make(ErrorCode::kNotFound, "ACPI: no table with the requested signature in the RSDT/XSDT");
}

}  // namespace loader
