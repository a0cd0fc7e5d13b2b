#include "loader/smp/response.hpp"

#include "lib/utility.hpp"

namespace loader::smp {
namespace {

// Each part starts on a 16-byte boundary: more than the 8 bytes the fields
// need, and it keeps every smp_info in one cache line when the block is
// page aligned (an AP polls its goto_address while the kernel writes others).
constexpr uint64_t kPartAlignment = 16;

constexpr uint64_t header_bytes() {
    return lib::align_up(sizeof(limine::SmpResponse), kPartAlignment);
}

}  // namespace

uint64_t response_block_size(size_t cpu_count) {
    uint64_t infos = lib::align_up(cpu_count * sizeof(limine::SmpInfo), kPartAlignment);
    return header_bytes() + infos + cpu_count * sizeof(limine::SmpInfo*);
}

ResponseBlock::ResponseBlock(uint8_t* block, uint64_t block_virtual, size_t cpu_count)
    : block_(block), block_virtual_(block_virtual), cpu_count_(cpu_count) {}

uint64_t ResponseBlock::infos_offset() const {
    return header_bytes();
}

uint64_t ResponseBlock::pointers_offset() const {
    return infos_offset() + lib::align_up(cpu_count_ * sizeof(limine::SmpInfo), kPartAlignment);
}

limine::SmpInfo* ResponseBlock::info(size_t index) const {
    return reinterpret_cast<limine::SmpInfo*>(block_ + infos_offset()) + index;
}

uint64_t ResponseBlock::info_virtual(size_t index) const {
    return block_virtual_ + infos_offset() + index * sizeof(limine::SmpInfo);
}

limine::SmpResponse* ResponseBlock::finish(const CpuList& cpus, uint32_t bsp_lapic_id, bool x2apic_enabled) {
    auto* pointers = reinterpret_cast<uint64_t*>(block_ + pointers_offset());
    size_t listed = 0;
    size_t count = lib::min(cpus.count, cpu_count_);
    for (size_t i = 0; i < count; ++i) {
        limine::SmpInfo* slot = info(i);
        slot->processor_id = cpus.cpus[i].processor_uid;
        slot->lapic_id = cpus.cpus[i].apic_id;
        slot->reserved = 0;
        slot->extra_argument = 0;
        // goto_address stays as the kernel must find it: null
        // (docs/limine-protocol.md §4). It is not written here: an AP may already be polling it.
        if (cpus.cpus[i].online) pointers[listed++] = info_virtual(i);
    }

    auto* response = reinterpret_cast<limine::SmpResponse*>(block_);
    response->revision = 0;
    response->flags = x2apic_enabled ? limine::kSmpResponseX2apic : 0;
    response->bsp_lapic_id = bsp_lapic_id;
    response->cpu_count = listed;
    response->cpus = reinterpret_cast<limine::SmpInfo**>(block_virtual_ + pointers_offset());
    return response;
}

}  // namespace loader::smp
