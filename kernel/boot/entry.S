/* The kernel's first instruction (ELF entry). The loader enters here in the
 * state of facts sheet §3: long mode, interrupts off, a stack with a 0 return
 * address. We keep that stack, clear RBP so backtraces end here, and call
 * into C++. */
    .section .text.entry, "ax"
    .globl kernel_entry
    .type kernel_entry, @function
kernel_entry:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call boot_from_limine
1:  cli
    hlt
    jmp 1b
    .size kernel_entry, . - kernel_entry
