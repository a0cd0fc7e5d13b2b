// x86 port I/O (Intel SDM Vol. 1 §18.2, IN/OUT instructions).
#pragma once

#include <stdint.h>

#include "lib/x86_64/instructions.hpp"

namespace arch {

using x86_64::inb;
using x86_64::inl;
using x86_64::inw;
using x86_64::outb;
using x86_64::outl;
using x86_64::outw;

// A write to the unused POST port 0x80 takes about a microsecond on ISA
// timing; used where old devices want a short pause between accesses.
inline void io_wait() { outb(0x80, 0); }

}  // namespace arch
