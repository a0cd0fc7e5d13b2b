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
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"

namespace arch {
namespace {

InterruptHandler g_handlers[256];
InterruptHandler g_nmi_handler = nullptr;
InterruptHandler g_trap_exit_hook = nullptr;
AddressDescriber g_describe_code = nullptr;
AddressDescriber g_describe_data = nullptr;
UaccessFaultResolver g_uaccess_resolver = nullptr;
UserTrapHandler g_user_trap_handler = nullptr;
ReturnToUserHook g_return_to_user_hook = nullptr;

bool from_user_mode(const InterruptFrame& frame) {
    return (frame.cs & 3) == 3;
}

// The vectors that stay the kernel's even when they interrupt user mode.
bool kernel_only_vector(uint8_t v) {
    return v == vector::kNmi || v == vector::kDoubleFault || v == vector::kMachineCheck;
}

void return_to_user(InterruptFrame& frame) {
    if (ReturnToUserHook hook = __atomic_load_n(&g_return_to_user_hook, __ATOMIC_ACQUIRE)) hook(frame);
}

// A fault of the kernel in a user access (uaccess.S): let the memory
// manager bring the page in, else continue at the fix-up, which ends the
// copy. True when handled.
bool handle_uaccess_fault(InterruptFrame& frame, uint8_t v, uint64_t cr2) {
    if (v != vector::kPageFault && v != vector::kGeneralProtection) return false;
    uint64_t fixup = exception_fixup(frame.rip);
    if (fixup == 0) return false;
    if (v == vector::kPageFault && cr2 < kUserTop) {
        UaccessFaultResolver resolver = __atomic_load_n(&g_uaccess_resolver, __ATOMIC_ACQUIRE);
        // Only a copy that ran with interrupts on has its fault resolved
        // (with interrupts on again). One with interrupts off (under a
        // spinlock: the futex table's words) ends at its fix-up, as Linux's
        // do_user_addr_fault does in atomic context: resolving takes the
        // address-space lock, whose holder may be waiting for this very CPU
        // to answer a TLB shootdown (docs/vm.md, "TLB shootdown"). Such
        // callers bring the page in beforehand and retry on failure.
        if (resolver != nullptr && (frame.rflags & rflags::kInterruptEnable) != 0) {
            sti();
            bool resolved = resolver(cr2, frame.error_code);
            cli();
            if (resolved) return true;
        }
    }
    frame.rip = fixup;
    return true;
}

// The describer's text for `address` into `out`, or "".
void describe(const AddressDescriber& describer, uint64_t address, char* out, size_t size) {
    out[0] = '\0';
    AddressDescriber loaded = __atomic_load_n(&describer, __ATOMIC_ACQUIRE);
    if (loaded != nullptr) loaded(address, out, size);
}

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

    // The saved registers, RIP, RSP and RFLAGS (which also drops a TF the
    // test set), with RAX = 1: arch_save_recovery_point's second return.
    frame = expectation.recovery;
    frame.rax = 1;
}

void report_breakpoint(const InterruptFrame& frame) {
    // RIP is already past the int3 (a trap, SDM §6.15 "Interrupt 3").
    uint64_t at = frame.rip - 1;
    char symbol[128];
    describe(g_describe_code, at, symbol, sizeof symbol);
    klog::info("breakpoint (#BP) at {:#x}{}{}, continuing", at, symbol[0] ? " " : "", symbol);
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
    const InterruptFrame& registers = frame;
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
        // What the memory manager knows about the address (area, mapping).
        char where[192];
        describe(g_describe_data, cr2, where, sizeof where);
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

    if (from_user_mode(frame) && !kernel_only_vector(v)) {
        if (UserTrapHandler handler = __atomic_load_n(&g_user_trap_handler, __ATOMIC_ACQUIRE)) {
            handler(frame, cr2);
            return_to_user(frame);
            return;
        }
    }
    CpuLocal& cpu = this_cpu();
    if (takes(cpu.fault_expectation, v)) {
        recover(cpu.fault_expectation, frame, cr2, dr6);
        return;
    }
    if (v == vector::kNmi) {
        if (InterruptHandler handler = __atomic_load_n(&g_nmi_handler, __ATOMIC_ACQUIRE)) {
            percpu_detail::add32<PERCPU_INTERRUPT_DEPTH>(1);
            handler(frame);
            percpu_detail::add32<PERCPU_INTERRUPT_DEPTH>(-1);
            return;
        }
    }
    if (!from_user_mode(frame) && handle_uaccess_fault(frame, v, cr2)) return;
    if (v == vector::kBreakpoint) {
        ++cpu.breakpoints;
        report_breakpoint(frame);
        return;
    }
    report_fatal_exception(frame, cr2);
}

}  // namespace

lib::Expected<void> set_interrupt_handler(uint8_t v, InterruptHandler handler) {
    if (v < vector::kFirstExternal)
        return lib::Error::make(lib::ErrorCode::kEINVAL, "exception vectors have fixed handlers");
    __atomic_store_n(&g_handlers[v], handler, __ATOMIC_RELEASE);
    return {};
}

void set_code_address_describer(AddressDescriber describer) {
    __atomic_store_n(&g_describe_code, describer, __ATOMIC_RELEASE);
}

void set_data_address_describer(AddressDescriber describer) {
    __atomic_store_n(&g_describe_data, describer, __ATOMIC_RELEASE);
}

void describe_code_address(uint64_t address, char* out, size_t size) {
    if (size == 0) return;
    describe(g_describe_code, address, out, size);
}

void set_nmi_handler(InterruptHandler handler) {
    __atomic_store_n(&g_nmi_handler, handler, __ATOMIC_RELEASE);
}

void set_uaccess_fault_resolver(UaccessFaultResolver resolver) {
    __atomic_store_n(&g_uaccess_resolver, resolver, __ATOMIC_RELEASE);
}

UaccessFaultResolver uaccess_fault_resolver() {
    return __atomic_load_n(&g_uaccess_resolver, __ATOMIC_ACQUIRE);
}

void set_user_trap_handler(UserTrapHandler handler) {
    __atomic_store_n(&g_user_trap_handler, handler, __ATOMIC_RELEASE);
}

void set_return_to_user_hook(ReturnToUserHook hook) {
    __atomic_store_n(&g_return_to_user_hook, hook, __ATOMIC_RELEASE);
}

void set_trap_exit_hook(InterruptHandler hook) {
    __atomic_store_n(&g_trap_exit_hook, hook, __ATOMIC_RELEASE);
}

InterruptHandler trap_exit_hook() {
    return __atomic_load_n(&g_trap_exit_hook, __ATOMIC_ACQUIRE);
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
        percpu_detail::add32<PERCPU_INTERRUPT_DEPTH>(1);
        handler(*frame);
        percpu_detail::add32<PERCPU_INTERRUPT_DEPTH>(-1);
        // Back to code that may be switched away from: the outermost
        // interrupt, preemption allowed, the interrupted code had interrupts
        // on. The hook looks whether a reschedule is pending (one call per
        // interrupt, cheap beside the interrupt itself).
        if (interrupt_depth() == 0 && preempt_count() == 0 && (frame->rflags & rflags::kInterruptEnable)) {
            if (InterruptHandler hook = __atomic_load_n(&g_trap_exit_hook, __ATOMIC_ACQUIRE)) hook(*frame);
        }
        // Back to user mode last: this thread's own business (signals)
        // once it runs again.
        if (from_user_mode(*frame)) return_to_user(*frame);
        return;
    }
    PANIC_WITH_REGISTERS(*frame, "unexpected interrupt: vector {} ({:#x}) has no handler", frame->vector,
                         frame->vector);
}
