// Interrupt dispatch and the exception handlers: every vector's stub ends up
// in arch_handle_interrupt. Exceptions either resume (#BP, or any exception
// an expect_fault() test armed for) or end in a report and a panic; other
// vectors go to their registered handler.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/cpu_local.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/exception_info.hpp"
#include "kernel/arch/x86_64/fault_expect.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "kernel/debug/symbols.hpp"
#include "kernel/mm/mm.hpp"

namespace arch {
namespace {

InterruptHandler g_handlers[256];
InterruptHandler g_nmi_handler = nullptr;

// An exception the armed expectation takes: the expected vector, or any
// fault that is not a #BP or NMI (those resume by themselves and may come
// from elsewhere than the code under test).
bool takes(const FaultExpectation& expectation, uint8_t v) {
    if (!expectation.armed) return false;
    if (v == expectation.vector) return true;
    return v < vector::kFirstExternal && v != vector::kBreakpoint && v != vector::kNmi;
}

// Records the fault and makes the stub's IRETQ land at the recovery point
// as if arch_save_recovery_point had returned 1 (fault_expect.hpp).
void recover(FaultExpectation& expectation, InterruptFrame& frame, uint64_t cr2, uint64_t dr6) {
    FaultRecord& record = expectation.record;
    record.faulted = true;
    record.vector = uint8_t(frame.vector);
    record.error_code = frame.error_code;
    record.cr2 = cr2;
    record.rip = frame.rip;
    record.rsp = frame.rsp;
    record.handler_stack = reinterpret_cast<uint64_t>(&frame);
    record.dr6 = dr6;
    expectation.armed = false;

    const RecoveryPoint& point = expectation.recovery;
    frame.rbx = point.rbx;
    frame.rbp = point.rbp;
    frame.r12 = point.r12;
    frame.r13 = point.r13;
    frame.r14 = point.r14;
    frame.r15 = point.r15;
    frame.rax = 1;
    frame.rip = point.rip;
    frame.rsp = point.rsp;
    frame.rflags = point.rflags;  // also drops a TF the test set
    frame.cs = kKernelCodeSelector;
    frame.ss = kKernelDataSelector;
}

void report_breakpoint(const InterruptFrame& frame) {
    // RIP is already past the int3 (a trap, SDM §6.15 "Interrupt 3").
    uint64_t at = frame.rip - 1;
    debug::SymbolName symbol;
    if (debug::symbolize(at, symbol))
        klog::info("breakpoint (#BP) at {:#x} {}+{:#x}, continuing", at, symbol.name, symbol.offset);
    else
        klog::info("breakpoint (#BP) at {:#x}, continuing", at);
}

// The decoded error code, or "" when the vector has none.
void describe_error_code(uint8_t v, uint64_t error_code, char* out, size_t size) {
    out[0] = '\0';
    if (v == vector::kPageFault)
        describe_page_fault_error(error_code, out, size);
    else if (has_selector_error_code(v))
        describe_selector_error(error_code, out, size);
}

[[noreturn]] void report_fatal_exception(const InterruptFrame& frame, uint64_t cr2) {
    uint8_t v = uint8_t(frame.vector);
    ExceptionInfo info = exception_info(v);
    debug::Registers registers = registers_from_frame(frame);
    char decoded[96];
    describe_error_code(v, frame.error_code, decoded, sizeof decoded);

    // A page fault in a guard page, or a double fault with RSP or CR2 there,
    // is a stack overflow: say so first, it is what the reader needs.
    const KnownStack* overflowed = nullptr;
    if (v == vector::kPageFault || v == vector::kDoubleFault) overflowed = overflowed_stack(frame.rsp, cr2);
    if (overflowed != nullptr) {
        PANIC_WITH_REGISTERS(registers,
                             "{} ({}, vector {}): kernel stack overflow: {} [{:#x}, {:#x}) ran out, "
                             "rsp={:#x} cr2={:#018x}",
                             info.name, info.mnemonic, v, overflowed->name, overflowed->bottom, overflowed->top,
                             frame.rsp, cr2);
    }
    if (v == vector::kPageFault) {
        // What the memory manager knows about the address (area, mapping);
        // its walk takes no lock, so it is safe here.
        char where[192] = "";
        if (mm::initialized()) mm::describe_address(cr2, where, sizeof where);
        PANIC_WITH_REGISTERS(registers, "{} ({}, vector {}) at rip={:#x}: cr2={:#018x} error_code={:#x} ({}){}{}",
                             info.name, info.mnemonic, v, frame.rip, cr2, frame.error_code, decoded,
                             where[0] ? "; address " : "", where);
    }
    if (info.has_error_code) {
        PANIC_WITH_REGISTERS(registers, "{} ({}, vector {}) at rip={:#x}: error_code={:#x} ({}) cs={:#x} ss={:#x}",
                             info.name, info.mnemonic, v, frame.rip, frame.error_code,
                             decoded[0] ? decoded : "no decoding", frame.cs, frame.ss);
    }
    PANIC_WITH_REGISTERS(registers, "{} ({}, vector {}) at rip={:#x} cs={:#x} ss={:#x}", info.name,
                         info.mnemonic[0] ? info.mnemonic : "-", v, frame.rip, frame.cs, frame.ss);
}

void handle_exception(InterruptFrame& frame) {
    uint8_t v = uint8_t(frame.vector);
    // CR2 first: nothing below may fault before it is read, but be safe.
    uint64_t cr2 = (v == vector::kPageFault || v == vector::kDoubleFault) ? read_cr2() : 0;
    uint64_t dr6 = v == vector::kDebug ? read_dr6() : 0;
    if (v == vector::kDebug) write_dr6(0);  // DR6 bits are sticky (SDM §18.2.3)

    CpuLocal& cpu = this_cpu();
    if (takes(cpu.fault_expectation, v)) {
        recover(cpu.fault_expectation, frame, cr2, dr6);
        return;
    }
    if (v == vector::kNmi) {
        if (InterruptHandler handler = __atomic_load_n(&g_nmi_handler, __ATOMIC_ACQUIRE)) {
            handler(frame);
            return;
        }
    }
    if (v == vector::kBreakpoint) {
        ++cpu.breakpoints;
        report_breakpoint(frame);
        return;
    }
    report_fatal_exception(frame, cr2);
}

}  // namespace

debug::Registers registers_from_frame(const InterruptFrame& f) {
    return debug::Registers{f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp, f.rsp, f.r8,
                            f.r9,  f.r10, f.r11, f.r12, f.r13, f.r14, f.r15, f.rip, f.rflags};
}

bool set_interrupt_handler(uint8_t v, InterruptHandler handler) {
    if (v < vector::kFirstExternal) return false;
    __atomic_store_n(&g_handlers[v], handler, __ATOMIC_RELEASE);
    return true;
}

void set_nmi_handler(InterruptHandler handler) {
    __atomic_store_n(&g_nmi_handler, handler, __ATOMIC_RELEASE);
}

uint64_t breakpoint_count() {
    return this_cpu().breakpoints;
}

}  // namespace arch

extern "C" void arch_handle_interrupt(arch::InterruptFrame* frame) {
    using namespace arch;
    if (frame->vector < vector::kFirstExternal) {
        handle_exception(*frame);
        return;
    }
    InterruptHandler handler = __atomic_load_n(&g_handlers[frame->vector], __ATOMIC_ACQUIRE);
    if (handler != nullptr) {
        handler(*frame);
        return;
    }
    PANIC_WITH_REGISTERS(registers_from_frame(*frame), "unexpected interrupt: vector {} ({:#x}) has no handler",
                         frame->vector, frame->vector);
}
