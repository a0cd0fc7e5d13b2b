/* arch_load_gdt(const DescriptorTablePointer* gdtr, uint16_t code_selector,
 * uint16_t data_selector): LGDT, then reload every segment register so none
 * keeps a descriptor cached from the loader's GDT (SDM Vol. 3A §3.4.3: the
 * hidden part is only refreshed by a load). CS can not be MOVed: a far
 * return pops the new CS with the next RIP. FS and GS get the null selector
 * (their bases come from MSRs in 64-bit mode); callers set IA32_GS_BASE
 * afterwards, because loading a selector into GS may change its base. */
    .section .text, "ax"
    .globl arch_load_gdt
    .type arch_load_gdt, @function
arch_load_gdt:
    lgdt (%rdi)
    movw %dx, %ds
    movw %dx, %es
    movw %dx, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    movzwl %si, %esi
    popq %rax                   /* our return address */
    pushq %rsi                  /* new CS */
    pushq %rax                  /* RIP: straight back to the caller */
    lretq
    .size arch_load_gdt, . - arch_load_gdt
