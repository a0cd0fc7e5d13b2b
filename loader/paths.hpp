// Path arithmetic for files on the boot partition. Pure logic.
#pragma once

#include <stddef.h>

#include "lib/string_view.hpp"

namespace loader {

// Where an internal module (Module request revision 1, docs/limine-protocol.md §4) lives:
// `module_path` relative to the directory of `kernel_path` ("/boot/kernel" +
// "initrd" -> "/boot/initrd"), or `module_path` itself when it starts with
// '/'. Writes a NUL-terminated path to `out`; false if it does not fit, if
// either input is empty or holds a NUL, or if kernel_path does not start
// with '/'.
bool kernel_relative_path(lib::StringView kernel_path, lib::StringView module_path, char* out, size_t capacity);

}  // namespace loader
