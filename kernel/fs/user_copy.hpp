// Small user-memory copies for the VFS's ioctls and path names: through
// arch's uaccess in the kernel (EFAULT for a bad address), plain pointers in
// host tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/abi/linux_fs.hpp"
#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace fs {

lib::Expected<void> put_user(uint64_t address, const void* value, size_t size);
lib::Expected<void> get_user(void* value, uint64_t address, size_t size);

// A path name from user memory into `buffer` (PATH_MAX bytes): EFAULT when
// unreadable, ENAMETOOLONG when no NUL within PATH_MAX bytes, ENOENT when
// empty unless `allow_empty` (AT_EMPTY_PATH).
struct PathBuffer {
    char bytes[uapi::kPATH_MAX];
};
lib::Expected<lib::StringView> copy_path_from_user(PathBuffer& buffer, uint64_t address, bool allow_empty = false);

}  // namespace fs
