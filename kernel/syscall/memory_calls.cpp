// The memory calls: the calling process's address space does the work and
// chooses the errno (kernel/vm, docs/vm.md "The memory calls").
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/fs/fd_table.hpp"
#include "kernel/fs/file.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/syscall/syscall.hpp"

namespace sys {
namespace {

vm::AddressSpace& space() {
    return *proc::current_process()->space;
}

int64_t sys_brk(uint64_t requested) {
    return int64_t(space().brk(requested));
}

// Without MAP_ANONYMOUS the descriptor comes first (ksys_mmap_pgoff: EBADF
// for one that is not open or is O_PATH); its description's mapping()
// says what may be mapped (a regular file's page cache; ENODEV for a pipe
// or a directory, EACCES against its open mode: the address space
// decides, docs/vm.md). The region keeps its own reference to the pages'
// backing object, so the descriptor may close at once.
lib::Expected<uint64_t> sys_mmap(uint64_t address, uint64_t length, uint64_t prot, uint64_t flags, int fd,
                                 uint64_t offset) {
    if (flags & uapi::kMapAnonymous) return space().mmap(address, length, prot, flags, nullptr, offset);
    auto file = proc::current_process()->files->get(fd);
    if (!file) return space().mmap(address, length, prot, flags, nullptr, offset);  // EBADF, in Linux's order
    vm::FileMapping mapping = (*file)->mapping();
    return space().mmap(address, length, prot, flags, &mapping, offset);
}

lib::Expected<void> sys_munmap(uint64_t address, uint64_t length) {
    return space().munmap(address, length);
}

lib::Expected<void> sys_mprotect(uint64_t address, uint64_t length, uint64_t prot) {
    return space().mprotect(address, length, prot);
}

lib::Expected<uint64_t> sys_mremap(uint64_t old_address, uint64_t old_length, uint64_t new_length, uint64_t flags,
                                   uint64_t new_address) {
    return space().mremap(old_address, old_length, new_length, flags, new_address);
}

lib::Expected<void> sys_madvise(uint64_t address, uint64_t length, int advice) {
    return space().madvise(address, length, advice);
}

lib::Expected<void> sys_msync(uint64_t address, uint64_t length, uint64_t flags) {
    return space().msync(address, length, flags);
}

}  // namespace

void add_memory_calls(Entry* table) {
    table[uapi::kNR_brk] = &call<&sys_brk>;
    table[uapi::kNR_mmap] = &call<&sys_mmap>;
    table[uapi::kNR_munmap] = &call<&sys_munmap>;
    table[uapi::kNR_mprotect] = &call<&sys_mprotect>;
    table[uapi::kNR_mremap] = &call<&sys_mremap>;
    table[uapi::kNR_madvise] = &call<&sys_madvise>;
    table[uapi::kNR_msync] = &call<&sys_msync>;
}

}  // namespace sys
