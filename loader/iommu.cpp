// turn_off_iommus(); see iommu.hpp.
#include "loader/iommu.hpp"

#include "loader/console.hpp"
#include "loader/core/iommu.hpp"
#include "loader/cpu.hpp"
#include "loader/madt.hpp"

namespace loader {
namespace {

uint32_t read32(void*, uint64_t address) {
    return cpu::mmio_read32(address);
}
void write32(void*, uint64_t address, uint32_t value) {
    cpu::mmio_write32(address, value);
}

}  // namespace

void turn_off_iommus(const void* rsdp) {
    constexpr size_t kMaxUnits = 16;
    iommu::Unit units[kMaxUnits];
    size_t count = iommu::find_vtd_units(read_acpi_table(rsdp, acpi::signature::kDmar), units, kMaxUnits);
    count += iommu::find_amdvi_units(read_acpi_table(rsdp, acpi::signature::kIvrs), units + count, kMaxUnits - count);
    iommu::RegisterAccess access{&read32, &write32, nullptr};
    for (size_t i = 0; i < count; ++i) {
        iommu::Outcome outcome = iommu::turn_off(units[i], access);
        console::print("loader: IOMMU: {} unit at {:#x} {}\n", units[i].kind == iommu::Kind::kVtd ? "VT-d" : "AMD-Vi",
                       units[i].registers, iommu::outcome_name(outcome));
    }
}

}  // namespace loader
