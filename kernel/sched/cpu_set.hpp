// The scheduler's name for a set of CPUs (lib/cpu_set.hpp) and for the CPU
// limit (lib/cpu_limit.hpp: one limit for the whole kernel).
#pragma once

#include "lib/cpu_limit.hpp"
#include "lib/cpu_set.hpp"

namespace sched {

using lib::CpuSet;
using lib::kMaxCpus;

}  // namespace sched
