/* The kernel's first instructions. The loader enters at the ELF entry
 * (kernel_entry) or, when the kernel's Entry Point request was answered, at
 * the address that request names (kernel_entry_from_request); both record
 * the CPU state exactly as the loader left it (docs/limine-protocol.md §3), so the boot
 * protocol tests can check it later, then call into C++ on the loader's
 * stack. RBP is cleared so backtraces end here. */
#include "lib/x86_64/asm_constants.h"

    .section .text.entry, "ax"

/* Saves every register into boot_entry_state (layout: struct EntryState in
 * kernel/boot/entry_state.hpp) without changing any before it is saved. */
.macro SAVE_ENTRY_STATE via_request
    movq %rax, boot_entry_state + 0(%rip)
    movq %rbx, boot_entry_state + 8(%rip)
    movq %rcx, boot_entry_state + 16(%rip)
    movq %rdx, boot_entry_state + 24(%rip)
    movq %rsi, boot_entry_state + 32(%rip)
    movq %rdi, boot_entry_state + 40(%rip)
    movq %rbp, boot_entry_state + 48(%rip)
    movq %rsp, boot_entry_state + 56(%rip)
    movq %r8,  boot_entry_state + 64(%rip)
    movq %r9,  boot_entry_state + 72(%rip)
    movq %r10, boot_entry_state + 80(%rip)
    movq %r11, boot_entry_state + 88(%rip)
    movq %r12, boot_entry_state + 96(%rip)
    movq %r13, boot_entry_state + 104(%rip)
    movq %r14, boot_entry_state + 112(%rip)
    movq %r15, boot_entry_state + 120(%rip)
    pushfq
    popq %rax
    movq %rax, boot_entry_state + 128(%rip)      /* rflags */
    movq (%rsp), %rax
    movq %rax, boot_entry_state + 136(%rip)      /* the return address at [rsp] */
    movq %cr0, %rax
    movq %rax, boot_entry_state + 144(%rip)
    movq %cr3, %rax
    movq %rax, boot_entry_state + 152(%rip)
    movq %cr4, %rax
    movq %rax, boot_entry_state + 160(%rip)
    movl $X86_MSR_EFER, %ecx
    rdmsr
    movl %eax, boot_entry_state + 168(%rip)
    movl %edx, boot_entry_state + 172(%rip)
    movw %cs, boot_entry_state + 176(%rip)
    movw %ds, boot_entry_state + 178(%rip)
    movw %es, boot_entry_state + 180(%rip)
    movw %ss, boot_entry_state + 182(%rip)
    movw %fs, boot_entry_state + 184(%rip)
    movw %gs, boot_entry_state + 186(%rip)
    sgdt boot_entry_state + 188(%rip)            /* 2-byte limit + 8-byte base */
    movb $\via_request, boot_entry_state + 198(%rip)
    rdtsc                                        /* for measuring the loader's cost */
    movl %eax, boot_entry_state + 200(%rip)
    movl %edx, boot_entry_state + 204(%rip)
.endm

    .globl kernel_entry
    .type kernel_entry, @function
kernel_entry:
    SAVE_ENTRY_STATE 0
    jmp enter_cpp
    .size kernel_entry, . - kernel_entry

    .globl kernel_entry_from_request
    .type kernel_entry_from_request, @function
kernel_entry_from_request:
    SAVE_ENTRY_STATE 1
    jmp enter_cpp
    .size kernel_entry_from_request, . - kernel_entry_from_request

enter_cpp:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call boot_from_limine
1:  cli
    hlt
    jmp 1b
