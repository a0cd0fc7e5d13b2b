// The TLB shootdown for user address spaces (kernel/vm/tlb.hpp): a thread
// changing its process's memory (munmap, mprotect, a COW break) while
// other threads of it run on other CPUs must drop their stale
// translations too (Intel SDM Vol. 3A §4.10.5). Installed by proc::init.
#pragma once

namespace proc {

void install_tlb_shootdown();

}  // namespace proc
