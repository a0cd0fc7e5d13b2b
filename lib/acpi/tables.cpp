// RSDP, RSDT/XSDT and table header validation (ACPI 6.5 §5.2.5 - §5.2.8).
#include "lib/acpi/tables.hpp"

#include "lib/bytes.hpp"

namespace acpi {
namespace {

constexpr Signature kRsdpName = Signature::of("RSDP");
constexpr size_t kRsdpV1Length = 20;  // §5.2.5.3: what the ACPI 1.0 checksum covers
constexpr size_t kRsdpV2Length = 36;  // §5.2.5.3: the Length of a revision 2 RSDP
constexpr uint32_t kMaxRsdpLength = 4096;
constexpr size_t kMaxRootEntries = 1024;

using lib::byte_sum;
using lib::read_le;
using lib::read_u32;
using lib::read_u64;
using lib::read_u8;

// Copies a fixed-width text field (OEM ID, OEM Table ID) into `out`, which
// holds `width + 1` chars; bytes that are not printable ASCII become '?',
// trailing spaces and NULs are dropped, so the boot log never prints garbage.
void copy_printable(lib::Bytes bytes, size_t offset, size_t width, char* out) {
    size_t length = 0;
    for (size_t i = 0; i < width; ++i) {
        uint8_t c = read_u8(bytes, offset + i);
        out[i] = (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : (c == 0 ? ' ' : '?');
        if (out[i] != ' ') length = i + 1;
    }
    out[length] = '\0';
}

}  // namespace

SdtHeader decode_sdt_header(lib::Bytes bytes) {
    SdtHeader header{};
    header.signature = Signature::from(bytes);
    header.length = read_u32(bytes, 4);
    header.revision = read_u8(bytes, 8);
    copy_printable(bytes, 10, 6, header.oem_id);
    copy_printable(bytes, 16, 8, header.oem_table_id);
    header.oem_revision = read_u32(bytes, 24);
    copy_printable(bytes, 28, 4, header.creator_id);
    header.creator_revision = read_u32(bytes, 32);
    return header;
}

lib::Bytes read_table(const PhysicalWindow& window, uint64_t physical, Signature referrer, Diagnostics& problems) {
    lib::Bytes head = window.view(physical, kSdtHeaderSize);
    if (head.size() != kSdtHeaderSize) {
        problems.report(referrer, "points at a table in unreadable memory; ignored", physical);
        return {};
    }
    Signature signature = Signature::from(head);
    uint32_t length = read_u32(head, 4);
    if (length < kSdtHeaderSize) {
        problems.report(signature, "Length is shorter than the 36-byte header; table ignored", length);
        return {};
    }
    if (length > kMaxTableLength) {
        problems.report(signature, "Length is absurdly large (over 16 MiB); table ignored", length);
        return {};
    }
    lib::Bytes table = window.view(physical, length);
    if (table.size() != length) {
        problems.report(signature, "table runs into unreadable memory; table ignored", physical);
        return {};
    }
    if (byte_sum(table) != 0) {
        problems.report(signature, "checksum is wrong; table ignored", physical);
        return {};
    }
    return table;
}

bool TableDirectory::load_rsdp(const PhysicalWindow& window, uint64_t physical, Diagnostics& problems) {
    lib::Bytes v1 = window.view(physical, kRsdpV1Length);
    if (v1.size() != kRsdpV1Length) {
        problems.report(kRsdpName, "RSDP address is not readable memory", physical);
        return false;
    }
    if (!lib::bytes_equal(v1, 0, "RSD PTR ", 8)) {
        problems.report(kRsdpName, "signature is not 'RSD PTR '", physical);
        return false;
    }
    if (byte_sum(v1) != 0) {
        problems.report(kRsdpName, "checksum of the first 20 bytes is wrong", physical);
        return false;
    }
    rsdp_.physical = physical;
    rsdp_.revision = read_u8(v1, 15);
    copy_printable(v1, 9, 6, rsdp_.oem_id);
    rsdp_.rsdt_address = read_u32(v1, 16);
    if (rsdp_.revision < 2) return true;

    // ACPI 2.0+: the extended part adds Length, XsdtAddress and a checksum
    // over the whole structure. A bad extended part leaves the RSDT usable.
    lib::Bytes head = window.view(physical, kRsdpV2Length);
    uint32_t length = read_u32(head, 20);
    if (head.size() != kRsdpV2Length || length < kRsdpV2Length || length > kMaxRsdpLength) {
        problems.report(kRsdpName, "revision 2 but Length is not 36..4096; using the RSDT", length);
        return true;
    }
    lib::Bytes whole = window.view(physical, length);
    if (whole.size() != length || byte_sum(whole) != 0) {
        problems.report(kRsdpName, "extended checksum is wrong; using the RSDT", physical);
        return true;
    }
    rsdp_.xsdt_address = read_u64(whole, 24);
    return true;
}

bool TableDirectory::load_root(const PhysicalWindow& window, uint64_t physical, bool extended, Diagnostics& problems) {
    Signature expected = extended ? signature::kXsdt : signature::kRsdt;
    lib::Bytes root = read_table(window, physical, kRsdpName, problems);
    if (root.empty()) return false;
    if (!(Signature::from(root) == expected)) {
        problems.report(expected, "root table does not carry its signature", physical);
        return false;
    }
    root_ = root;
    root_physical_ = physical;
    uses_xsdt_ = extended;

    // §5.2.7/§5.2.8: after the header, an array of 4-byte (RSDT) or 8-byte
    // (XSDT) physical addresses filling the rest of Length.
    size_t entry_size = extended ? 8 : 4;
    size_t entries = (root.size() - kSdtHeaderSize) / entry_size;
    if (entries > kMaxRootEntries) {
        // Real root tables list a few dozen tables; a huge one is corrupt,
        // and walking millions of bogus entries would stall the boot.
        problems.report(expected, "lists absurdly many entries; only the first 1024 are read", entries);
        entries = kMaxRootEntries;
    }
    if ((root.size() - kSdtHeaderSize) % entry_size != 0)
        problems.report(expected, "Length leaves a partial entry at the end; it is ignored", root.size());
    for (size_t i = 0; i < entries; ++i) {
        uint64_t address = read_le(root, kSdtHeaderSize + i * entry_size, entry_size);
        if (address == 0) {
            problems.report(expected, "entry is a null address; skipped", i);
            continue;
        }
        if (count_ == kCapacity) {
            problems.report(expected, "more tables than the directory holds; the rest are ignored", entries);
            break;
        }
        lib::Bytes table = read_table(window, address, expected, problems);
        if (table.empty()) continue;
        tables_[count_++] = TableRecord{decode_sdt_header(table), address, table};
    }
    return true;
}

void TableDirectory::load(const PhysicalWindow& window, uint64_t rsdp_physical, Diagnostics& problems) {
    // Field by field: a whole TableDirectory temporary is ~5 KiB of kernel stack.
    count_ = 0;
    rsdp_ = Rsdp{};
    found_rsdp_ = false;
    uses_xsdt_ = false;
    root_physical_ = 0;
    root_ = {};
    if (rsdp_physical == 0) {
        problems.report(kRsdpName, "the boot loader gave no RSDP");
        return;
    }
    if (!load_rsdp(window, rsdp_physical, problems)) return;
    found_rsdp_ = true;
    // §5.2.5.3: an OS that understands 64-bit addresses uses the XSDT when
    // there is one; the RSDT is the fallback if the XSDT is unusable.
    if (rsdp_.xsdt_address != 0 && load_root(window, rsdp_.xsdt_address, true, problems)) return;
    if (rsdp_.rsdt_address != 0 && load_root(window, rsdp_.rsdt_address, false, problems)) return;
    problems.report(kRsdpName, "no usable RSDT or XSDT");
}

bool TableDirectory::add(const PhysicalWindow& window, uint64_t physical, Signature expected, Signature referrer,
                         Diagnostics& problems) {
    if (count_ == kCapacity) {
        problems.report(expected, "directory full; table ignored", physical);
        return false;
    }
    lib::Bytes table = read_table(window, physical, referrer, problems);
    if (table.empty()) return false;
    if (!(Signature::from(table) == expected)) {
        problems.report(expected, "pointed-to table carries another signature; ignored", physical);
        return false;
    }
    tables_[count_++] = TableRecord{decode_sdt_header(table), physical, table};
    return true;
}

const TableRecord* TableDirectory::find(Signature signature, size_t index) const {
    for (size_t i = 0; i < count_; ++i) {
        if (!(tables_[i].header.signature == signature)) continue;
        if (index == 0) return &tables_[i];
        --index;
    }
    return nullptr;
}

lib::Bytes TableDirectory::table_bytes(Signature signature, size_t index) const {
    const TableRecord* record = find(signature, index);
    return record ? record->bytes : lib::Bytes{};
}

size_t TableDirectory::count(Signature signature) const {
    size_t n = 0;
    for (size_t i = 0; i < count_; ++i)
        if (tables_[i].header.signature == signature) ++n;
    return n;
}

}  // namespace acpi
