// limine.conf parsing (Limine 8.x syntax, docs/limine-protocol.md §5). Pure logic: no
// UEFI, no allocation; every string is a view into the caller's text, which
// must outlive the Config.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace loader {

inline constexpr size_t kMaxConfigEntries = 32;
inline constexpr size_t kMaxModulesPerEntry = 16;
inline constexpr uint64_t kDefaultTimeoutSeconds = 5;    // Limine's default when the option is absent
inline constexpr uint64_t kTimeoutForever = UINT64_MAX;  // "timeout: no"

struct ConfigModule {
    lib::StringView path;     // as written, e.g. "boot():/boot/initrd.tar"
    lib::StringView cmdline;  // module_cmdline following it, empty if none
};

struct ConfigResolution {
    uint32_t width = 0;  // 0 = not given
    uint32_t height = 0;
    uint32_t bpp = 0;  // 0 = not given
};

struct ConfigEntry {
    lib::StringView title;     // text after the leading '/'
    lib::StringView protocol;  // "limine" for us
    lib::StringView kernel_path;
    lib::StringView cmdline;  // cmdline or kernel_cmdline
    ConfigResolution resolution;
    bool kaslr = false;
    ConfigModule modules[kMaxModulesPerEntry];
    size_t module_count = 0;
};

struct Config {
    uint64_t timeout_seconds = kDefaultTimeoutSeconds;  // kTimeoutForever for "timeout: no"
    size_t default_entry = 0;                           // 0-based (the file says 1-based)
    ConfigEntry entries[kMaxConfigEntries];
    size_t entry_count = 0;
};

// Where parsing stopped, for a message such as "limine.conf:12: ...".
struct ConfigError {
    lib::Error error;
    size_t line = 0;  // 1-based; 0 when not tied to a line
};

// Parses the whole file. Unknown options are ignored (as Limine does);
// malformed lines, an option before any entry that is not global, too many
// entries or modules, a module_cmdline with no module before it, a bad
// resolution or timeout, and default_entry out of range are errors.
struct ConfigResult {
    bool ok = false;
    ConfigError failure;
};
ConfigResult parse_config(lib::StringView text, Config& out);

// A path of the form resource(arg):/path, split up. Only boot() is a
// resource this loader understands; anything else is kUnsupported.
struct ResourcePath {
    lib::StringView resource;  // "boot"
    lib::StringView argument;  // inside the parentheses, may be empty
    lib::StringView path;      // starts with '/'
};
lib::Expected<ResourcePath> parse_resource_path(lib::StringView text);

// Checks that an entry can be booted by this loader: protocol "limine"
// (case-insensitive), a kernel_path, and every path a valid boot() resource
// path. parse_config leaves these to boot time, as Limine does, so that a
// broken entry does not stop the others from booting.
lib::Expected<void> check_limine_entry(const ConfigEntry& entry);

}  // namespace loader
