/* arch::InterruptFrame (interrupt_frame.hpp) as the assembly builds and
 * unbuilds it, written once for every path into and out of the kernel:
 * the interrupt and exception stubs (interrupt_stubs.S), the SYSCALL entry
 * (kernel/syscall/entry.S) and the first entry to user mode
 * (kernel/proc/user_entry.S). The general registers sit below the vector
 * and error-code slots, R15 lowest; interrupt_frame.hpp's static_asserts
 * hold the C++ view to the same order, and descriptors.hpp checks the
 * user selectors against arch::kUserDataSelector / kUserCodeSelector. */
#pragma once

#define ARCH_USER_DATA_SELECTOR 0x2b /* arch::kUserDataSelector (Linux's __USER_DS) */
#define ARCH_USER_CODE_SELECTOR 0x33 /* arch::kUserCodeSelector (Linux's __USER_CS) */

#ifdef __ASSEMBLER__
/* RAX first (highest), R15 last (lowest): InterruptFrame's order. */
.macro PUSH_GENERAL_REGISTERS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

/* R11 up to RCX: the registers between the callee-saved R12 and RBX,
 * which the SYSCALL entry's fast exit pops alone (kernel/syscall/entry.S). */
.macro POP_R11_THROUGH_RCX
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
.endm

.macro POP_GENERAL_REGISTERS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    POP_R11_THROUGH_RCX
    popq %rbx
    popq %rax
.endm
#endif
