/* The last step of the loader (facts sheet §3): runs after ExitBootServices
 * with interrupts off, on the firmware's identity-mapped page tables. Its
 * own page is identity-mapped in the kernel's tables too, so execution goes
 * on across the CR3 switch.
 *
 * void loader_handoff(const HandoffState* state)   -- MS x64: state in RCX
 *   0: cr3         kernel PML4 (physical)
 *   8: gdtr        identity pointer to a 10-byte GDTR (base = HHDM address)
 *  16: stack_top   HHDM address, 16-byte aligned
 *  24: entry       kernel entry point
 */
    .text
    .globl loader_handoff
    .globl loader_handoff_end
    .p2align 12
loader_handoff:
    cli
    cld
    /* Mask every line of both 8259 PICs (OCW1 to the data ports). */
    movb $0xff, %al
    outb %al, $0x21
    outb %al, $0xa1

    movq 0(%rcx), %rax
    movq 8(%rcx), %rdx
    movq 16(%rcx), %rsi
    movq 24(%rcx), %rdi

    /* LGDT reads its 10-byte operand now, from loader memory the current
     * tables map; no descriptor is read until a segment register loads,
     * which happens after the switch, when the HHDM base is mapped. */
    lgdt (%rdx)
    movq %rax, %cr3
    movq %rsi, %rsp

    /* CR0.WP: supervisor writes honour read-only pages (SDM Vol. 3A §2.5). */
    movq %cr0, %rax
    orq $0x10000, %rax
    movq %rax, %cr0

    /* Reload CS with the 64-bit code selector through a far return. */
    pushq $0x28
    leaq 1f(%rip), %rax
    pushq %rax
    lretq
1:
    movl $0x30, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs

    /* The kernel's stack: a 0 return address, then RET into the entry so
     * that every general-purpose register can be zero at its first
     * instruction. */
    pushq $0
    pushq %rdi
    xorl %eax, %eax
    xorl %ebx, %ebx
    xorl %ecx, %ecx
    xorl %edx, %edx
    xorl %esi, %esi
    xorl %edi, %edi
    xorl %ebp, %ebp
    xorl %r8d, %r8d
    xorl %r9d, %r9d
    xorl %r10d, %r10d
    xorl %r11d, %r11d
    xorl %r12d, %r12d
    xorl %r13d, %r13d
    xorl %r14d, %r14d
    xorl %r15d, %r15d
    ret
loader_handoff_end:
