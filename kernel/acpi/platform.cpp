#include "kernel/acpi/platform.hpp"

namespace acpi {

void Platform::parse(const PhysicalWindow& window, uint64_t rsdp_physical) {
    problems.clear();
    tables.load(window, rsdp_physical, problems);

    has_fadt = false;
    if (const TableRecord* record = tables.find(signature::kFadt)) {
        parse_fadt(record->bytes, fadt, problems);
        has_fadt = true;
        // A DSDT that will not validate is in `problems`; the tables that
        // did are still the platform's.
        if (fadt.dsdt_address != 0 && tables.count(signature::kDsdt) == 0)
            (void)tables.add(window, fadt.dsdt_address, signature::kDsdt, signature::kFadt, problems);
    }
    // Only the first of each: a second MADT/HPET/MCFG is not defined by the
    // spec (several HPET blocks each get an HPET table, but one timer is all
    // the kernel needs; table_bytes("HPET", 1) reaches the rest).
    has_madt = false;
    if (const TableRecord* record = tables.find(signature::kMadt)) {
        parse_madt(record->bytes, madt, problems);
        has_madt = true;
    }
    has_hpet = false;
    if (const TableRecord* record = tables.find(signature::kHpet)) has_hpet = parse_hpet(record->bytes, hpet, problems);
    has_mcfg = false;
    if (const TableRecord* record = tables.find(signature::kMcfg)) {
        parse_mcfg(record->bytes, mcfg, problems);
        has_mcfg = true;
    }
}

}  // namespace acpi
