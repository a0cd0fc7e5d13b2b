/* The SYSCALL entry (Intel SDM Vol. 2B, SYSCALL and SYSRET; AMD APM Vol. 2
 * §6.1.1). The CPU has put RIP in RCX and RFLAGS in R11, loaded CS/SS from
 * IA32_STAR[47:32] and cleared the RFLAGS bits IA32_FMASK names (IF, TF,
 * DF, AC, NT, ...: entry.cpp), so this runs with interrupts off and SMAP
 * armed, on the user's stack and with the user's GS base.
 *
 * SWAPGS gives the per-CPU hot block (docs/smp.md): the user RSP goes to
 * its syscall_scratch word and RSP becomes kernel_stack_top, the top of
 * the current task's kernel stack. There the entry builds the same frame
 * an interrupt from user mode leaves (arch::InterruptFrame: SS, RSP,
 * RFLAGS, CS, RIP as IRETQ wants them, then the error-code slot, which
 * holds the system-call number as Linux's orig_ax, and the vector slot,
 * which holds kSyscallVector, then the general registers), so the
 * process layer finds the user registers at one place whichever way it
 * entered (fork copies them, exec and signal delivery rewrite them).
 *
 * syscall_dispatch(frame) runs the call with interrupts on and returns
 * with them off, after the return-to-user work; it says whether SYSRET
 * may return (RCX = RIP and R11 = RFLAGS in the frame, RIP in user space,
 * no TF/RF: entry.cpp) or the IRETQ path must (after exec, signal
 * delivery and sigreturn, which set every register; and always for a
 * non-canonical RIP, which would make SYSRET fault in ring 0 on Intel
 * CPUs). */

#include "kernel/arch/x86_64/percpu_offsets.hpp"

#define USER_DS 0x2b      /* arch::kUserDataSelector */
#define USER_CS 0x33      /* arch::kUserCodeSelector */
#define SYSCALL_VECTOR 256 /* syscall::kSyscallVector: no IDT vector has it */

    .section .text, "ax"
    .globl syscall_entry
    .type syscall_entry, @function
    .balign 16
syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_SYSCALL_SCRATCH
    movq %gs:PERCPU_KERNEL_STACK_TOP, %rsp
    pushq $USER_DS
    pushq %gs:PERCPU_SYSCALL_SCRATCH
    pushq %r11                  /* RFLAGS */
    pushq $USER_CS
    pushq %rcx                  /* RIP */
    pushq %rax                  /* the error-code slot: the call's number (orig_ax) */
    pushq $SYSCALL_VECTOR
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
    xorl %ebp, %ebp             /* the RBP chain ends here */
    movq %rsp, %rdi
    call syscall_dispatch
    testl %eax, %eax
    jz .Liret
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11                   /* = RFLAGS (checked) */
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx                   /* = RIP (checked) */
    popq %rbx
    popq %rax
    /* RSP now at the vector slot; the user RSP is 5 words up. Interrupts
     * are off from here to SYSRET; an NMI uses its own IST stack and finds
     * its GS by the GS base (interrupt_stubs.S). */
    movq 5 * 8(%rsp), %rsp
    swapgs
    sysretq
.Liret:
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp              /* vector and error code */
    swapgs
    iretq
    .size syscall_entry, . - syscall_entry
