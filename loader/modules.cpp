#include "loader/modules.hpp"

#include "loader/console.hpp"
#include "loader/core/memmap.hpp"
#include "loader/hhdm.hpp"
#include "loader/request_table.hpp"
#include "loader/uefi.hpp"

namespace loader {

using console::fatal;
using console::must;
using lib::StringView;

void answer_modules(limine::ModuleRequest* request, const KernelImage& kernel, const ConfigEntry& entry,
                    StringView kernel_path) {
    constexpr uint64_t kMaxModules = 64;
    limine::File* list[kMaxModules];
    uint64_t count = 0;

    if (request->revision >= 1 && request->internal_module_count > 0) {
        uint64_t internal_count = request->internal_module_count;
        // Checked before the multiplication below can overflow.
        if (internal_count > kMaxModules) fatal("more than 64 internal modules", "module request");
        auto* internal = static_cast<uint64_t*>(
            kernel.at(reinterpret_cast<uint64_t>(request->internal_modules), internal_count * sizeof(uint64_t)));
        if (!internal) fatal("internal module list outside the kernel image", "module request");
        for (uint64_t i = 0; i < internal_count; ++i) {
            auto* module = static_cast<limine::InternalModule*>(kernel.at(internal[i], sizeof(limine::InternalModule)));
            if (!module) fatal("internal module outside the kernel image", "module request");
            StringView path = kernel.string_at(reinterpret_cast<uint64_t>(module->path));
            StringView cmdline = kernel.string_at(reinterpret_cast<uint64_t>(module->cmdline));
            if (path.empty()) fatal("internal module without a path", "module request");
            // Limine refuses internal modules flagged compressed (8.2.0: "no
            // longer supported"); '$' config paths are how gzip is asked for.
            if (module->flags & limine::kInternalModuleCompressed)
                fatal("internal modules flagged compressed are not supported (nor by Limine 8 and later)", path);
            FileLocation location = resolve_internal_path(kernel_path, path);
            bool missing = false;
            bool required = (module->flags & limine::kInternalModuleRequired) != 0;
            files::LoadedFile file =
                read_config_file(location, kEfiLoaderKernelAndModules, "module missing", required ? nullptr : &missing);
            if (missing) continue;  // optional and absent: skipped, as Limine does
            if (count == kMaxModules) fatal("more than 64 modules", "module request");
            list[count++] = describe_file(file, location.path, cmdline);
        }
    }
    for (size_t i = 0; i < entry.module_count; ++i) {
        FileLocation location = resolve_config_path(entry.modules[i].path, "module_path");
        files::LoadedFile file = load_module(location);
        if (count == kMaxModules) fatal("more than 64 modules", "module_path");
        list[count++] = describe_file(file, location.path, entry.modules[i].cmdline);
    }

    // No modules, no response: the protocol says so and Limine does it.
    if (count == 0) return;
    // Revision 2, as Limine reports it (8.2.0 and 12.5.2 alike).
    auto* response = new_response<limine::ModuleResponse>(2, "module request");
    auto** files = must(uefi::allocate_object<limine::File*>("no memory for the module list", count), "module request");
    for (uint64_t i = 0; i < count; ++i) files[i] = hhdm::from_pointer(list[i]);
    response->module_count = count;
    response->modules = hhdm::from_pointer(files);
    answer(request, response);
}

}  // namespace loader
