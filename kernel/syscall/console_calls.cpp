// A stand-in for descriptors until the VFS (issue 13) gives real ones:
// write and writev on 1 and 2 go to the kernel's consoles; every other
// descriptor is EBADF. fs's descriptor table replaces this file.
#include "kernel/abi/linux_syscalls.hpp"
#include "kernel/console/console.hpp"
#include "kernel/syscall/syscall.hpp"
#include "kernel/syscall/user_memory.hpp"

namespace sys {
namespace {

using lib::Errno;

constexpr size_t kMaxIov = 1024;         // UIO_MAXIOV
constexpr uint64_t kMaxRw = 0x7ffff000;  // MAX_RW_COUNT: one call moves at most this much

struct Iovec {
    uint64_t base;
    uint64_t length;
};

bool is_console(int fd) {
    return fd == 1 || fd == 2;
}

// Writes up to `count` bytes from user memory to the console; a fault
// after some bytes returns those, before any is EFAULT (as a file's write).
lib::Expected<int64_t> write_out(uint64_t address, uint64_t count) {
    if (count > kMaxRw) count = kMaxRw;
    if (count && !arch::user_range_ok(address, 1)) return fault_error();
    char chunk[256];
    uint64_t done = 0;
    while (done < count) {
        size_t n = count - done < sizeof chunk ? size_t(count - done) : sizeof chunk;
        size_t left = arch::copy_from_user(chunk, address + done, n);
        if (n - left) console::write(lib::StringView(chunk, n - left));
        done += n - left;
        if (left) break;
    }
    if (done == 0 && count != 0) return fault_error();
    return int64_t(done);
}

lib::Expected<int64_t> sys_write(int fd, uint64_t buffer, uint64_t count) {
    if (!is_console(fd)) return lib::Error::make(Errno::kEBADF, "not an open descriptor");
    return write_out(buffer, count);
}

lib::Expected<int64_t> sys_writev(int fd, UserPtr<Iovec> iov, int count) {
    if (!is_console(fd)) return lib::Error::make(Errno::kEBADF, "not an open descriptor");
    if (count < 0 || size_t(count) > kMaxIov) return lib::Error::make(Errno::kEINVAL, "bad iovec count");
    int64_t total = 0;
    for (int i = 0; i < count; ++i) {
        Iovec v = TRY(copy_in(iov.element(uint64_t(i))));
        if (int64_t(v.length) < 0) return lib::Error::make(Errno::kEINVAL, "negative iovec length");
    }
    for (int i = 0; i < count; ++i) {
        Iovec v = TRY(copy_in(iov.element(uint64_t(i))));
        if (v.length == 0) continue;
        auto n = write_out(v.base, v.length);
        if (!n) return total ? lib::Expected<int64_t>(total) : n;
        total += *n;
        if (uint64_t(*n) < v.length) break;
    }
    return total;
}

lib::Expected<int64_t> sys_read(int fd, uint64_t, uint64_t) {
    return lib::Error::make(Errno::kEBADF, "not an open descriptor");
}

}  // namespace

void add_console_calls(Entry* table) {
    table[uapi::kNR_write] = &call<&sys_write>;
    table[uapi::kNR_writev] = &call<&sys_writev>;
    table[uapi::kNR_read] = &call<&sys_read>;
}

}  // namespace sys
