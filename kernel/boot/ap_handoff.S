/* boot_ap_launch(smp_info* info): where an AP goes when it leaves the
 * loader's parking loop (ap_handoff.hpp). It arrives on the loader's stack
 * and page tables with RDI = its smp_info (docs/limine-protocol.md §4), whose
 * extra_argument points at its boot::ApLaunch:
 *   +0 page_table_root, +8 stack_top, +16 entry.
 * The loader's stack is never written: CR3 first (the new stack may be
 * mapped only in those tables; this code and the record are mapped the same
 * in both), then RSP. No memory but the record, smp_info and this image is
 * touched before the switch. */

    .section .text, "ax"
    .globl boot_ap_launch
    .type boot_ap_launch, @function
boot_ap_launch:
    movq 24(%rdi), %rdi                 /* smp_info.extra_argument: the ApLaunch */
    /* fall through */

/* boot_ap_launch_record(ApLaunch* launch): the same from the record itself,
 * for an AP that waited in the kernel (boot::wait_for_launch). */
    .globl boot_ap_launch_record
    .type boot_ap_launch_record, @function
boot_ap_launch_record:
    movq 0(%rdi), %rax
    movq %rax, %cr3                     /* SDM Vol. 3A §4.10.4.1: non-global TLB entries go */
    movq 8(%rdi), %rsp
    /* The GDT below has the same descriptors at 0x28/0x30 as the loader's
     * (docs/limine-protocol.md §3), so the hidden parts of CS/DS/SS stay what they are;
     * only GDTR moves out of bootloader memory (an NMI's IRET would read it). */
    lgdtq boot_ap_gdtr(%rip)
    xorl %ebp, %ebp                     /* backtraces end here */
    pushq $0                            /* return address 0, as at the protocol's entry */
    jmpq *16(%rdi)
    .size boot_ap_launch_record, . - boot_ap_launch_record
    .size boot_ap_launch, boot_ap_launch_record - boot_ap_launch

    .section .rodata, "a"
    .balign 16
/* boot_ap_gdt is the protocol's GDT, defined in ap_handoff.cpp from
 * lib/x86_64/descriptors.hpp (7 descriptors of 8 bytes). */
    .balign 16
boot_ap_gdtr:
    .word 7 * 8 - 1                     /* limit: limine_gdt::kSegmentCount descriptors */
    .quad boot_ap_gdt
