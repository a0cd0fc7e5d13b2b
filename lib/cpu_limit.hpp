// The most CPUs any table in the kernel (or the loader) is built for: the
// one compile-time bound, used by everything that needs a fixed-size array
// (the boot's CPU list, the MADT decoder, CPU sets). How many CPUs actually
// run is the MADT's count, known at boot (smp::cpu_count()); structures
// that can be sized then (per-CPU areas, PerCpu<T>) are sized by that.
// 256 covers every xAPIC id; machines with more CPUs run with the first 256.
#pragma once

#include <stdint.h>

namespace lib {

inline constexpr uint32_t kMaxCpus = 256;

}  // namespace lib
