// Path arithmetic for files on the boot partition. Pure logic.
#pragma once

#include <stddef.h>

#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace loader {

// Where an internal module (Module request revision 1, docs/limine-protocol.md §4) lives:
// `module_path` relative to the directory of `kernel_path` ("/boot/kernel" +
// "initrd" -> "/boot/initrd"), or `module_path` itself when it starts with
// '/', normalised (normalise_path). Writes a NUL-terminated path to `out`
// and returns its length; ENAMETOOLONG if it does not fit, EINVAL if either
// input is empty or holds a NUL, or if kernel_path does not start with '/'.
lib::Expected<size_t> kernel_relative_path(lib::StringView kernel_path, lib::StringView module_path, char* out, size_t capacity);

// Rewrites the NUL-terminated absolute `path` in place in the form Limine
// reports in file responses: repeated slashes collapsed, "." components
// dropped, ".." removing the component before it (never past the root).
// "/boot/./limine.conf" -> "/boot/limine.conf". Returns the new length.
size_t normalise_path(char* path);

}  // namespace loader
