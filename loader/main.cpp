// The loader's entry point (UEFI 2.10 §4.1 EFI_IMAGE_ENTRY_POINT): prints the
// banner, reads limine.conf from the boot partition (docs/limine-protocol.md §5), lets
// the user pick an entry, and boots it with the Limine protocol.
//
// Where things are:
//   efi/*.hpp          UEFI types, tables and protocols (from the spec)
//   uefi, files        boot-services helpers: pages, protocols, whole files
//   console, menu      ConOut/COM1 output, the fatal line, the boot menu
//   limine_boot        the boot sequence, in protocol order
//   kernel_files, modules, request_table, framebuffer
//                      loading, and answering the requests
//   paging, kernel_tables, hhdm, kaslr
//                      the kernel's page tables and address choices
//   exit_boot, handoff(.S), gdt, ioapic
//                      leaving the firmware and entering the kernel
//   core/, smp/        pure parsers and AP start-up (their own owners)
#include <stdint.h>

#include "lib/format.hpp"
#include "loader/boot_facts.hpp"
#include "loader/console.hpp"
#include "loader/core/config.hpp"
#include "loader/core/memmap.hpp"
#include "loader/cpu.hpp"
#include "loader/files.hpp"
#include "loader/limine_boot.hpp"
#include "loader/menu.hpp"
#include "loader/uefi.hpp"

namespace loader {
namespace {

// Facts sheet §5: the first of these that exists wins.
constexpr const char* kConfigPaths[] = {
    "/limine.conf", "/limine/limine.conf", "/boot/limine.conf", "/boot/limine/limine.conf", "/EFI/BOOT/limine.conf",
};

Config g_config;  // large (32 entries): keep it off the firmware's stack

struct ConfigText {
    lib::StringView text;
    const char* path;
};

ConfigText read_config() {
    for (const char* path : kConfigPaths) {
        // Loader data: the text is needed only until the kernel is entered.
        auto file = files::read_file(path, kEfiLoaderData);
        if (file) return {lib::StringView(reinterpret_cast<const char*>(file->address), file->size), path};
        if (file.error().code != lib::ErrorCode::kENOENT) console::fatal(file.error().message, path);
    }
    console::fatal("no limine.conf found",
                   "/limine.conf, /limine/limine.conf, /boot/limine.conf, /boot/limine/limine.conf, "
                   "/EFI/BOOT/limine.conf");
}

[[noreturn]] void run() {
    if (auto opened = files::open_boot_volume(); !opened) console::fatal(opened.error().message, "boot partition");

    ConfigText config_text = read_config();
    // Macros first (${NAME}=value lines, ${NAME} uses), into a buffer of
    // loader data: the Config's strings view the expanded text.
    uint64_t expanded_capacity = config_text.text.size() * 4 + 4096;
    auto* expanded = reinterpret_cast<char*>(
        console::must(uefi::allocate_pages(expanded_capacity / uefi::kPageSize + 1, kEfiLoaderData,
                                           "no memory for the macro-expanded config"),
                      config_text.path));
    auto expanded_size = expand_macros(config_text.text, expanded, expanded_capacity);
    if (!expanded_size) console::fatal(expanded_size.error().message, config_text.path);
    ConfigResult parsed = parse_config(lib::StringView(expanded, *expanded_size), g_config);
    if (!parsed.ok) {
        char where[96];
        lib::format(where, sizeof where, "{}:{}", config_text.path, parsed.failure.line);
        console::fatal(parsed.failure.error.message, where);
    }
    if (g_config.entry_count == 0) console::fatal("limine.conf has no entries", config_text.path);

    size_t chosen = choose_entry(g_config);
    boot_limine_entry(g_config.entries[chosen], g_config, config_text.path);
}

}  // namespace
}  // namespace loader

extern "C" efi::Status efi_main(efi::Handle image, efi::SystemTable* system_table) {
    uint64_t start_tsc = loader::cpu::rdtsc();
    loader::facts::set_loader_start_tsc(start_tsc);
    loader::uefi::init(image, system_table);
    loader::console::init(system_table->con_out);
    // The firmware's 5-minute watchdog would reset the machine while a menu
    // waits (UEFI 2.10 §7.5.1): turn it off.
    system_table->boot_services->set_watchdog_timer(0, 0, 0, nullptr);
    loader::console::print("cxxkernel-loader 0.1.0 (tsc={})\n", start_tsc);
    loader::run();
}
