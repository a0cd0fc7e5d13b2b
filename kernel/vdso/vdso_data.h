/* The vDSO's data page (docs/syscalls.md "vDSO"): written by the kernel
 * (kernel/proc/vdso.cpp) once at boot, read by the user-mode vDSO
 * (kernel/vdso/vdso.c), which finds it one page below its own ELF header.
 * Plain C: both the kernel and the vDSO, built by gcc as a shared object,
 * include it. */
#ifndef KERNEL_VDSO_VDSO_DATA_H
#define KERNEL_VDSO_VDSO_DATA_H

#include <stdint.h>

#define VDSO_DATA_VERSION 1

struct vdso_data {
    uint32_t version;         /* VDSO_DATA_VERSION; anything else: use the system calls */
    uint32_t use_syscall;     /* 1: the CPUs' TSCs are not in step (per-CPU offsets): ask the kernel */
    uint64_t zero_tsc;        /* the TSC at which the monotonic clock reads 0 */
    uint64_t ns_per_tick;     /* nanoseconds per TSC tick, 32.32 fixed point */
    int64_t realtime_offset;  /* CLOCK_REALTIME - CLOCK_MONOTONIC, in ns (the boot date) */
    uint64_t coarse_ns;       /* the COARSE clocks' resolution (the tick) */
    uint32_t getcpu_rdtscp;   /* 1: IA32_TSC_AUX holds (node << 12) | cpu on every CPU: getcpu by RDTSCP */
    uint32_t reserved;
};

#endif
