/* Offsets of the per-CPU hot block's fields from GS base (arch::CpuHot,
 * kernel/arch/x86_64/percpu.hpp, which checks each with a static_assert).
 * Plain #defines so that assembly (the interrupt stubs, later the syscall
 * entry) can use them too: movq %gs:PERCPU_SYSCALL_SCRATCH, ... */
#pragma once

#define PERCPU_SELF 0
#define PERCPU_INDEX 8
#define PERCPU_APIC_ID 12
#define PERCPU_CURRENT_THREAD 16
#define PERCPU_PREEMPT_COUNT 24
#define PERCPU_INTERRUPT_DEPTH 28
#define PERCPU_KERNEL_STACK_TOP 32
#define PERCPU_SYSCALL_SCRATCH 40
#define PERCPU_AREA_OFFSET 48
#define PERCPU_RESCHEDULE_PENDING 56
#define PERCPU_APIC_MODE 60
#define PERCPU_HOT_SIZE 64
/* Not in the hot block: CpuLocal::tss.rsp[0] (cpu_local.hpp), GS-relative
 * too, so the switch writes it with one store (set_kernel_stack_top). */
#define PERCPU_TSS_RSP0 140
