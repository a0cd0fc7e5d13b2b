// The application-processor trampoline (see trampoline.hpp for the BSP's
// side). The bytes from smp_trampoline_start to smp_trampoline_end are copied
// to one page below 1 MiB; a STARTUP IPI with that page's vector starts an AP
// in real mode at CS = page >> 4, IP = 0 (Intel SDM Vol. 3A §9.4.4).
//
// Everything is position independent: real mode addresses the page through
// CS/DS, protected mode through EBX (the page's physical base, computed from
// CS), long mode through RIP. What depends on where the page is (GDTR base,
// far-jump targets) and on the boot (page tables, GDT, stack, smp_info) sits
// in the parameter block at the end, written by the BSP before each start.
//
// Path (SDM Vol. 3A §10.8.5, "Initializing IA-32e Mode"; section numbers
// here follow the current SDM, older editions number these chapters one lower):
//   real mode -> temporary GDT -> 32-bit protected mode -> local APIC ->
//   CR4.PAE (+LA57),
//   CR3 = small identity tables below 4 GiB, EFER.LME (+NXE), CR0.PG ->
//   IA-32e mode, far jump to 64-bit code (identity) -> CR3 = kernel tables
//   -> kernel GDT, CS 0x28 / data 0x30 -> PAT -> report in -> parking loop
//   through the HHDM alias of this page. The local APIC's mode and entry
//   state are set in 32-bit mode, before paging, where its page is reachable.
//
// The detour through temporary tables exists because a MOV to CR3 in 32-bit
// mode only takes 32 bits: the kernel's top-level table may lie above 4 GiB.

#include "lib/x86_64/asm_constants.h"
#include "loader/gdt_selectors.h"

    .section .text
    .balign 16
    .globl smp_trampoline_start
smp_trampoline_start:

// ---------------------------------------------------------------- real mode
    .code16
    cli
    cld
    xorl %ebx, %ebx
    movw %cs, %bx
    shll $4, %ebx                       // EBX = physical base of this page
    movw %cs, %ax
    movw %ax, %ds
    movl $1, (smp_tp_started - smp_trampoline_start)
    lgdtl (smp_tp_temporary_gdtr - smp_trampoline_start)
    movl %cr0, %eax
    orl $X86_CR0_PE, %eax
    movl %eax, %cr0
    ljmpl *(smp_tp_far_jump_32 - smp_trampoline_start)

// --------------------------------------------------- 32-bit protected mode
    .code32
    .globl smp_trampoline_protected_mode
smp_trampoline_protected_mode:
    movw $LOADER_GDT_DATA32, %ax        // temporary GDT: 32-bit data
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs

    // The local APIC, before paging: without it, protected mode reaches the
    // xAPIC page at its physical address. First the mode the BSP runs in.
    movl $1, %esi                       // report: alive, xAPIC
    cmpl $0, (smp_tp_enable_x2apic - smp_trampoline_start)(%ebx)
    jne 4f
    // xAPIC wanted. INIT keeps an APIC in x2APIC mode (SDM §11.12.5), so if
    // the firmware had switched this one, leave through the disabled state
    // (x2APIC -> xAPIC directly is illegal). The BSP only asks for xAPIC
    // after checking that the platform allows it.
    movl $X86_MSR_APIC_BASE, %ecx
    rdmsr
    btl $X86_APIC_BASE_EXTD_BIT, %eax
    jnc 3f
    andl $~(X86_APIC_BASE_EN | X86_APIC_BASE_EXTD), %eax  // disabled
    wrmsr
    orl $X86_APIC_BASE_EN, %eax         // xAPIC
    wrmsr
    jmp 3f
4:
    movl %ebx, %edi                     // CPUID overwrites EBX, and there is no stack
    movl $X86_CPUID_LEAF_FEATURES, %eax
    cpuid
    movl %edi, %ebx
    btl $X86_CPUID_X2APIC_ECX_BIT, %ecx // no x2APIC: stay in xAPIC mode
    jnc 3f
    movl $X86_MSR_APIC_BASE, %ecx       // xAPIC on first, then EXTD (xAPIC ->
    rdmsr                               // x2APIC is the legal transition,
    orl $X86_APIC_BASE_EN, %eax         // SDM §11.12.5)
    wrmsr
    orl $X86_APIC_BASE_EXTD, %eax
    wrmsr
    movl $2, %esi                       // report: alive, x2APIC
3:
    // Then base revision 5's local APIC state (entry_lapic.hpp): the BSP
    // wrote this CPU's (register offset, value) pairs, applied in order, as
    // MSR 0x800 + offset / 16 in x2APIC mode, else at the xAPIC page.
    movl (smp_tp_lapic_count - smp_trampoline_start)(%ebx), %ebp
    leal (smp_tp_lapic_writes - smp_trampoline_start)(%ebx), %edi
5:
    testl %ebp, %ebp
    jz 7f
    cmpl $2, %esi
    jne 6f
    movl (%edi), %ecx
    shrl $4, %ecx
    addl $X86_X2APIC_MSR_BASE, %ecx
    movl 4(%edi), %eax
    xorl %edx, %edx
    wrmsr
    jmp 8f
6:
    movl $X86_MSR_APIC_BASE, %ecx
    rdmsr
    testl %edx, %edx                    // a page above 4 GiB is out of reach here
    jnz 7f
    andl $X86_APIC_BASE_ADDRESS_LOW, %eax
    addl (%edi), %eax
    movl 4(%edi), %ecx
    movl %ecx, (%eax)
8:
    addl $8, %edi
    decl %ebp
    jmp 5b
7:

    movl (smp_tp_cr4 - smp_trampoline_start)(%ebx), %eax
    movl %eax, %cr4                     // PAE, LA57 if asked, and the BSP's harmless bits
    movl (smp_tp_temporary_cr3 - smp_trampoline_start)(%ebx), %eax
    movl %eax, %cr3
    movl $X86_MSR_EFER, %ecx
    rdmsr
    orl (smp_tp_efer_set - smp_trampoline_start)(%ebx), %eax
    wrmsr
    movl (smp_tp_cr0 - smp_trampoline_start)(%ebx), %eax
    movl %eax, %cr0                     // PG + PE + WP: IA-32e (compatibility) mode
    ljmpl *(smp_tp_far_jump_64 - smp_trampoline_start)(%ebx)

// ----------------------------------------------------- 64-bit, identity map
    .code64
    .globl smp_trampoline_long_mode
smp_trampoline_long_mode:
    movq smp_tp_kernel_cr3(%rip), %rax
    movq %rax, %cr3                     // this page is identity-mapped there too
    movq smp_tp_stack_top(%rip), %rsp   // own stack (HHDM) before the first push
    lgdtq smp_tp_kernel_gdtr(%rip)
    pushq smp_tp_code_selector(%rip)
    leaq 1f(%rip), %rax
    pushq %rax
    lretq                               // reload CS from the kernel's GDT
1:
    movl smp_tp_data_selector(%rip), %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs

    // Base revision 5's descriptor state, as on the BSP (handoff.S): LDTR
    // null, IDTR base 0 limit 0 (INIT left limit 0xffff), TR the GDT's empty
    // TSS at 0x38 (busy after the previous CPU's LTR: made available first;
    // the APs start one at a time, so no two race here).
    xorl %eax, %eax
    lldt %ax
    pushq $0
    pushq $0
    lidt 6(%rsp)
    addq $16, %rsp
    movq smp_tp_kernel_gdtr + 2(%rip), %rax
    andb $~LOADER_TSS_TYPE_BUSY, LOADER_GDT_TSS_ACCESS_BYTE(%rax)
    movl $LOADER_GDT_TSS, %eax
    ltr %ax

    cmpl $0, smp_tp_set_pat(%rip)
    je 2f
    movl $0x277, %ecx                   // IA32_PAT
    movl smp_tp_pat(%rip), %eax
    movl smp_tp_pat + 4(%rip), %edx
    wrmsr
2:
    movq smp_tp_info(%rip), %rdi
    movq smp_tp_park(%rip), %rax
    // Report in. Every parameter has been read: from here on the BSP may
    // rewrite them for the next AP (x86 keeps these loads before the store).
    movl %esi, smp_tp_alive(%rip)       // ESI: set in 32-bit mode
    jmpq *%rax

// ------------------------------------------- parking loop, run via the HHDM
// RDI = this CPU's smp_info (HHDM), RSP = top of its stack (HHDM).
    .globl smp_trampoline_park
smp_trampoline_park:
    pause
    movq 16(%rdi), %rax                 // smp_info.goto_address
    testq %rax, %rax
    jz smp_trampoline_park

    // Enter as the BSP entered the kernel (docs/limine-protocol.md §3): RFLAGS with IF
    // and DF clear, a return address of 0 on the stack, every GPR but RDI
    // and RSP zero.
    pushq $0                            // the return address
    pushq %rax                          // consumed by the RET below
    xorl %eax, %eax
    xorl %ebx, %ebx
    xorl %ecx, %ecx
    xorl %edx, %edx
    xorl %esi, %esi
    xorl %ebp, %ebp
    xorl %r8d, %r8d
    xorl %r9d, %r9d
    xorl %r10d, %r10d
    xorl %r11d, %r11d
    xorl %r12d, %r12d
    xorl %r13d, %r13d
    xorl %r14d, %r14d
    xorl %r15d, %r15d
    pushq $2                            // RFLAGS: only the reserved bit 1 (after
    popfq                               // the XORs, which set ZF and PF)
    ret

// ------------------------------------------------------------ temporary GDT
// The same layout as the GDT the Limine protocol hands over (docs/limine-protocol.md §3),
// with the accessed bits preset so the CPU never writes to it.
    .balign 16
    .globl smp_trampoline_gdt
smp_trampoline_gdt:
    .fill 7, 8, 0                       // lib/x86_64/descriptors.hpp limine_gdt::kSegments, stored by
                                        // install_trampoline (trampoline.cpp)
smp_trampoline_gdt_end:

// ---------------------------------------------------------- parameter block
// Written by the BSP (trampoline.cpp); offsets are taken from these labels.
    .balign 16
    .globl smp_tp_temporary_gdtr
smp_tp_temporary_gdtr:
    .word smp_trampoline_gdt_end - smp_trampoline_gdt - 1
    .long 0                             // physical base of the copied GDT
    .word 0
    .globl smp_tp_kernel_gdtr
smp_tp_kernel_gdtr:
    .word 0                             // limit
    .quad 0                             // base (HHDM)
    .word 0, 0, 0
    .globl smp_tp_far_jump_32
smp_tp_far_jump_32:
    .long 0                             // physical address of ..._protected_mode
    .word LOADER_GDT_CODE32
    .word 0
    .globl smp_tp_far_jump_64
smp_tp_far_jump_64:
    .long 0                             // physical address of ..._long_mode
    .word LOADER_GDT_CODE64
    .word 0
    .globl smp_tp_cr0
smp_tp_cr0:             .long 0
    .globl smp_tp_cr4
smp_tp_cr4:             .long 0
    .globl smp_tp_efer_set
smp_tp_efer_set:        .long 0
    .globl smp_tp_temporary_cr3
smp_tp_temporary_cr3:   .long 0
    .globl smp_tp_set_pat
smp_tp_set_pat:         .long 0
    .globl smp_tp_enable_x2apic
smp_tp_enable_x2apic:   .long 0
    .globl smp_tp_started
smp_tp_started:         .long 0
    .globl smp_tp_alive
smp_tp_alive:           .long 0
    .globl smp_tp_kernel_cr3
smp_tp_kernel_cr3:      .quad 0
    .globl smp_tp_code_selector
smp_tp_code_selector:   .quad 0
    .globl smp_tp_data_selector
smp_tp_data_selector:   .quad 0
    .globl smp_tp_pat
smp_tp_pat:             .quad 0
    .globl smp_tp_stack_top
smp_tp_stack_top:       .quad 0
    .globl smp_tp_info
smp_tp_info:            .quad 0
    .globl smp_tp_park
smp_tp_park:            .quad 0
    .globl smp_tp_lapic_count
smp_tp_lapic_count:     .long 0
    .globl smp_tp_lapic_writes
smp_tp_lapic_writes:    .space 8 * 10     // loader::smp::kMaxLapicWrites pairs

    .globl smp_trampoline_end
smp_trampoline_end:

#if defined(__ELF__)
// Host-test builds only: this object does not need an executable stack.
    .section .note.GNU-stack, "", @progbits
#endif
