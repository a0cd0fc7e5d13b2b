// The current thread's user memory for the signal frame (UserMemory) and
// the futex table and robust lists (FutexMemory), through uaccess: a bad
// address is `false`, never a kernel fault.
#pragma once

#include "kernel/proc/futex_table.hpp"
#include "kernel/proc/signal_frame.hpp"

namespace proc {

class CurrentUserMemory final : public UserMemory, public FutexMemory {
public:
    bool read(void* destination, uint64_t address, size_t size) override;
    bool write(uint64_t address, const void* source, size_t size) override;
    bool load(uint64_t address, uint32_t& value) override;
    bool load_pointer(uint64_t address, uint64_t& value) override;
    bool compare_exchange(uint64_t address, uint32_t expected, uint32_t desired, uint32_t& actual) override;
};

}  // namespace proc
