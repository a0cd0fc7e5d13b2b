/* The context switch itself is inline in kernel/sched/scheduler.cpp
 * (switch_stacks): it pushes RBP and the address to resume at, saves RSP,
 * loads the next thread's and returns to the address on top of it
 * (docs/scheduler.md, "Switching").
 *
 * Where a new thread's first switch returns to: spawn lays out its stack
 * with only this address on top (and a zero return address above it). RAX
 * holds the previous thread. Calls sched_thread_start(prev), which never
 * returns; RBP is 0, ending backtraces here. */

    .section .text, "ax"
    .globl sched_thread_trampoline
    .type sched_thread_trampoline, @function
sched_thread_trampoline:
    movq %rax, %rdi
    xorl %ebp, %ebp
    andq $-16, %rsp
    call sched_thread_start
    ud2
    .size sched_thread_trampoline, . - sched_thread_trampoline
