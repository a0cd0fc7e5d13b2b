// The node name (see identity.hpp).
#include "kernel/proc/identity.hpp"

#include "kernel/sync/spinlock.hpp"

namespace proc {

namespace {
ksync::SpinlockNoIrq g_lock;
char g_node_name[kNodeNameMax + 1] = "cxxkernel";
}  // namespace

size_t node_name(char (&out)[kNodeNameMax + 1]) {
    ksync::Guard guard(g_lock);
    size_t n = 0;
    for (; g_node_name[n]; ++n) out[n] = g_node_name[n];
    out[n] = 0;
    return n;
}

lib::Expected<void> set_node_name(lib::StringView name) {
    if (name.size() > kNodeNameMax) return lib::Error::make(lib::Errno::kEINVAL, "host name too long");
    ksync::Guard guard(g_lock);
    for (size_t i = 0; i < name.size(); ++i) g_node_name[i] = name[i];
    g_node_name[name.size()] = 0;
    return {};
}

}  // namespace proc
