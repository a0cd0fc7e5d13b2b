/* The console font, embedded at build time. KERNEL_FONT_PATH is the
 * decompressed PSF file that cmake/kernel.cmake writes into the build tree
 * (from KERNEL_FONT, Debian's Uni2-Terminus16 by default); the kernel parses
 * it with lib/psf at boot (kernel/console/framebuffer_console.cpp). */
    .section .rodata.console_font, "a", @progbits
    .balign 16
    .global console_font_start
console_font_start:
    .incbin KERNEL_FONT_PATH
    .global console_font_end
console_font_end:

    .section .note.GNU-stack, "", @progbits
