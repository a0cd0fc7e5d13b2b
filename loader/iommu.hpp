// Turning the IOMMUs off before the kernel runs (loader/core/iommu.hpp says
// why and how), on the hardware: the units the DMAR and IVRS tables list,
// their registers reached through the identity map the firmware's page
// tables keep after ExitBootServices.
#pragma once

namespace loader {

// Turns off every VT-d and AMD-Vi unit the ACPI tables of `rsdp` list and
// logs one line per unit (none without such tables). Call after
// ExitBootServices (the firmware may use them until then), unless the
// kernel sent the Keep IOMMU request.
void turn_off_iommus(const void* rsdp);

}  // namespace loader
