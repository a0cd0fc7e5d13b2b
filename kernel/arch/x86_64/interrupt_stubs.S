/* Entry stubs for all 256 IDT vectors and their common path (Intel SDM
 * Vol. 3A §6.12.1 "Exception- or Interrupt-Handler Procedures", §6.14.2
 * "64-Bit Mode Stack Frame").
 *
 * Stub N sits at arch_interrupt_stubs + N * 16, so the IDT is filled by
 * arithmetic and no table of 256 addresses is needed. Each stub makes the
 * frame uniform: vectors whose exceptions carry no error code push a 0 in
 * its place (SDM Table 6-1 says which do), then every stub pushes its vector
 * number. The common path saves the 15 general registers, giving
 * arch::InterruptFrame (kernel/arch/x86_64/interrupts.hpp), and calls
 * arch_handle_interrupt(frame). A handler may rewrite the frame (the fault
 * recovery of expect_fault does): the registers and the IRETQ frame are
 * restored from it.
 *
 * GS: in the kernel GS base holds this CPU's arch::CpuLocal; in user mode
 * it holds the program's GS base and IA32_KERNEL_GS_BASE the CpuLocal, and
 * SWAPGS exchanges the two (SDM Vol. 2B, SWAPGS). An entry from CPL 3 (the
 * pushed CS's RPL) swaps on the way in and back on the way out. The
 * vectors that can arrive at any instruction — #DB, NMI, #DF, #MC, which
 * may strike between SYSCALL and its SWAPGS — decide by the GS base itself
 * instead: a user GS base is always below the kernel half (arch_prctl
 * refuses others), so a non-negative one must be swapped. %r12 (callee-
 * saved, so the handler keeps it) remembers whether to swap back.
 *
 * SMAP: an interrupt keeps RFLAGS.AC as the interrupted code had it (a
 * program may set it), so the entry clears it where SMAP is on; IRETQ
 * restores the interrupted value.
 *
 * Stack alignment: the CPU aligns RSP to 16 before it pushes its 5 words
 * (SDM §6.14.2), the stub adds 2 and the common path 15: 22 words keep RSP
 * 16-byte aligned at the call, as the System V ABI wants. */

#include "lib/x86_64/asm_constants.h"
#include "kernel/arch/x86_64/interrupt_frame_asm.h"

#define STUB_SIZE 16

/* Vectors with an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13,
 * #PF 14, #AC 17, #CP 21, #VC 29, #SX 30. */
.macro INTERRUPT_STUB vector
    .balign STUB_SIZE
    .set has_error_code, (\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17)
    .set has_error_code, has_error_code || (\vector == 21) || (\vector == 29) || (\vector == 30)
    .if !has_error_code
    pushq $0                    /* in place of the error code the CPU did not push */
    .endif
    pushq $\vector
    jmp interrupt_common
.endm

    .section .text, "ax"
    .balign STUB_SIZE
    .globl arch_interrupt_stubs
    .type arch_interrupt_stubs, @function
arch_interrupt_stubs:
    .irp high, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    .irp low, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    INTERRUPT_STUB (\high * 16 + \low)
    .endr
    .endr
    .balign STUB_SIZE
arch_interrupt_stubs_end:
    .size arch_interrupt_stubs, . - arch_interrupt_stubs

    .section .rodata, "a"
    .balign 8
    .globl arch_interrupt_stubs_size
arch_interrupt_stubs_size:
    .quad arch_interrupt_stubs_end - arch_interrupt_stubs

    .section .text, "ax"
    .type interrupt_common, @function
interrupt_common:
    cld                         /* the ABI wants DF clear on function entry */
    PUSH_GENERAL_REGISTERS
    xorl %r12d, %r12d
    movq 15 * 8(%rsp), %rax     /* the vector */
    cmpq $1, %rax               /* #DB */
    je .Lgs_by_base
    cmpq $2, %rax               /* NMI */
    je .Lgs_by_base
    cmpq $8, %rax               /* #DF */
    je .Lgs_by_base
    cmpq $18, %rax              /* #MC */
    je .Lgs_by_base
    testb $3, 18 * 8(%rsp)      /* the interrupted CS: RPL 3 is user mode */
    jz .Lgs_ready
    jmp .Lgs_swap
.Lgs_by_base:
    movl $X86_MSR_GS_BASE, %ecx
    rdmsr
    testl %edx, %edx
    js .Lgs_ready               /* a kernel-half base: the kernel's already */
.Lgs_swap:
    swapgs
    movl $1, %r12d
.Lgs_ready:
    testb $1, arch_smap_active(%rip)
    jz .Lsmap_done
    clac
.Lsmap_done:
    /* A frame record [interrupted RBP][interrupted RIP] makes the RBP chain
     * run from the handler through the interrupted code, so a backtrace taken
     * inside a handler shows what was interrupted. */
    movq %rsp, %rdi             /* arch::InterruptFrame* */
    pushq 17 * 8(%rdi)          /* the interrupted RIP */
    pushq %rbp
    movq %rsp, %rbp
    call arch_handle_interrupt
    addq $16, %rsp
    testl %r12d, %r12d
    jz .Lgs_restored
    swapgs
.Lgs_restored:
    POP_GENERAL_REGISTERS
    addq $16, %rsp              /* vector and error code */
    iretq
    .size interrupt_common, . - interrupt_common
