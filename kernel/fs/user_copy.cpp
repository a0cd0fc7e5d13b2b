// User copies for the VFS (see user_copy.hpp).
#include "kernel/fs/user_copy.hpp"

#include "kernel/fs/node.hpp"

#if defined(HOST_TEST)
#include <cstring>
#else
#include "kernel/arch/x86_64/uaccess.hpp"
#endif

namespace fs {

lib::Expected<void> put_user(uint64_t address, const void* value, size_t size) {
#if defined(HOST_TEST)
    if (!address) return fail(lib::Errno::kEFAULT, "bad user address");
    std::memcpy(reinterpret_cast<void*>(address), value, size);
#else
    if (arch::copy_to_user(address, value, size) != 0) return fail(lib::Errno::kEFAULT, "bad user address");
#endif
    return {};
}

lib::Expected<void> get_user(void* value, uint64_t address, size_t size) {
#if defined(HOST_TEST)
    if (!address) return fail(lib::Errno::kEFAULT, "bad user address");
    std::memcpy(value, reinterpret_cast<const void*>(address), size);
#else
    if (arch::copy_from_user(value, address, size) != 0) return fail(lib::Errno::kEFAULT, "bad user address");
#endif
    return {};
}

lib::Expected<lib::StringView> copy_path_from_user(PathBuffer& buffer, uint64_t address, bool allow_empty) {
#if defined(HOST_TEST)
    if (!address) return fail(lib::Errno::kEFAULT, "bad user address");
    int64_t length = int64_t(strnlen(reinterpret_cast<const char*>(address), sizeof buffer.bytes));
    std::memcpy(buffer.bytes, reinterpret_cast<const char*>(address),
                size_t(length) < sizeof buffer.bytes ? size_t(length) + 1 : sizeof buffer.bytes);
#else
    int64_t length = arch::strncpy_from_user(buffer.bytes, address, sizeof buffer.bytes);
    if (length < 0) return fail(lib::Errno::kEFAULT, "path name not readable");
#endif
    if (size_t(length) >= sizeof buffer.bytes) return fail(lib::Errno::kENAMETOOLONG, "path name longer than PATH_MAX");
    if (length == 0 && !allow_empty) return fail(lib::Errno::kENOENT, "empty path name");
    return lib::StringView(buffer.bytes, size_t(length));
}

}  // namespace fs
