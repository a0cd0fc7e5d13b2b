// read_madt(); see madt.hpp.
#include "loader/madt.hpp"

#include "lib/acpi/physical_window.hpp"
#include "lib/acpi/tables.hpp"
#include "lib/utility.hpp"

namespace loader {
namespace {

// Under boot services physical memory is identity-mapped; nothing here knows
// which ranges exist, so only a null address and wrap-around are refused.
class IdentityWindow final : public acpi::PhysicalWindow {
public:
    lib::Bytes view(uint64_t physical, uint64_t length) const override {
        uint64_t last;
        if (physical == 0 || length == 0 || !lib::checked_add(physical, length - 1, last)) return {};
        return lib::Bytes(reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(physical)), length);
    }
};

// Constant-initialised: the loader runs no global constructors.
constinit IdentityWindow g_window;
constinit acpi::Diagnostics g_problems;
constinit acpi::TableDirectory g_tables;
constinit acpi::MadtInfo g_madt;
const void* g_parsed_rsdp = nullptr;
bool g_have_madt = false;
const char* g_problem = nullptr;

// Loads the table directory of `rsdp` once; true if it changed.
bool load_tables(const void* rsdp) {
    if (rsdp == g_parsed_rsdp) return false;
    g_parsed_rsdp = rsdp;
    g_problems.clear();
    g_tables.load(g_window, reinterpret_cast<uintptr_t>(rsdp), g_problems);
    return true;
}

}  // namespace

const acpi::MadtInfo* read_madt(const void* rsdp, const char** problem) {
    if (rsdp == nullptr) {
        *problem = "ACPI: no RSDP from the firmware";
        return nullptr;
    }
    if (load_tables(rsdp)) {
        lib::Bytes table = g_tables.table_bytes(acpi::signature::kMadt);
        g_have_madt = !table.empty();
        if (g_have_madt) acpi::parse_madt(table, g_madt, g_problems);
        g_problem = g_problems.count() ? g_problems[0].message
                    : g_have_madt      ? nullptr
                                       : "ACPI: no intact MADT in the RSDT/XSDT";
    }
    *problem = g_problem;
    return g_have_madt ? &g_madt : nullptr;
}

lib::Bytes read_acpi_table(const void* rsdp, acpi::Signature signature) {
    if (rsdp == nullptr) return {};
    const char* problem = nullptr;
    (void)read_madt(rsdp, &problem);  // the directory, loaded once for both
    return g_tables.table_bytes(signature);
}

}  // namespace loader
