// TLB shootdown through the SMP call IPIs (tlb_shootdown.hpp).
#include "kernel/proc/tlb_shootdown.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/smp/smp.hpp"
#include "kernel/vm/kernel_services.hpp"
#include "kernel/vm/tlb.hpp"
#include "lib/cpu_set.hpp"
#include "lib/x86_64/page_table.hpp"

namespace proc {
namespace {

struct Range {
    uint64_t root, start, end;
};

// On each CPU named, in its call IPI: only a CPU still running that
// address space has to flush (a CR3 switch since dropped the rest, as vm's
// local flush assumes); a large range goes whole.
void flush_here(void* argument) {
    const Range& range = *static_cast<const Range*>(argument);
    if ((arch::read_cr3() & x86_64::paging::pte::kAddressMask) != range.root) return;
    if ((range.end - range.start) / 4096 <= 32) {
        for (uint64_t page = range.start; page < range.end; page += 4096) arch::invlpg(page);
    } else {
        arch::write_cr3(arch::read_cr3());
    }
}

// vm flushes this CPU itself; the others are asked and waited for.
class IpiShootdown final : public vm::TlbShootdown {
public:
    void flush(const vm::CpuSet& cpus, uint64_t root, uint64_t start, uint64_t end) override {
        uint32_t self = arch::cpu_index();
        lib::CpuSet others;
        bool any = false;
        cpus.for_each([&](size_t cpu) {
            if (cpu != self) {
                others.add(uint32_t(cpu));
                any = true;
            }
        });
        if (!any) return;
        Range range{root, start, end};
        smp::call_on_set(others, flush_here, &range, smp::Wait::kYes);
    }
};

IpiShootdown g_shootdown;

}  // namespace

void install_tlb_shootdown() {
    vm::set_tlb_shootdown(&g_shootdown);
}

}  // namespace proc
