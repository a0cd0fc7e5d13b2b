// Laying out the SMP response (docs/limine-protocol.md §4, SMP and smp_info) in one
// block of bootloader-reclaimable memory: the response, one smp_info per
// processor in the CPU list, then the array of pointers to the smp_info of
// every processor that is online. Every pointer written is an HHDM address.
//
// The smp_info slots are indexed like the CpuList (MADT order) and handed to
// the APs while they start, before it is known which ones come up; finish()
// then lists only the online ones, compacting the pointer array.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "loader/smp/cpu_list.hpp"
#include "protocol/limine.hpp"

namespace loader::smp {

// Bytes the block needs for `cpu_count` processors.
uint64_t response_block_size(size_t cpu_count);

class ResponseBlock {
public:
    ResponseBlock() = default;
    // `block`: a zeroed block of response_block_size(cpu_count) bytes that
    // the loader can write through; `block_virtual`: its HHDM address.
    ResponseBlock(uint8_t* block, uint64_t block_virtual, size_t cpu_count);

    bool is_valid() const { return block_ != nullptr; }

    // The smp_info slot of CpuList entry `index`, as the loader writes it and
    // as the kernel (and the AP) will see it.
    limine::SmpInfo* info(size_t index) const;
    uint64_t info_virtual(size_t index) const;

    // Fills every smp_info from the list, writes the pointers to the online
    // ones in list order and the header. Returns the response as the loader
    // sees it (pointer into `block`).
    limine::SmpResponse* finish(const CpuList& cpus, uint32_t bsp_lapic_id, bool x2apic_enabled);

private:
    uint64_t infos_offset() const;
    uint64_t pointers_offset() const;

    uint8_t* block_ = nullptr;
    uint64_t block_virtual_ = 0;
    size_t cpu_count_ = 0;
};

}  // namespace loader::smp
