/* arch_save_recovery_point(RecoveryPoint* point): the setjmp half of
 * expect_fault (kernel/arch/x86_64/fault_expect.hpp). Saves the callee-saved
 * registers, the RSP and RIP the caller has once this returns, and RFLAGS;
 * returns 0. The longjmp half is no code of its own: the exception handler
 * copies these values into its interrupt frame with RAX = 1, and the stub's
 * IRETQ "returns" from this function a second time. Offsets: struct
 * arch::RecoveryPoint. */
    .section .text, "ax"
    .globl arch_save_recovery_point
    .type arch_save_recovery_point, @function
arch_save_recovery_point:
    movq %rbx, 0x00(%rdi)
    movq %rbp, 0x08(%rdi)
    movq %r12, 0x10(%rdi)
    movq %r13, 0x18(%rdi)
    movq %r14, 0x20(%rdi)
    movq %r15, 0x28(%rdi)
    leaq 8(%rsp), %rax          /* the caller's RSP after our RET */
    movq %rax, 0x30(%rdi)
    movq (%rsp), %rax           /* our return address */
    movq %rax, 0x38(%rdi)
    pushfq
    popq %rax
    movq %rax, 0x40(%rdi)
    xorl %eax, %eax
    ret
    .size arch_save_recovery_point, . - arch_save_recovery_point
