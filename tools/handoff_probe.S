/* The hand-off probe of tools/linux_reference.py: booted by QEMU's -kernel
 * loader exactly as a Linux bzImage is (same firmware, same option ROM, same
 * initrd), it reads the TSC with its first instruction, so that value is the
 * firmware's share of a Linux boot under -icount shift=0 (one tick per
 * instruction). It prints "@<16 hex digits>\n" on COM1 and ends QEMU through
 * isa-debug-exit (port 0xf4).
 *
 * Entered in real mode at the setup code's offset 0x200 (Linux boot protocol,
 * "Running the kernel": CS = setup segment + 0x20, IP = 0); the wrapper in
 * linux_reference.py jumps from there to here. Position independent, no
 * data: everything is an immediate. */
    .code16
    .text
    .globl _start
_start:
    rdtsc                   /* edx:eax: instructions since the machine's reset */
    mov %eax, %esi
    mov %edx, %edi
    mov $0x3f8, %dx         /* COM1 transmit register; QEMU needs no set-up */
    mov $'@', %al
    out %al, %dx
    mov %edi, %ebx
    call hex32
    mov %esi, %ebx
    call hex32
    mov $'\n', %al
    out %al, %dx
    mov $0xf4, %dx          /* isa-debug-exit: QEMU exits with (0x10 << 1) | 1 */
    mov $0x10, %al
    out %al, %dx
1:  hlt
    jmp 1b

/* Prints ebx as 8 upper-case hex digits to the port in dx. */
hex32:
    mov $8, %cx
2:  rol $4, %ebx
    mov %bl, %al
    and $0xf, %al
    add $'0', %al
    cmp $'9', %al
    jbe 3f
    add $7, %al
3:  out %al, %dx
    loop 2b
    ret
