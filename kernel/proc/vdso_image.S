/* The vDSO's image (kernel/vdso/vdso.c, built by cmake/kernel.cmake into
 * KERNEL_VDSO_PATH), mapped into programs by kernel/proc/vdso.cpp. */
    .section .rodata.vdso_image, "a", @progbits
    .balign 4096
    .global proc_vdso_image_start
proc_vdso_image_start:
    .incbin KERNEL_VDSO_PATH
    .global proc_vdso_image_end
proc_vdso_image_end:

    .section .note.GNU-stack, "", @progbits
