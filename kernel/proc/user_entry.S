/* Entering user mode for a task, and coming back when it has exited
 * (kernel/proc/process.cpp, run_task and exit_current).
 *
 * proc_enter_user(frame, save) saves the caller's callee-saved registers
 * and RFLAGS on its own stack, stores that stack pointer in *save, and
 * returns to user mode through the registers in `frame` (an
 * arch::InterruptFrame at the top of the task's kernel stack: general
 * registers, then vector and error code, then the IRETQ frame, SDM Vol. 3A
 * §6.14.3 "IRET in IA-32e Mode"). SWAPGS first: IA32_KERNEL_GS_BASE holds
 * the user's GS base, which the caller loaded.
 *
 * proc_return_to_kernel(saved, value) switches back to that saved stack and
 * makes proc_enter_user return `value` (the task that ended: after an exec
 * from a thread the thread runs for another Task than the one it entered
 * user mode for): the task's kernel stack, with
 * whatever system call or exception frames are on it, is abandoned (the
 * task has exited; nothing on it holds a lock). */

#include "kernel/arch/x86_64/interrupt_frame_asm.h"

    .section .text, "ax"
    .globl proc_enter_user
    .type proc_enter_user, @function
proc_enter_user:
    pushfq
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rsi)
    cli
    movq %rdi, %rsp
    POP_GENERAL_REGISTERS
    addq $16, %rsp              /* vector and error code */
    swapgs
    iretq
    .size proc_enter_user, . - proc_enter_user

    .globl proc_return_to_kernel
    .type proc_return_to_kernel, @function
proc_return_to_kernel:
    movq %rdi, %rsp
    movq %rsi, %rax
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    popfq
    ret
    .size proc_return_to_kernel, . - proc_return_to_kernel
