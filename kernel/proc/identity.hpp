// What the kernel calls itself: uname(2)'s fields and /proc/version,
// /proc/sys/kernel/{ostype,osrelease,hostname}. The release names the Linux
// version whose ABI this follows (docs/vm.md: Linux 6.1). The node name
// (hostname) changes through sethostname(2) and /proc/sys/kernel/hostname.
#pragma once

#include <stddef.h>

#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace proc {

inline constexpr const char* kSystemName = "Linux";
inline constexpr const char* kRelease = "6.1.0-cxxkernel";
inline constexpr const char* kVersion = "#1 SMP cxxkernel";
inline constexpr const char* kMachine = "x86_64";
inline constexpr const char* kDomainName = "(none)";
inline constexpr size_t kNodeNameMax = 64;  // __NEW_UTS_LEN

// The node name with its NUL into `out` (kNodeNameMax + 1 bytes); its length.
size_t node_name(char (&out)[kNodeNameMax + 1]);
// sethostname(2)'s effect: EINVAL past kNodeNameMax bytes.
lib::Expected<void> set_node_name(lib::StringView name);

}  // namespace proc
