// The exception triggers of fault_triggers.hpp. Raw instructions stay in
// these tiny functions; volatile accesses keep the compiler from proving the
// faulting operation away.
#include "kernel/arch/x86_64/fault_triggers.hpp"

#include <stddef.h>

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/descriptors.hpp"
#include "kernel/arch/x86_64/kernel_stacks.hpp"
#include "kernel/debug/assert.hpp"

namespace arch::fault_triggers {
namespace {

constexpr size_t kGuardedStackSize = 16 * 1024;

// [guard page][stack]: the guard is the area's first page.
struct alignas(4096) GuardedStackArea {
    uint8_t guard[kStackGuardSize];
    uint8_t stack[kGuardedStackSize];
};
GuardedStackArea g_guarded_area;

// A `ret` (0xc3) in .data: mapped writable and, with EFER.NXE, not executable.
[[gnu::section(".data")]] uint8_t g_data_code[16] = {0xc3};

volatile uint64_t g_recursion_limit = ~0ULL;  // never reached: keeps the recursion finite to the compiler

[[gnu::noinline]] uint64_t recurse(uint64_t depth) {
    volatile uint8_t frame_filler[64];
    frame_filler[0] = uint8_t(depth);
    if (depth == g_recursion_limit) return 0;
    return recurse(depth + 1) + frame_filler[0];
}

void recurse_from_zero(void*) {
    recurse(0);
}

}  // namespace

void read_byte(void* address) {
    uint8_t value = *static_cast<volatile uint8_t*>(address);
    asm volatile("" ::"r"(value));
}

void write_byte(void* address) {
    *static_cast<volatile uint8_t*>(address) = 0x5a;
}

void call_address(void* address) {
    reinterpret_cast<void (*)()>(address)();
}

// DIV itself, not C++ division: the UBSan build would catch a `/ 0` first.
void divide_by_zero(void*) {
    uint64_t divisor = 0;
    asm volatile("" : "+r"(divisor));  // unknown to the compiler
    uint64_t quotient = 100, remainder = 0;
    asm volatile("divq %2" : "+a"(quotient), "+d"(remainder) : "r"(divisor) : "cc");
}

// POPFQ sets TF; the trap comes after the instruction that follows (SDM
// Vol. 3A §18.3.1.4, "Single-Step Exception Condition"), here the NOP.
void single_step(void*) {
    asm volatile(
        "pushfq\n\t"
        "orq %0, (%%rsp)\n\t"
        "popfq\n\t"
        "nop" ::"i"(rflags::kTrap)
        : "memory", "cc");
}

void breakpoint(void*) {
    asm volatile("int3" ::: "memory");
}

void invalid_opcode(void*) {
    asm volatile("ud2" ::: "memory");
}

// FNINIT (DB E3) as bytes: the kernel is built for general registers only.
// CR0.TS makes any x87 instruction raise #NM (SDM Vol. 3A §2.5, Table 2-2);
// CR0 is restored by the caller after the fault.
void x87_with_task_switched(void*) {
    write_cr0(read_cr0() | cr0::kTaskSwitched);
    asm volatile(".byte 0xdb, 0xe3" ::: "memory");
}

void load_bad_data_selector(void*) {
    // DS is reloaded from the kernel's GDT by the caller if it ever got here.
    asm volatile("movw %0, %%ds" ::"r"(kBadSelector) : "memory");
}

// DS takes only data or readable code segments (SDM Vol. 3A §5.4.1); the
// TSS descriptor is present but a system segment.
void load_system_selector(void*) {
    asm volatile("movw %0, %%ds" ::"r"(kTssSelector) : "memory");
}

// A memory operand with RSP as its base that is not canonical raises #SS,
// not #GP (SDM Vol. 3A §6.15, "Interrupt 12"); RSP itself stays good, so the
// exception is delivered normally.
void stack_relative_non_canonical(void*) {
    uint64_t value;
    asm volatile("movq (%%rsp, %1, 1), %0" : "=r"(value) : "r"(kNonCanonicalAddress) : "memory");
}

void software_interrupt_nmi(void*) {
    asm volatile("int $2" ::: "memory");
}
void software_interrupt_machine_check(void*) {
    asm volatile("int $18" ::: "memory");
}

lib::Expected<void> arm_guarded_stack() {
    uint64_t guard = reinterpret_cast<uint64_t>(g_guarded_area.guard);
    TRY(register_kernel_stack(guarded_stack_bottom(), guarded_stack_top(), "the fault test's guarded stack"));
    if (auto unmapped = set_kernel_page_present(guard, false); !unmapped) {
        unregister_kernel_stack(guarded_stack_bottom());
        return unmapped.error();
    }
    return {};
}

void disarm_guarded_stack() {
    unregister_kernel_stack(guarded_stack_bottom());
    // It was present before arm_guarded_stack(), so this can not fail.
    ASSERT(set_kernel_page_present(reinterpret_cast<uint64_t>(g_guarded_area.guard), true));
}

void overflow_guarded_stack(void*) {
    arch_call_on_stack(guarded_stack_top(), recurse_from_zero, nullptr);
}

uint64_t guarded_stack_bottom() {
    return reinterpret_cast<uint64_t>(g_guarded_area.stack);
}
uint64_t guarded_stack_top() {
    return guarded_stack_bottom() + kGuardedStackSize;
}

void* data_page_code() {
    return g_data_code;
}

}  // namespace arch::fault_triggers
