// The kernel's Limine requests, defined in kernel/boot/limine.cpp. Only the
// boot module (kernel/boot/) includes this: the protocol tests there read the
// raw responses; everything else uses BootInfo.
#pragma once

#include "protocol/limine.hpp"

namespace boot::requests {

extern volatile uint64_t base_revision[3];
extern volatile limine::BootloaderInfoRequest bootloader_info;
extern volatile limine::FirmwareTypeRequest firmware_type;
extern volatile limine::StackSizeRequest stack_size;
extern volatile limine::HhdmRequest hhdm;
extern volatile limine::FramebufferRequest framebuffer;
extern volatile limine::PagingModeRequest paging_mode;
extern volatile limine::SmpRequest smp;
extern volatile limine::MemmapRequest memmap;
extern volatile limine::EntryPointRequest entry_point;
extern volatile limine::KernelFileRequest kernel_file;
extern volatile limine::ModuleRequest module;
extern volatile limine::RsdpRequest rsdp;
extern volatile limine::SmbiosRequest smbios;
extern volatile limine::EfiSystemTableRequest efi_system_table;
extern volatile limine::EfiMemmapRequest efi_memmap;
extern volatile limine::BootTimeRequest boot_time;
extern volatile limine::KernelAddressRequest kernel_address;
extern volatile limine::ExecutableCmdlineRequest executable_cmdline;
extern volatile limine::BootloaderPerformanceRequest bootloader_performance;
extern volatile limine::TscFrequencyRequest tsc_frequency;
extern volatile limine::EntropyRequest entropy;

// How many random words the kernel asks for (Entropy request).
inline constexpr uint64_t kEntropyWords = 4;

}  // namespace boot::requests
