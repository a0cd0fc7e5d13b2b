/* arch_capture_registers(InterruptFrame* out): stores the registers as the
 * caller sees them (offsets: arch::InterruptFrame in interrupt_frame.hpp):
 * RSP and RIP as they are once this returns, RAX as it was on entry, RDI
 * holding `out` by the calling convention. Returns 0.
 *
 * The same code is arch_save_recovery_point, the setjmp half of
 * expect_fault (fault_expect.hpp): the longjmp half is no code of its own.
 * The exception handler copies the saved frame into its own with RAX = 1,
 * and the stub's IRETQ "returns" from this function a second time. */
    .section .text, "ax"
    .globl arch_capture_registers
    .type arch_capture_registers, @function
    .globl arch_save_recovery_point
    .type arch_save_recovery_point, @function
arch_capture_registers:
arch_save_recovery_point:
    movq %r15, 0x00(%rdi)
    movq %r14, 0x08(%rdi)
    movq %r13, 0x10(%rdi)
    movq %r12, 0x18(%rdi)
    movq %r11, 0x20(%rdi)
    movq %r10, 0x28(%rdi)
    movq %r9, 0x30(%rdi)
    movq %r8, 0x38(%rdi)
    movq %rbp, 0x40(%rdi)
    movq %rdi, 0x48(%rdi)
    movq %rsi, 0x50(%rdi)
    movq %rdx, 0x58(%rdi)
    movq %rcx, 0x60(%rdi)
    movq %rbx, 0x68(%rdi)
    movq %rax, 0x70(%rdi)
    movq $0, 0x78(%rdi)         /* vector */
    movq $0, 0x80(%rdi)         /* error code */
    movq (%rsp), %rax           /* the return address: the caller's RIP */
    movq %rax, 0x88(%rdi)
    movq %cs, %rax
    movq %rax, 0x90(%rdi)
    pushfq
    popq %rax
    movq %rax, 0x98(%rdi)
    leaq 8(%rsp), %rax          /* the caller's RSP once we have returned */
    movq %rax, 0xa0(%rdi)
    movq %ss, %rax
    movq %rax, 0xa8(%rdi)
    xorl %eax, %eax             /* the return value */
    ret
    .size arch_capture_registers, . - arch_capture_registers
    .size arch_save_recovery_point, . - arch_save_recovery_point
