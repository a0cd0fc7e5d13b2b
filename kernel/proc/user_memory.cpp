// The signal frame's and the futexes' view of user memory in the kernel:
// the uaccess copies and word accesses of the current address space
// (kernel/arch/x86_64/uaccess.hpp), which never fault the kernel.
#include "kernel/proc/user_memory.hpp"

#include "kernel/arch/x86_64/uaccess.hpp"

namespace proc {

bool CurrentUserMemory::read(void* destination, uint64_t address, size_t size) {
    return arch::copy_from_user(destination, address, size) == 0;
}

bool CurrentUserMemory::write(uint64_t address, const void* source, size_t size) {
    return arch::copy_to_user(address, source, size) == 0;
}

bool CurrentUserMemory::load(uint64_t address, uint32_t& value) {
    return arch::load_user_u32(address, value);
}

bool CurrentUserMemory::load_pointer(uint64_t address, uint64_t& value) {
    return arch::load_user_u64(address, value);
}

bool CurrentUserMemory::compare_exchange(uint64_t address, uint32_t expected, uint32_t desired, uint32_t& actual) {
    return arch::cmpxchg_user_u32(address, expected, desired, actual);
}

}  // namespace proc
