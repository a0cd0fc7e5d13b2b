/* debug_capture_registers(Registers* out): stores the general registers as
 * the caller sees them, for the panic report (offsets: debug::Registers in
 * kernel/debug/panic.hpp). RSP and RIP are the caller's values after this
 * call returns; RAX and RDI are reported as they were on entry except that
 * RDI holds `out` by the calling convention. */
    .section .text, "ax"
    .globl debug_capture_registers
    .type debug_capture_registers, @function
debug_capture_registers:
    movq %rax, 0x00(%rdi)
    movq %rbx, 0x08(%rdi)
    movq %rcx, 0x10(%rdi)
    movq %rdx, 0x18(%rdi)
    movq %rsi, 0x20(%rdi)
    movq %rdi, 0x28(%rdi)
    movq %rbp, 0x30(%rdi)
    leaq 8(%rsp), %rax          /* the caller's RSP once we have returned */
    movq %rax, 0x38(%rdi)
    movq %r8, 0x40(%rdi)
    movq %r9, 0x48(%rdi)
    movq %r10, 0x50(%rdi)
    movq %r11, 0x58(%rdi)
    movq %r12, 0x60(%rdi)
    movq %r13, 0x68(%rdi)
    movq %r14, 0x70(%rdi)
    movq %r15, 0x78(%rdi)
    movq (%rsp), %rax           /* the return address: the caller's RIP */
    movq %rax, 0x80(%rdi)
    pushfq
    popq %rax
    movq %rax, 0x88(%rdi)
    movq 0x00(%rdi), %rax       /* RAX as it was */
    ret
    .size debug_capture_registers, . - debug_capture_registers
