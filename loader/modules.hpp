// The Module request (docs/limine-protocol.md §4): internal modules (request revision 1)
// first, then the entry's module_path lines, in order, as Limine 8.x does.
#pragma once

#include "lib/string_view.hpp"
#include "loader/core/config.hpp"
#include "loader/kernel_files.hpp"
#include "protocol/limine.hpp"

namespace loader {

void answer_modules(limine::ModuleRequest* request, const KernelImage& kernel, const ConfigEntry& entry,
                    lib::StringView kernel_path);

}  // namespace loader
