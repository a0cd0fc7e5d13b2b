#include "loader/paths.hpp"

namespace loader {
namespace {

bool has_nul(lib::StringView text) {
    return text.find('\0') != lib::StringView::npos;
}

}  // namespace

lib::Expected<size_t> kernel_relative_path(lib::StringView kernel_path, lib::StringView module_path, char* out,
                                           size_t capacity) {
    if (module_path.empty()) return lib::Error::make(lib::Errno::kEINVAL, "empty module path");
    if (has_nul(module_path) || has_nul(kernel_path)) return lib::Error::make(lib::Errno::kEINVAL, "a NUL in a path");
    lib::StringView directory;
    if (!module_path.starts_with("/")) {
        if (!kernel_path.starts_with("/")) return lib::Error::make(lib::Errno::kEINVAL, "kernel path is not absolute");
        size_t last_slash = 0;
        for (size_t i = 0; i < kernel_path.size(); ++i)
            if (kernel_path[i] == '/') last_slash = i;
        directory = kernel_path.substr(0, last_slash + 1);  // keeps the trailing '/'
    }
    if (directory.size() + module_path.size() + 1 > capacity)
        return lib::Error::make(lib::Errno::kENAMETOOLONG, "module path too long").with(capacity);
    size_t at = 0;
    for (char c : directory) out[at++] = c;
    for (char c : module_path) out[at++] = c;
    out[at] = 0;
    return normalise_path(out);
}

size_t normalise_path(char* path) {
    // Components are copied one by one to `write`; each starts with its '/'.
    size_t read = 0, write = 0;
    while (path[read] != 0) {
        while (path[read] == '/') ++read;
        size_t start = read;
        while (path[read] != 0 && path[read] != '/') ++read;
        size_t length = read - start;
        if (length == 0 || (length == 1 && path[start] == '.')) continue;
        if (length == 2 && path[start] == '.' && path[start + 1] == '.') {
            while (write > 0 && path[write - 1] != '/') --write;  // drop the last component
            if (write > 0) --write;                               // and its '/'
            continue;
        }
        path[write++] = '/';
        for (size_t i = 0; i < length; ++i) path[write++] = path[start + i];
    }
    if (write == 0) path[write++] = '/';
    path[write] = 0;
    return write;
}

}  // namespace loader
