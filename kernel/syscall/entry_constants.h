/* The numbers entry.S shares with the C++ side of the system-call layer
 * (syscall.hpp checks them at compile time). */
#pragma once

/* The vector slot of a system call's arch::InterruptFrame: no IDT vector
 * has it (sys::kSyscallVector). */
#define SYSCALL_VECTOR 256
