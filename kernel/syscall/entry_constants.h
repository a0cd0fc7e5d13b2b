/* The numbers entry.S shares with the C++ side of the system-call layer
 * (syscall.hpp checks them at compile time). */
#pragma once

/* The vector slot of a system call's arch::InterruptFrame: no IDT vector
 * has it (sys::kSyscallVector). */
#define SYSCALL_VECTOR 256

/* The table's size (uapi::kSyscallCount): entry.S checks the number
 * against it before it indexes syscall_table. */
#define SYSCALL_TABLE_SIZE 451

/* Byte offsets in arch::InterruptFrame from its lowest word (R15), for
 * the result (RAX) and the SYSRET checks (entry.cpp asserts them). */
#define SYSCALL_FRAME_R11 (4 * 8)
#define SYSCALL_FRAME_RCX (12 * 8)
#define SYSCALL_FRAME_RAX (14 * 8)
#define SYSCALL_FRAME_RIP (17 * 8)
#define SYSCALL_FRAME_CS (18 * 8)
#define SYSCALL_FRAME_RFLAGS (19 * 8)
#define SYSCALL_FRAME_SS (21 * 8)

/* The exit's no-work test (entry.S): sched::Thread::owner (the task) and
 * proc::Task::return_work, as byte offsets (entry.cpp asserts them), and
 * the ERESTART* codes as a range: RAX + BIAS <= SPAN for -516 .. -512
 * (proc::return_work_needed's test). */
#define SYSCALL_THREAD_OWNER 0x20
#define SYSCALL_TASK_RETURN_WORK 0xd8
#define SYSCALL_RESTART_BIAS 516
#define SYSCALL_RESTART_SPAN 4

/* RFLAGS.TF and RFLAGS.RF: SYSRET must not return with them (entry.S). */
#define SYSCALL_SYSRET_REFUSED_FLAGS 0x10100
/* arch::kUserTop: SYSRET only to a RIP below it. */
#define SYSCALL_USER_TOP 0x7ffffffff000
