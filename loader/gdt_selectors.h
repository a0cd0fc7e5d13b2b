/* The selectors of the GDT the kernel is entered with (docs/limine-protocol.md
 * §3), for gdt.hpp and for the assembly that loads them (handoff.S,
 * smp/trampoline.S). Descriptor i has selector 8 * i. */
#pragma once

#define LOADER_GDT_CODE32 0x18 /* 32-bit code: the 5-level detour in handoff.S */
#define LOADER_GDT_DATA32 0x20 /* 32-bit data */
#define LOADER_GDT_CODE64 0x28 /* the kernel's CS at entry */
#define LOADER_GDT_DATA64 0x30 /* the kernel's DS/ES/SS/FS/GS at entry */
#define LOADER_GDT_TSS 0x38    /* the empty TSS that TR holds at entry (16 bytes) */

/* A TSS descriptor's access byte (byte 5) holds its type: 1001b available,
 * 1011b busy (SDM Vol. 3A §8.2.2). LTR of a busy TSS faults, so the code
 * clears this bit before loading TR again. */
#define LOADER_GDT_TSS_ACCESS_BYTE (LOADER_GDT_TSS + 5)
#define LOADER_TSS_TYPE_BUSY 0x02
