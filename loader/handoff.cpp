#include "loader/handoff.hpp"

#include "loader/cpu.hpp"
#include "loader/paging.hpp"

extern "C" void loader_handoff(const loader::HandoffState* state);
extern "C" char loader_handoff_end[];

namespace loader {

void fill_limine_gdt(uint64_t* gdt) {
    // Segment descriptors, SDM Vol. 3A §3.4.5: limit 15:0, base 23:0, access
    // (P, DPL 0, S, type), limit 19:16 + flags (G, D/B, L), base 31:24.
    gdt[0] = 0;
    gdt[1] = 0x00009a000000ffffULL;  // 16-bit code: base 0, limit 0xffff, execute/read
    gdt[2] = 0x000092000000ffffULL;  // 16-bit data: read/write
    gdt[3] = 0x00cf9a000000ffffULL;  // 32-bit code: 4 GiB, G=1, D=1
    gdt[4] = 0x00cf92000000ffffULL;  // 32-bit data
    gdt[5] = 0x00af9a000000ffffULL;  // 64-bit code: L=1, D=0
    gdt[6] = 0x00cf92000000ffffULL;  // 64-bit data
}

uint64_t handoff_code_start() { return reinterpret_cast<uint64_t>(&loader_handoff); }
uint64_t handoff_code_end() { return reinterpret_cast<uint64_t>(&loader_handoff_end[0]); }

void prepare_cpu_state(bool nx, bool pat) {
    if (nx) cpu::wrmsr(cpu::kMsrEfer, cpu::rdmsr(cpu::kMsrEfer) | cpu::kEferNxe);
    // PAT entries 0-3 keep their reset values, so the firmware's mappings
    // (still live until CR3 switches) keep their memory types.
    if (pat) cpu::wrmsr(cpu::kMsrPat, paging::kPatValue);
}

void hand_off(const HandoffState& state) {
    loader_handoff(&state);
    __builtin_unreachable();
}

}  // namespace loader
