// What the kernel calls itself: uname(2)'s fields and /proc/version,
// /proc/sys/kernel/{ostype,osrelease,hostname}. The release names the Linux
// version whose ABI this follows (docs/vm.md: Linux 6.1).
#pragma once

namespace proc {

inline constexpr const char* kSystemName = "Linux";
inline constexpr const char* kNodeName = "cxxkernel";
inline constexpr const char* kRelease = "6.1.0-cxxkernel";
inline constexpr const char* kVersion = "#1 SMP cxxkernel";
inline constexpr const char* kMachine = "x86_64";
inline constexpr const char* kDomainName = "(none)";

}  // namespace proc
