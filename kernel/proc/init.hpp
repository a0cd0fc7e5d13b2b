// PID 1: the kernel command line's `init=<path>` (or `rdinit=<path>`, its
// alias here), with the words after `--` as its arguments, as Linux's
// kernel_init passes them. Until the VFS gives files, <path> names a
// Limine module. When PID 1 ends, the kernel says how (exit status or
// signal) and powers the machine off through ACPI - never a silent hang.
#pragma once

#include "lib/cmdline.hpp"

namespace proc {

// Starts PID 1 if the command line names one (its own thread; this
// returns at once). When it ends the kernel reports how and powers off.
void run_init(const lib::CommandLine& cmdline);

// "exited with status N" / "killed by signal N" for a wait status.
struct WaitStatusText {
    char text[48];
};
WaitStatusText describe_wait_status(int status);

}  // namespace proc
