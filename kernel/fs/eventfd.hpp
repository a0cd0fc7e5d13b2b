// eventfd(2): a 64-bit counter as a file. read(8 bytes) returns the count
// and zeroes it (EFD_SEMAPHORE: returns 1 and decrements), waiting while
// it is 0 (O_NONBLOCK: EAGAIN); write(8 bytes) adds, waiting while the sum
// would pass 0xfffffffffffffffe (EAGAIN non-blocking); a value of ~0 is
// EINVAL, so is a buffer under 8 bytes. POLLIN while the count is above 0,
// POLLOUT while 1 more fits. Its inode is an anonymous one (mode 0600, no
// type bits), as Linux's anon_inode.
#pragma once

#include <stdint.h>

#include "kernel/fs/file.hpp"
#include "lib/expected.hpp"

namespace fs {

// eventfd2(initval, flags): flags EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC
// (the caller's); others EINVAL.
lib::Expected<FileRef> make_eventfd(uint32_t initial, uint32_t flags);

// The anonymous-inode file system (eventfd, epoll, ...): a fresh inode.
lib::Expected<Inode*> make_anonymous_inode();

}  // namespace fs
