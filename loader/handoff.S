/* The last step of the loader (docs/limine-protocol.md §3): runs after ExitBootServices
 * with interrupts off, on the firmware's identity-mapped page tables. Its
 * own page, and the page holding the HandoffState, are identity-mapped in the
 * kernel's tables too, so execution goes on across the CR3 switch.
 *
 * void loader_handoff(HandoffState* state)   -- MS x64: state in RCX; the
 * state's page lies below 4 GiB (the 5-level path runs 32-bit code on it).
 *   0: cr3           kernel top-level table (physical, below 4 GiB)
 *   8: stack_top     HHDM address, 16-byte aligned
 *  16: entry         kernel entry point
 *  24: five_level    non-zero: enable LA57 on the way
 *  32: gdtr_physical 10-byte GDTR, base = the GDT's physical address
 *  48: gdtr_virtual  10-byte GDTR, base = the GDT's HHDM address
 */
#include "lib/x86_64/asm_constants.h"
#include "loader/gdt_selectors.h"

    .text
    .globl loader_handoff
    .globl loader_handoff_end
loader_handoff:
    cli
    cld
    /* Mask every line of both 8259 PICs (OCW1 to the data ports). */
    movb $0xff, %al
    outb %al, $X86_PIC_MASTER_DATA
    outb %al, $X86_PIC_SLAVE_DATA

    cmpq $0, 24(%rcx)
    jne .Lfive_level

    movq 0(%rcx), %rax
    movq 8(%rcx), %rsi
    movq 16(%rcx), %rdi
    /* LGDT reads its operand now, from memory both the current and the new
     * tables map; no descriptor is read until a segment register loads,
     * which happens after the switch, when the HHDM base is mapped. */
    lgdt 48(%rcx)
    movq %rax, %cr3
    movq %rsi, %rsp

    /* CR0.WP: supervisor writes honour read-only pages (SDM Vol. 3A §2.5). */
    movq %cr0, %rax
    orq $X86_CR0_WP, %rax
    movq %rax, %cr0

    /* Reload CS with the 64-bit code selector through a far return. */
    pushq $LOADER_GDT_CODE64
    leaq .Lcode_selector_loaded(%rip), %rax
    pushq %rax
    lretq

.Lcode_selector_loaded:
    movl $LOADER_GDT_DATA64, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs

    /* The entry state base revision 5 pins down (docs/limine-protocol.md §7),
     * given for every revision as Limine 11+ does:
     * CR0 = PE | ET | WP | PG only; CR4 = PAE (+ LA57) only; EFER = LME |
     * LMA (+ NXE) only; LDTR null; IDTR base 0 limit 0; TR = the GDT's empty
     * TSS (its busy bit cleared first: the APs loaded it before us). */
    movl $(X86_CR0_PG | X86_CR0_WP | X86_CR0_ET | X86_CR0_PE), %eax
    movq %rax, %cr0
    movq %cr4, %rax
    andl $(X86_CR4_LA57 | X86_CR4_PAE), %eax
    movq %rax, %cr4
    movl $X86_MSR_EFER, %ecx
    rdmsr
    andl $(X86_EFER_NXE | X86_EFER_LMA | X86_EFER_LME), %eax
    xorl %edx, %edx
    wrmsr
    xorl %eax, %eax
    lldt %ax
    pushq $0
    pushq $0
    lidt 6(%rsp)                 /* 2-byte limit 0, 8-byte base 0 */
    addq $16, %rsp
    sgdt -16(%rsp)
    movq -14(%rsp), %rax         /* GDT base */
    andb $~LOADER_TSS_TYPE_BUSY, LOADER_GDT_TSS_ACCESS_BYTE(%rax)  /* busy -> available */
    movl $LOADER_GDT_TSS, %eax
    ltr %ax

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
    pushq $X86_RFLAGS_RESERVED_ONE /* RFLAGS: nothing else (after the XORs, which set flags) */
    popfq
    ret

/* CR4.LA57 can change only with paging off (SDM Vol. 3A §4.1.1, §9.8.5):
 * drop to 32-bit compatibility mode, turn paging off (leaving IA-32e mode),
 * set LA57, load the 5-level CR3, turn paging on again and far-return into
 * 64-bit mode. Everything touched meanwhile (this page, the state page used
 * as a small stack, the GDT in it) is identity-mapped below 4 GiB. */
.Lfive_level:
    lgdt 32(%rcx)
    leaq 4096(%rcx), %rsp
    andq $-4096, %rsp
    pushq $LOADER_GDT_CODE32
    leaq .Lcompatibility(%rip), %rax
    pushq %rax
    lretq

    .code32
.Lcompatibility:
    movl $LOADER_GDT_DATA32, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %cr0, %eax
    andl $(0xffffffff ^ X86_CR0_PG), %eax
    movl %eax, %cr0
    movl %cr4, %eax
    orl $X86_CR4_LA57, %eax
    movl %eax, %cr4
    movl 0(%ecx), %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $(X86_CR0_PG | X86_CR0_WP), %eax  /* EFER.LME is still set */
    movl %eax, %cr0
    call 1f
1:  popl %eax
    addl $(.Llong_mode - 1b), %eax
    pushl $LOADER_GDT_CODE64
    pushl %eax
    lret

    .code64
.Llong_mode:
    movl %ecx, %ecx             /* upper halves are undefined after compatibility mode */
    movq 8(%rcx), %rsi
    movq 16(%rcx), %rdi
    lgdt 48(%rcx)
    movq %rsi, %rsp
    jmp .Lcode_selector_loaded
loader_handoff_end:
