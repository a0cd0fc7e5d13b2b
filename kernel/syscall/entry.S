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
 * Then, with interrupts on, the call itself: a number below the table's
 * size calls its entry (a typed handler's sys::call<> wrapper, or
 * syscall_enosys for a number without a handler) straight from here with
 * the arguments where the SYSCALL ABI left them (RDI, RSI, RDX, R10, R8,
 * R9; R10 moves to RCX, where the C ABI wants the fourth), as Linux's
 * do_syscall_64 does; a larger number goes to syscall_unknown (-ENOSYS
 * and a log line). The result stays in RAX; the work path below stores it
 * in the frame's RAX slot first.
 *
 * The exit, with interrupts off (docs/syscalls.md, "Entry and exit"):
 *
 * - The no-work test, inline: no reschedule pending on this CPU, the
 *   task's return-work note clear and no ERESTART* code in RAX
 *   (docs/signals.md §7). Then the frame is the one SYSCALL left: whatever
 *   rewrites a task's user registers during its call (exec, rt_sigreturn;
 *   signal delivery runs only in the work path) notes return work first
 *   (proc::note_registers_rewritten), so RCX and R11 still hold the RIP
 *   and RFLAGS SYSCALL saved, the selectors are the user's and RIP is the
 *   address after the user's SYSCALL instruction (canonical: entry.cpp).
 *   Only TF and RF are tested (a program may set TF itself; SYSRET would
 *   trap at once and cannot restore RF), as Linux's entry_SYSCALL_64
 *   does. RBX and R12-R15 are not reloaded: the handler, called by the C
 *   ABI, kept the user's values in them (RBP, zeroed above, is).
 * - Otherwise syscall_exit(frame) does the work (a switch, signals,
 *   restarts), and the checked exit decides: SYSRET when RCX = RIP and
 *   R11 = RFLAGS in the frame, neither TF nor RF, the user CS and SS, and
 *   RIP below the top of user space (a non-canonical RIP makes SYSRET
 *   fault in ring 0 on Intel CPUs, with the user's RSP); else IRETQ, with
 *   every register from the frame (after exec, signal delivery and
 *   sigreturn, which set every register). */

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
    movq %r10, %rcx
    call *syscall_table(, %rax, 8)
.Lresult:
    cli
    cmpl $0, %gs:PERCPU_RESCHEDULE_PENDING
    jne .Lwork
    movq %gs:PERCPU_CURRENT_THREAD, %rcx
    movq SYSCALL_THREAD_OWNER(%rcx), %rcx
    cmpl $0, SYSCALL_TASK_RETURN_WORK(%rcx)
    jne .Lwork
    leaq SYSCALL_RESTART_BIAS(%rax), %rcx
    cmpq $SYSCALL_RESTART_SPAN, %rcx
    jbe .Lwork
    testl $SYSCALL_SYSRET_REFUSED_FLAGS, SYSCALL_FRAME_R11(%rsp)
    jnz .Lwork
    addq $4 * 8, %rsp           /* R15, R14, R13, R12: still in their registers */
    POP_R11_THROUGH_RCX
    /* RSP now at RBX's slot (RBX is still the user's; RAX is the result,
     * which the frame's RAX slot does not need: nothing reads the frame
     * after this); the user RSP is 7 words up. Interrupts are off from
     * here to SYSRET; an NMI uses its own IST stack and finds its GS by
     * the GS base (interrupt_stubs.S). */
    movq 7 * 8(%rsp), %rsp
    swapgs
    sysretq
.Lwork:
    movq %rax, SYSCALL_FRAME_RAX(%rsp)
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
    /* RSP now at the vector slot; the user RSP is 5 words up. */
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

/* The table's entry for a number without a handler (entry.cpp fills the
 * empty slots with it, so the dispatch above needs no null test). Called
 * only by syscall_entry's table call: the frame starts just above the
 * return address. */
    .globl syscall_enosys
    .type syscall_enosys, @function
syscall_enosys:
    leaq 8(%rsp), %rdi
    jmp syscall_unknown
    .size syscall_enosys, . - syscall_enosys
