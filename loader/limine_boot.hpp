// Booting one limine.conf entry with the Limine protocol, base revision 2
// (docs/limine-protocol.md §1-4): load the kernel and modules, answer the requests, build
// the page tables, exit boot services, hand over. Never returns; every
// failure prints one "loader: error:" line and halts.
#pragma once

#include "loader/core/config.hpp"

namespace loader {

// `config` gives the global options that apply to every entry
// (hash_mismatch_panic).
[[noreturn]] void boot_limine_entry(const ConfigEntry& entry, const Config& config, const char* config_path);

}  // namespace loader
