// limine.conf parsing, as Limine 11 reads it (docs/limine-protocol.md §5 and
// §7). Pure logic: no UEFI, no allocation; every string is a view into the
// caller's text (after expand_macros), which must outlive the Config.
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
inline constexpr uint64_t kMaxTimeoutSeconds = 9999;     // Limine caps the timeout there

struct ConfigModule {
    lib::StringView path;     // as written, e.g. "boot():/boot/initrd.tar#<hash>"
    lib::StringView cmdline;  // module_string (alias module_cmdline) following it, empty if none
};

struct ConfigResolution {
    uint32_t width = 0;  // 0 = not given
    uint32_t height = 0;
    uint32_t bpp = 0;  // 0 = not given
};

// paging_mode / max_paging_mode / min_paging_mode values (x86-64: 4level,
// 5level), in the Paging Mode request's numbering.
inline constexpr int kPagingModeUnset = -1;
inline constexpr int kPagingMode4Level = 0;
inline constexpr int kPagingMode5Level = 1;

enum class Setting : uint8_t { kUnset, kNo, kYes };

struct ConfigEntry {
    lib::StringView title;   // text after the leading '/'s (and '+')
    uint32_t depth = 1;      // how many '/' opened it: 1 top level, 2 inside a directory, ...
    bool expanded = false;   // "/+Title": a directory shown open
    bool directory = false;  // a deeper entry follows right after it: not bootable
    lib::StringView protocol;
    lib::StringView path;         // path: (the primary key since Limine 9)
    lib::StringView kernel_path;  // kernel_path: (its alias; used when path: is absent)
    lib::StringView cmdline;      // cmdline or kernel_cmdline
    ConfigResolution resolution;
    bool kaslr = false;  // off unless asked for (Limine 10)
    Setting randomise_hhdm_base = Setting::kUnset;
    int paging_mode = kPagingModeUnset;
    int max_paging_mode = kPagingModeUnset;
    int min_paging_mode = kPagingModeUnset;
    lib::StringView dtb_path;
    ConfigModule modules[kMaxModulesPerEntry];
    size_t module_count = 0;

    // What Limine boots: path:, else kernel_path:.
    lib::StringView executable_path() const { return path.empty() ? kernel_path : path; }
};

struct Config {
    uint64_t timeout_seconds = kDefaultTimeoutSeconds;  // kTimeoutForever for "timeout: no"
    size_t default_entry = 0;                           // index into entries (the file says 1-based or a path)
    bool hash_mismatch_panic = true;                    // "hash_mismatch_panic: no" turns mismatches into warnings
    ConfigEntry entries[kMaxConfigEntries];             // the menu tree, flattened in file order
    size_t entry_count = 0;

    // Whether the default entry may boot by itself: not when default_entry
    // names a directory (Limine then shows the menu and waits).
    bool default_is_bootable() const { return default_entry < entry_count && !entries[default_entry].directory; }
};

// Where parsing stopped, for a message such as "limine.conf:12: ...".
struct ConfigError {
    lib::Error error;
    size_t line = 0;  // 1-based; 0 when not tied to a line
};

// Macros (Limine's config.c): lines "${NAME}=value" define them (the last
// definition of a name wins, wherever it is) and are dropped; "${NAME}"
// anywhere else is replaced by its value, an unknown name by nothing. ARCH
// (x86-64), FW_TYPE (UEFI) and LOADER_ARCH (x86-64) are built in. Writes the
// expanded text to `out`; kOutOfMemory if it does not fit, kInvalid for a
// "${" without its "}" on the same line.
lib::Expected<size_t> expand_macros(lib::StringView text, char* out, size_t capacity);

// Parses the whole (macro-expanded) file. Unknown options are ignored (as
// Limine does); malformed lines, an option before any entry that is not
// global, too many entries or modules, a module_string with no module before
// it, a bad resolution, timeout, yes/no value or paging mode, and a
// default_entry that names no entry are errors.
struct ConfigResult {
    bool ok = false;
    ConfigError failure;
};
ConfigResult parse_config(lib::StringView text, Config& out);

// A file hash after '#' (Limine tells them apart by length).
enum class HashKind : uint8_t { kNone, kBlake2b512, kBlake3_256, kBlake3_1024 };

// A path of the form [$]resource(arg):/path[#hash], split up. Only boot() is
// a resource this loader understands; anything else is kUnsupported.
struct ResourcePath {
    lib::StringView resource;  // "boot"
    lib::StringView argument;  // inside the parentheses, may be empty
    lib::StringView path;      // starts with '/'
    bool compressed = false;   // '$' before the resource: gzip, decompressed by the loader
    HashKind hash = HashKind::kNone;
    uint8_t digest[128] = {};  // the hash's bytes (64, 32 or 128 of them)
    size_t digest_size = 0;
};
lib::Expected<ResourcePath> parse_resource_path(lib::StringView text);

// The hex digits after a path's '#' into `out`'s hash, digest and
// digest_size (for internal modules, whose paths are no resource paths).
lib::Expected<void> parse_path_hash(lib::StringView digits, ResourcePath& out);

// Checks that an entry can be booted by this loader: protocol "limine"
// (case-insensitive), a path, and every path a valid boot() resource path.
// parse_config leaves these to boot time, as Limine does, so that a broken
// entry does not stop the others from booting.
lib::Expected<void> check_limine_entry(const ConfigEntry& entry);

}  // namespace loader
