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
#include "kernel/arch/x86_64/interrupt_frame_asm.h"
#include "kernel/syscall/entry_constants.h"


    .section .text, "ax"
    .globl syscall_entry
    .type syscall_entry, @function
    .balign 16
syscall_entry:
    swapgs
    movq %rsp, %gs:PERCPU_SYSCALL_SCRATCH
    movq %gs:PERCPU_KERNEL_STACK_TOP, %rsp
    pushq $ARCH_USER_DATA_SELECTOR
    pushq %gs:PERCPU_SYSCALL_SCRATCH
    pushq %r11                  /* RFLAGS */
    pushq $ARCH_USER_CODE_SELECTOR
    pushq %rcx                  /* RIP */
    pushq %rax                  /* the error-code slot: the call's number (orig_ax) */
    pushq $SYSCALL_VECTOR
    PUSH_GENERAL_REGISTERS
    xorl %ebp, %ebp             /* the RBP chain ends here */
    movq %rsp, %rdi
    call syscall_dispatch
    testb %al, %al              /* a bool: only AL is defined (SysV ABI) */
    jz .Liret
    /* R11 = RFLAGS and RCX = RIP in the frame (syscall_dispatch checked
     * them), as SYSRET takes them. */
    POP_GENERAL_REGISTERS
    /* RSP now at the vector slot; the user RSP is 5 words up. Interrupts
     * are off from here to SYSRET; an NMI uses its own IST stack and finds
     * its GS by the GS base (interrupt_stubs.S). */
    movq 5 * 8(%rsp), %rsp
    swapgs
    sysretq
.Liret:
    POP_GENERAL_REGISTERS
    addq $16, %rsp              /* vector and error code */
    swapgs
    iretq
    .size syscall_entry, . - syscall_entry
