/* The context switch (kernel/sched/scheduler.cpp). Only what the System V
 * ABI says a call preserves needs saving: RBX, RBP, R12-R15 and RSP; the
 * caller of sched_switch_context treats every other register as clobbered
 * anyway. RFLAGS is not saved: every switch happens with interrupts off
 * and DF clear, and each side restores IF itself (docs/scheduler.md,
 * "Switching").
 *
 * Thread* sched_switch_context(uint64_t* save_rsp, uint64_t next_rsp, Thread* prev)
 *   saves the registers on this stack and RSP into *save_rsp, loads
 *   next_rsp and returns there; the return value, in the resumed thread, is
 *   the `prev` its switcher passed: the thread that ran before it. */

    .section .text, "ax"
    .globl sched_switch_context
    .type sched_switch_context, @function
sched_switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    movq %rdx, %rax
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size sched_switch_context, . - sched_switch_context

/* Where a new thread's first switch returns to (its stack is laid out by
 * spawn as if sched_switch_context had saved it): RAX holds the previous
 * thread. Calls sched_thread_start(prev), which never returns; RBP is 0,
 * ending backtraces here. */
    .globl sched_thread_trampoline
    .type sched_thread_trampoline, @function
sched_thread_trampoline:
    movq %rax, %rdi
    andq $-16, %rsp
    call sched_thread_start
    ud2
    .size sched_thread_trampoline, . - sched_thread_trampoline
