// PID 1: the kernel command line's `init=<path>` (or `rdinit=<path>`, its
// alias here), by default the first of /sbin/init, /etc/init, /bin/init,
// /bin/sh that exists, as Linux's kernel_init; the words after `--` are its
// arguments. <path> is a file of the VFS or a Limine module's path. When
// PID 1 ends, the kernel says how (exit status or signal) and powers the
// machine off through ACPI - never a silent hang.
#pragma once

#include "lib/cmdline.hpp"

namespace proc {

// Which program PID 1 will be: init=/rdinit=, else the first default that
// exists in the VFS, else none (said in the log). Before `kernel: ready`,
// so that line is not cut into what is typed after it.
void choose_init(const lib::CommandLine& cmdline);
// Starts the chosen PID 1 (its own thread; this returns at once). When it
// ends the kernel reports how and powers off.
void run_init(const lib::CommandLine& cmdline);

// "exited with status N" / "killed by signal N" for a wait status.
struct WaitStatusText {
    char text[48];
};
WaitStatusText describe_wait_status(int status);

}  // namespace proc
