/* arch_call_on_stack(uint64_t stack_top, void (*fn)(void*), void* arg):
 * calls fn(arg) on another stack and comes back (kernel_stacks.hpp). The
 * frame record it pushes keeps the RBP chain intact for backtraces up to the
 * switch; the caller's RSP is recovered from RBP afterwards. */
    .section .text, "ax"
    .globl arch_call_on_stack
    .type arch_call_on_stack, @function
arch_call_on_stack:
    pushq %rbp
    movq %rsp, %rbp
    andq $-16, %rdi
    movq %rdi, %rsp
    movq %rdx, %rdi
    call *%rsi
    movq %rbp, %rsp
    popq %rbp
    ret
    .size arch_call_on_stack, . - arch_call_on_stack
