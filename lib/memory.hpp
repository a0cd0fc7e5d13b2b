// The memory primitives behind the kernel's memcpy/memmove/memset/memcmp
// (kernel/rt/memory.cpp), under their own names so that the host tests can
// compare them with the C library on the same machine.
//
// Forward copies and fills use the x86 string instructions: on CPUs with ERMS
// ("Enhanced REP MOVSB/STOSB", CPUID.(EAX=7,ECX=0):EBX bit 9) REP MOVS and
// REP STOS are the fastest general routines for all but tiny sizes (Intel
// Optimization Reference Manual, §3.7.6), and never slow elsewhere. memcpy
// and memset move 8-byte words (REP MOVSQ/STOSQ) and then the tail bytes:
// under QEMU's TCG, which the benchmarks count instructions on
// (docs/benchmarks.md), each iteration is one instruction, so a page costs
// 512 instead of 4096. memmove's forward case stays REP MOVSB (byte order
// matters when the ranges overlap).
// Backward (overlapping) moves copy 8-byte words from the top down. Inline asm
// and no_builtin keep the compiler from turning any of this back into a call
// to memcpy/memmove/memset/memcmp, which would recurse.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lib {

// Copies `size` bytes; the ranges must not overlap (like memcpy).
void copy_bytes(void* destination, const void* source, size_t size);

// Copies `size` bytes correctly for any overlap (like memmove): forward when
// the destination starts below the source, backward otherwise.
void move_bytes(void* destination, const void* source, size_t size);

// Sets `size` bytes to `value` (like memset).
void fill_bytes(void* destination, uint8_t value, size_t size);

// <0, 0 or >0 as the first differing byte (unsigned) is smaller, absent or
// larger in `a` than in `b` (like memcmp).
int compare_bytes(const void* a, const void* b, size_t size);

}  // namespace lib
