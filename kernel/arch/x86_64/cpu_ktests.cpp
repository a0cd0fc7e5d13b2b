// In-kernel tests of the GDT, TSS, IDT and the exception handlers (suite
// "cpu"): every exception the kernel can provoke at CPL 0 is raised through
// expect_fault() and checked for its vector, decoded error code, CR2 and
// faulting RIP. Not provokable here: #OF and #BR (INTO/BOUND are invalid in
// 64-bit mode), #TS (needs a task switch or a bad TSS on an IRET to another
// privilege level), #NP on a gate, #MF/#XM (x87/SSE are off in this kernel),
// #MC, #VE, #CP, #HV, #VC, #SX (need hardware or a hypervisor), and #AC:
// alignment checking applies only at CPL 3 (SDM Vol. 3A §6.15, "Interrupt
// 17"), which alignment_check_is_off_at_cpl0 shows.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/exception_info.hpp"
#include "kernel/arch/x86_64/fault_expect.hpp"
#include "kernel/arch/x86_64/fault_triggers.hpp"
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/test/ktest.hpp"

extern "C" const char __rodata_start[];
extern "C" char arch_interrupt_stubs[];

namespace {

using namespace arch;
namespace t = arch::fault_triggers;

void* as_pointer(uint64_t address) {
    return reinterpret_cast<void*>(address);
}

// Whether `address` lies in the trigger `function`: the triggers are a few
// instructions each, so their first 64 bytes hold the faulting one.
bool in_function(uint64_t address, void (*function)(void*)) {
    uint64_t start = reinterpret_cast<uint64_t>(function);
    return address >= start && address < start + 64;
}

Translation translate(uint64_t virt) {
    return arch::translate(virt, physical_map_offset());
}

struct SegmentRegisters {
    uint16_t cs, ds, es, ss, fs, gs, tr;
};

SegmentRegisters read_segment_registers() {
    SegmentRegisters r;
    asm volatile("movw %%cs, %0" : "=r"(r.cs));
    asm volatile("movw %%ds, %0" : "=r"(r.ds));
    asm volatile("movw %%es, %0" : "=r"(r.es));
    asm volatile("movw %%ss, %0" : "=r"(r.ss));
    asm volatile("movw %%fs, %0" : "=r"(r.fs));
    asm volatile("movw %%gs, %0" : "=r"(r.gs));
    asm volatile("str %0" : "=r"(r.tr));
    return r;
}

DescriptorTablePointer read_gdtr() {
    DescriptorTablePointer p;
    asm volatile("sgdt %0" : "=m"(p));
    return p;
}

DescriptorTablePointer read_idtr() {
    DescriptorTablePointer p;
    asm volatile("sidt %0" : "=m"(p));
    return p;
}

// CPUID leaf 0x40000000: the hypervisor's vendor signature in EBX, ECX, EDX
// when CPUID.1:ECX bit 31 (hypervisor present) is set.
bool running_under_qemu_tcg() {
    if (!has(feature::kHypervisor)) return false;
    CpuidResult r = cpuid(x86_64::leaf::kHypervisor);
    auto word = [](const char(&four)[5]) {
        return uint32_t(uint8_t(four[0])) | uint32_t(uint8_t(four[1])) << 8 | uint32_t(uint8_t(four[2])) << 16 |
               uint32_t(uint8_t(four[3])) << 24;
    };
    return r.ebx == word("TCGT") && r.ecx == word("CGTC") && r.edx == word("GTCG");  // "TCGTCGTCGTCG"
}

volatile uint32_t g_handler_calls = 0;
void count_call(InterruptFrame& frame) {
    g_handler_calls = g_handler_calls + uint32_t(frame.vector);
}
void raise_vector_0x40(void*) {
    asm volatile("int $0x40" ::: "memory");
}

}  // namespace

// --- the tables -------------------------------------------------------------

KTEST(cpu, gdt_and_segment_registers_are_the_kernels) {
    const CpuLocal& cpu = bsp_cpu_local();
    DescriptorTablePointer gdtr = read_gdtr();
    KEXPECT_EQ(uint64_t(gdtr.base), reinterpret_cast<uint64_t>(cpu.gdt));
    KEXPECT_EQ(uint16_t(gdtr.limit), gdt_index::kCount * 8 - 1);
    SegmentRegisters r = read_segment_registers();
    KEXPECT_EQ(r.cs, kKernelCodeSelector);
    KEXPECT_EQ(r.ds, kKernelDataSelector);
    KEXPECT_EQ(r.es, kKernelDataSelector);
    KEXPECT_EQ(r.ss, kKernelDataSelector);
    KEXPECT_EQ(r.fs, 0);
    KEXPECT_EQ(r.gs, 0);
    KEXPECT_EQ(r.tr, kTssSelector);
    KEXPECT_EQ(cpu.gdt[gdt_index::kKernelCode], code_segment_64(PrivilegeLevel::kKernel));
    KEXPECT_EQ(cpu.gdt[gdt_index::kUserCode], code_segment_64(PrivilegeLevel::kUser));
}

KTEST(cpu, tss_is_loaded_with_ist_stacks) {
    const CpuLocal& cpu = bsp_cpu_local();
    SystemDescriptor tss{cpu.gdt[gdt_index::kTss], cpu.gdt[gdt_index::kTss + 1]};
    KEXPECT_EQ(system_descriptor_base(tss), reinterpret_cast<uint64_t>(&cpu.tss));
    KEXPECT_EQ(system_descriptor_limit(tss), sizeof(Tss) - 1);
    // LTR marked the descriptor busy (SDM Vol. 3A §8.2.4).
    KEXPECT_EQ(tss.low & (0xfULL << 40), descriptor_bits::kTypeTss64Busy);
    KEXPECT_EQ(uint64_t(cpu.tss.ist[0]), ist_stack_bounds(cpu, IstSlot::kDoubleFault).top);
    KEXPECT_EQ(uint64_t(cpu.tss.ist[1]), ist_stack_bounds(cpu, IstSlot::kNmi).top);
    KEXPECT_EQ(uint64_t(cpu.tss.ist[2]), ist_stack_bounds(cpu, IstSlot::kMachineCheck).top);
    KEXPECT_EQ(uint64_t(cpu.tss.ist[0]) % 16, 0u);
    KEXPECT_EQ(uint16_t(cpu.tss.io_map_base), sizeof(Tss));
}

KTEST(cpu, gs_base_finds_this_cpu) {
    KEXPECT_EQ(&this_cpu(), &bsp_cpu_local());
    KEXPECT_EQ(rdmsr(msr::kGsBase), reinterpret_cast<uint64_t>(&bsp_cpu_local()));
    KEXPECT_EQ(cpu_index(), 0u);
    KEXPECT_EQ(cpu_local(0), &bsp_cpu_local());
}

KTEST(cpu, idt_has_256_gates_to_the_stubs) {
    DescriptorTablePointer idtr = read_idtr();
    KEXPECT_EQ(uint16_t(idtr.limit), 256 * 16 - 1);
    auto* gates = reinterpret_cast<const GateDescriptor*>(idtr.base);
    uint64_t stubs = reinterpret_cast<uint64_t>(arch_interrupt_stubs);
    unsigned wrong = 0;
    for (unsigned v = 0; v < 256; ++v) {
        GateDescriptor gate = gates[v];
        uint8_t expected_ist = v == 8 ? 1 : v == 2 ? 2 : v == 18 ? 3 : 0;
        if (!gate_present(gate) || gate_handler(gate) != stubs + 16 * v || gate_selector(gate) != kKernelCodeSelector ||
            gate_type(gate) != GateType::kInterrupt || gate_ist(gate) != expected_ist)
            ++wrong;
    }
    KEXPECT_EQ(wrong, 0u);
    KEXPECT_EQ(gate_dpl(gates[vector::kBreakpoint]), 3u);
    KEXPECT_EQ(gate_dpl(gates[vector::kPageFault]), 0u);
}

// --- exceptions, one by one ---------------------------------------------------

KTEST(cpu, divide_error) {
    FaultRecord f = expect_fault(vector::kDivideError, t::divide_by_zero, nullptr);
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kDivideError);
    KEXPECT_EQ(f.error_code, 0u);
    KEXPECT(in_function(f.rip, t::divide_by_zero));
}

KTEST(cpu, debug_single_step) {
    FaultRecord f = expect_fault(vector::kDebug, t::single_step, nullptr);
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kDebug);
    KEXPECT_NE(f.dr6 & dr6::kSingleStep, 0u);
    KEXPECT(in_function(f.rip, t::single_step));
    KEXPECT_EQ(read_rflags() & rflags::kTrap, 0u);  // the recovery restored the flags from before
}

KTEST(cpu, breakpoint_returns_and_continues) {
    uint64_t before = breakpoint_count();
    volatile int after_int3 = 0;
    t::breakpoint(nullptr);
    after_int3 = 1;
    KEXPECT_EQ(breakpoint_count(), before + 1);
    KEXPECT_EQ(after_int3, 1);
}

KTEST(cpu, breakpoint_can_be_expected) {
    FaultRecord f = expect_fault(vector::kBreakpoint, t::breakpoint, nullptr);
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kBreakpoint);
    // A trap: RIP is the instruction after the int3 (0xcc).
    KEXPECT_EQ(*reinterpret_cast<const uint8_t*>(f.rip - 1), 0xccu);
}

KTEST(cpu, invalid_opcode) {
    FaultRecord f = expect_fault(vector::kInvalidOpcode, t::invalid_opcode, nullptr);
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kInvalidOpcode);
    // A fault: RIP is the ud2 itself (0f 0b).
    KEXPECT_EQ(*reinterpret_cast<const uint8_t*>(f.rip), 0x0fu);
    KEXPECT_EQ(*reinterpret_cast<const uint8_t*>(f.rip + 1), 0x0bu);
}

KTEST(cpu, device_not_available) {
    uint64_t cr0 = read_cr0();
    FaultRecord f = expect_fault(vector::kDeviceNotAvailable, t::x87_with_task_switched, nullptr);
    write_cr0(cr0);  // TS off again
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kDeviceNotAvailable);
    KEXPECT_EQ(*reinterpret_cast<const uint8_t*>(f.rip), 0xdbu);
    KEXPECT_EQ(read_cr0() & cr0::kTaskSwitched, 0u);
}

KTEST(cpu, general_protection_non_canonical) {
    FaultRecord f = expect_fault(vector::kGeneralProtection, t::read_byte, as_pointer(t::kNonCanonicalAddress));
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kGeneralProtection);
    KEXPECT_EQ(f.error_code, 0u);
    KEXPECT(in_function(f.rip, t::read_byte));
}

KTEST(cpu, general_protection_system_selector_in_ds) {
    FaultRecord f = expect_fault(vector::kGeneralProtection, t::load_system_selector, nullptr);
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kGeneralProtection);
    KEXPECT_EQ(f.error_code, kTssSelector);
    KEXPECT_EQ(decode_selector_error(f.error_code).index, gdt_index::kTss);
    KEXPECT_EQ(read_segment_registers().ds, kKernelDataSelector);
}

KTEST(cpu, general_protection_selector_error_code) {
    FaultRecord f = expect_fault(vector::kGeneralProtection, t::load_bad_data_selector, nullptr);
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kGeneralProtection);
    KEXPECT_EQ(f.error_code, t::kBadSelector);
    SelectorError e = decode_selector_error(f.error_code);
    KEXPECT(e.table == DescriptorTable::kGdt);
    KEXPECT_EQ(e.index, t::kBadSelector >> 3);
    KEXPECT(!e.external);
    KEXPECT_EQ(read_segment_registers().ds, kKernelDataSelector);  // the faulting load changed nothing
}

// QEMU's TCG raises #GP for every non-canonical address, also through RSP
// (hardware raises #SS there), so under TCG the test expects #GP.
KTEST(cpu, stack_fault_non_canonical) {
    FaultRecord f = expect_fault(vector::kStackFault, t::stack_relative_non_canonical, nullptr);
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, running_under_qemu_tcg() ? vector::kGeneralProtection : vector::kStackFault);
    KEXPECT_EQ(f.error_code, 0u);
}

KTEST(cpu, page_fault_read_unmapped) {
    KASSERT(!translate(t::kUnmappedLowAddress).present);
    FaultRecord f = expect_fault(vector::kPageFault, t::read_byte, as_pointer(t::kUnmappedLowAddress));
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kPageFault);
    KEXPECT_EQ(f.cr2, t::kUnmappedLowAddress);
    PageFaultError e = decode_page_fault_error(f.error_code);
    KEXPECT(!e.present);
    KEXPECT(!e.write);
    KEXPECT(!e.user);
    KEXPECT(!e.instruction_fetch);
    KEXPECT(in_function(f.rip, t::read_byte));
}

KTEST(cpu, page_fault_write_read_only) {
    uint64_t rodata = reinterpret_cast<uint64_t>(__rodata_start);
    Translation page = translate(rodata);
    KASSERT(page.present && !page.writable);
    FaultRecord f = expect_fault(vector::kPageFault, t::write_byte, as_pointer(rodata));
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kPageFault);
    KEXPECT_EQ(f.cr2, rodata);
    KEXPECT_EQ(f.error_code, page_fault_bits::kPresent | page_fault_bits::kWrite);
    KEXPECT(in_function(f.rip, t::write_byte));
}

KTEST(cpu, page_fault_execute_data) {
    KASSERT((rdmsr(msr::kEfer) & efer::kNoExecuteEnable) != 0);  // no NX, no execute protection
    uint64_t code = reinterpret_cast<uint64_t>(t::data_page_code());
    KASSERT(!translate(code).executable);
    FaultRecord f = expect_fault(vector::kPageFault, t::call_address, as_pointer(code));
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kPageFault);
    KEXPECT_EQ(f.cr2, code);
    KEXPECT_EQ(f.rip, code);  // the fetch itself faulted
    KEXPECT_EQ(f.error_code, page_fault_bits::kPresent | page_fault_bits::kInstructionFetch);
}

KTEST(cpu, page_fault_higher_half_hole) {
    constexpr uint64_t kHole = 0xffff'ff00'0000'0000ULL;  // below the kernel image, above any HHDM here
    KASSERT(!translate(kHole).present);
    FaultRecord f = expect_fault(vector::kPageFault, t::write_byte, as_pointer(kHole + 8));
    KASSERT(f.faulted);
    KEXPECT_EQ(f.cr2, kHole + 8);
    KEXPECT_EQ(f.error_code, page_fault_bits::kWrite);
}

KTEST(cpu, nmi_and_machine_check_use_their_ist_stacks) {
    const CpuLocal& cpu = bsp_cpu_local();
    FaultRecord nmi = expect_fault(vector::kNmi, t::software_interrupt_nmi, nullptr);
    KASSERT(nmi.faulted);
    KEXPECT_EQ(nmi.vector, vector::kNmi);
    KEXPECT(ist_stack_bounds(cpu, IstSlot::kNmi).contains(nmi.handler_stack));
    FaultRecord mc = expect_fault(vector::kMachineCheck, t::software_interrupt_machine_check, nullptr);
    KASSERT(mc.faulted);
    KEXPECT_EQ(mc.vector, vector::kMachineCheck);
    KEXPECT(ist_stack_bounds(cpu, IstSlot::kMachineCheck).contains(mc.handler_stack));
}

KTEST(cpu, stack_overflow_reaches_double_fault_on_its_ist_stack) {
    KASSERT(t::arm_guarded_stack());
    FaultRecord f = expect_fault(vector::kDoubleFault, t::overflow_guarded_stack, nullptr);
    KnownStack guarded{t::guarded_stack_bottom(), t::guarded_stack_top(), "guarded"};
    bool recognised = overflowed_stack(f.rsp, f.cr2) != nullptr;
    t::disarm_guarded_stack();
    KASSERT(f.faulted);
    KEXPECT_EQ(f.vector, vector::kDoubleFault);
    KEXPECT_EQ(f.error_code, 0u);  // #DF always pushes 0
    KEXPECT(ist_stack_bounds(bsp_cpu_local(), IstSlot::kDoubleFault).contains(f.handler_stack));
    KEXPECT(is_overflow_of(guarded, f.rsp, f.cr2));
    KEXPECT(recognised);
    KEXPECT_LT(f.cr2, t::guarded_stack_bottom());
    KEXPECT_GE(f.cr2, t::guarded_stack_bottom() - kStackGuardSize);
    // The guard page is mapped again: the stack area is whole.
    KEXPECT(translate(t::guarded_stack_bottom() - kStackGuardSize).present);
}

KTEST(cpu, ist_stack_can_move) {
    alignas(16) static uint8_t other_stack[8192];
    StackBounds before = ist_stack_bounds(bsp_cpu_local(), IstSlot::kNmi);
    uint64_t bottom = reinterpret_cast<uint64_t>(other_stack);
    set_ist_stack(IstSlot::kNmi, bottom, bottom + sizeof other_stack);
    FaultRecord nmi = expect_fault(vector::kNmi, t::software_interrupt_nmi, nullptr);
    set_ist_stack(IstSlot::kNmi, before.bottom, before.top);
    // set_ist_stack unregistered the stack it replaced each time; the one put
    // back must be known again to the overflow detector.
    KEXPECT(register_kernel_stack(before.bottom, before.top, "NMI IST stack"));
    KASSERT(nmi.faulted);
    KEXPECT(nmi.handler_stack >= bottom && nmi.handler_stack < bottom + sizeof other_stack);
    KEXPECT_EQ(uint64_t(bsp_cpu_local().tss.ist[1]), before.top);
}

// Every exception vector without an error code, raised with INT n: each
// reaches the common handler through its own stub with its vector number.
// (INT n pushes no error code, so the vectors with one can not be raised
// this way: their stubs would take the return RIP for the error code.)
template <uint8_t V>
void raise_with_int(void*) {
    asm volatile("int %0" ::"i"(V) : "memory");
}

template <uint8_t V>
unsigned misdelivered() {
    FaultRecord f = expect_fault(V, raise_with_int<V>, nullptr);
    return f.faulted && f.vector == V && f.error_code == 0 ? 0u : 1u;
}

template <uint8_t... Vectors>
unsigned count_misdelivered() {
    return (misdelivered<Vectors>() + ...);
}

KTEST(cpu, every_exception_vector_without_error_code_is_dispatched) {
    unsigned wrong =
        count_misdelivered<0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 16, 18, 19, 20, 22, 23, 24, 25, 26, 27, 28, 31>();
    KEXPECT_EQ(wrong, 0u);
}

// More stacks than the registry's first chunk holds (the scheduler's
// threads): it grows, and the last one's overflow is still named.
KTEST(cpu, overflow_detection_beyond_the_first_chunk_of_stacks) {
    constexpr size_t kCount = 3 * kKnownStacksPerChunk;
    constexpr uint64_t kBase = 0xffff'ffff'6000'0000ULL, kSpan = 0x3000;  // a guard page below each
    size_t registered = 0;
    for (; registered < kCount; ++registered) {
        uint64_t bottom = kBase + registered * kSpan + 0x1000;
        if (!register_kernel_stack(bottom, bottom + 0x2000, "test many")) break;
    }
    const uint64_t last_bottom = kBase + (kCount - 1) * kSpan + 0x1000;
    const KnownStack* last = overflowed_stack(0, last_bottom - 8);
    for (size_t i = 0; i < registered; ++i) unregister_kernel_stack(kBase + i * kSpan + 0x1000);
    const KnownStack* after = overflowed_stack(0, last_bottom - 8);
    KEXPECT_EQ(registered, kCount);
    KASSERT(last != nullptr);
    KEXPECT_EQ(last->bottom, last_bottom);
    KEXPECT(after == nullptr);
}

// Back-to-back stacks (no guard pages): RSP near the top of the lower one is
// not an overflow of the upper one; CR2 in the page below a stack is.
KTEST(cpu, overflow_detection_with_adjacent_stacks) {
    constexpr uint64_t kLower = 0xffff'ffff'7000'0000ULL, kUpper = kLower + 0x4000, kEnd = kUpper + 0x4000;
    KASSERT(register_kernel_stack(kLower, kUpper, "test lower"));
    KASSERT(register_kernel_stack(kUpper, kEnd, "test upper"));
    const KnownStack* handler_near_top = overflowed_stack(kUpper - 0x100, 0);
    const KnownStack* rsp_below_upper_only = overflowed_stack(kUpper + 8, 0);
    const KnownStack* cr2_in_guard = overflowed_stack(kUpper - 0x100, kUpper - 8);
    const KnownStack* lower_ran_out = overflowed_stack(kLower - 16, 0);
    unregister_kernel_stack(kLower);
    unregister_kernel_stack(kUpper);
    KEXPECT(handler_near_top == nullptr);
    KASSERT(rsp_below_upper_only != nullptr);
    KEXPECT_EQ(rsp_below_upper_only->bottom, kUpper);
    KASSERT(cr2_in_guard != nullptr);
    KEXPECT_EQ(cr2_in_guard->bottom, kUpper);
    KASSERT(lower_ran_out != nullptr);
    KEXPECT_EQ(lower_ran_out->bottom, kLower);
}

// At CPL 0 the CPU does not check alignment even with CR0.AM and RFLAGS.AC
// set (SDM Vol. 3A §6.15, "Interrupt 17": only at CPL 3), so #AC can not be
// provoked from the kernel. This pins that down: a misaligned read passes.
KTEST(cpu, alignment_check_is_off_at_cpl0) {
    uint64_t cr0 = read_cr0();
    write_cr0(cr0 | cr0::kAlignmentMask);
    alignas(8) static volatile uint8_t bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    FaultRecord f = expect_fault(
        vector::kAlignmentCheck,
        [](void* address) {
            uint64_t value;
            asm volatile(
                "pushfq\n\torq %2, (%%rsp)\n\tpopfq\n\t"  // RFLAGS.AC on
                "movq (%1), %0\n\t"
                "pushfq\n\tandq %3, (%%rsp)\n\tpopfq"
                : "=&r"(value)
                : "r"(address), "i"(rflags::kAlignmentCheck), "i"(~rflags::kAlignmentCheck)
                : "memory", "cc");
        },
        const_cast<uint8_t*>(&bytes[1]));
    write_cr0(cr0);
    KEXPECT(!f.faulted);
}

// --- external vectors ----------------------------------------------------------

KTEST(cpu, registered_handler_runs_for_its_vector) {
    g_handler_calls = 0;
    KASSERT(set_interrupt_handler(0x40, count_call));
    raise_vector_0x40(nullptr);
    KEXPECT(set_interrupt_handler(0x40, nullptr));
    KEXPECT_EQ(g_handler_calls, 0x40u);
    KEXPECT_EQ(set_interrupt_handler(vector::kPageFault, count_call).error().code,
               lib::ErrorCode::kEINVAL);  // exceptions are fixed
}

KTEST(cpu, nmi_handler_runs_when_set) {
    g_handler_calls = 0;
    set_nmi_handler(count_call);
    t::software_interrupt_nmi(nullptr);
    set_nmi_handler(nullptr);
    KEXPECT_EQ(g_handler_calls, uint32_t(vector::kNmi));
}

// --- deliberate fatal faults (suite demo_fail_cpu: runs only when named) ------

// A page fault nobody expects, once the memory manager is up: the report
// must name the exception, decode the error code, and add what kernel/mm
// knows about CR2. Ends the run (scenario fault_report_after_mm).
KTEST(demo_fail_cpu, unexpected_page_fault) {
    t::read_byte(as_pointer(t::kUnmappedLowAddress));
}
