// Host tests' stand-ins for the scheduler (see wait.hpp): a per-thread
// "signal pending" flag and a monotonic clock.
#if defined(HOST_TEST)
#include <chrono>

#include "kernel/fs/wait.hpp"

namespace fs {
namespace {
thread_local bool t_interrupt_pending = false;
}
bool host_interrupt_pending() { return t_interrupt_pending; }
void host_set_interrupt_pending(bool pending) { t_interrupt_pending = pending; }
uint64_t now_ns() {
    return uint64_t(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}
}  // namespace fs
#endif
