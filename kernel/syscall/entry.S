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
 * Then, with interrupts on, the call itself: the number (RAX) below the
 * table's size and an entry there, the entry (a typed handler's
 * sys::call<> wrapper) is called straight from here with the arguments
 * where the SYSCALL ABI left them (RDI, RSI, RDX, R10, R8, R9; R10 moves
 * to RCX, where the C ABI wants the fourth), as Linux's do_syscall_64
 * does; anything else goes to syscall_unknown (-ENOSYS and a log line).
 * The result goes to the frame's RAX slot.
 *
 * syscall_exit(frame), with interrupts off, does the return-to-user work.
 * Then SYSRET returns when it may, as Linux's entry_SYSCALL_64 decides:
 * RCX = RIP and R11 = RFLAGS in the frame (what SYSRET takes them from),
 * neither TF nor RF (SYSRET cannot restore RF, and TF would trap at once),
 * the user CS and SS, and RIP below the top of user space (a
 * non-canonical RIP makes SYSRET fault in ring 0 on Intel CPUs, with the
 * user's RSP). Otherwise IRETQ does (after exec, signal delivery and
 * sigreturn, which set every register). */

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
    sti
    cmpq $SYSCALL_TABLE_SIZE, %rax
    jae .Lunknown
    movq syscall_table(, %rax, 8), %rax
    testq %rax, %rax
    jz .Lunknown
    movq %r10, %rcx
    call *%rax
.Lresult:
    movq %rax, SYSCALL_FRAME_RAX(%rsp)
    cli
    movq %rsp, %rdi
    call syscall_exit
    movq SYSCALL_FRAME_RCX(%rsp), %rcx
    cmpq SYSCALL_FRAME_RIP(%rsp), %rcx
    jne .Liret
    movq SYSCALL_FRAME_R11(%rsp), %r11
    cmpq SYSCALL_FRAME_RFLAGS(%rsp), %r11
    jne .Liret
    testl $SYSCALL_SYSRET_REFUSED_FLAGS, %r11d
    jnz .Liret
    cmpq $ARCH_USER_CODE_SELECTOR, SYSCALL_FRAME_CS(%rsp)
    jne .Liret
    cmpq $ARCH_USER_DATA_SELECTOR, SYSCALL_FRAME_SS(%rsp)
    jne .Liret
    movabsq $SYSCALL_USER_TOP, %rax
    cmpq %rax, %rcx
    jae .Liret
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
.Lunknown:
    movq %rsp, %rdi
    call syscall_unknown
    jmp .Lresult
    .size syscall_entry, . - syscall_entry
