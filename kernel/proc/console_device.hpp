// /dev/console (character device 5:1) until the TTY layer (issue 13)
// registers its own: writes go to the kernel's consoles (serial and
// framebuffer), reads see end of file. PID 1's descriptors 0, 1 and 2 are
// this file, as Linux's kernel_init opens /dev/console for init.
#pragma once

#include "lib/expected.hpp"

namespace proc {

// Registers 5:1 (unless a driver has it already: EBUSY is fine) and makes
// the /dev/console node (unless there is one).
void ensure_console_device();

}  // namespace proc
