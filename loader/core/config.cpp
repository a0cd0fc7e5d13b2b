// limine.conf parser (docs/limine-protocol.md §5, Limine 8.x syntax).
//
// Choices where Limine's own documentation leaves room:
// - Global options (timeout, default_entry) are recognised anywhere in the
//   file, as Limine's CONFIG.md says "global assignments can appear anywhere".
// - A local option (protocol, kernel_path, ...) before the first entry is an
//   error: it would silently belong to nothing.
// - Sub-entries ("//Title", directories in Limine's menu) are rejected with a
//   clear message: this loader has no menu tree, and guessing which entry
//   `default_entry` means in a tree would boot the wrong kernel.
// - Macros ("${NAME}=value") are rejected likewise.
// - Giving protocol, kernel_path or cmdline twice in one entry is an error
//   (Limine silently takes the first; a second one is almost surely a typo).
#include "loader/core/config.hpp"

namespace loader {
namespace {

using lib::StringView;

ConfigResult failure_at(size_t line, lib::ErrorCode code, const char* message) {
    ConfigResult result;
    result.ok = false;
    result.failure.error = lib::Error::make(code, message);
    result.failure.line = line;
    return result;
}

// Parses an unsigned decimal number filling the whole view; false on an empty
// view, a non-digit, or a value above `limit`.
bool parse_decimal(StringView text, uint64_t limit, uint64_t& out) {
    if (text.empty()) return false;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        uint64_t digit = static_cast<uint64_t>(c - '0');
        if (digit > limit) return false;
        if (value > (limit - digit) / 10) return false;
        value = value * 10 + digit;
    }
    out = value;
    return true;
}

bool parse_resolution(StringView text, ConfigResolution& out) {
    uint64_t parts[3] = {0, 0, 0};
    size_t part_count = 0;
    size_t start = 0;
    while (true) {
        size_t x = text.find('x', start);
        StringView piece = text.substr(start, x == StringView::npos ? StringView::npos : x - start);
        if (part_count == 3) return false;
        if (!parse_decimal(piece, UINT32_MAX, parts[part_count]) || parts[part_count] == 0) return false;
        ++part_count;
        if (x == StringView::npos) break;
        start = x + 1;
    }
    if (part_count < 2) return false;
    out.width = static_cast<uint32_t>(parts[0]);
    out.height = static_cast<uint32_t>(parts[1]);
    out.bpp = static_cast<uint32_t>(parts[2]);
    return true;
}

bool is_one_of(StringView name, StringView a, StringView b = StringView()) {
    return name.equals_ignoring_case(a) || (!b.empty() && name.equals_ignoring_case(b));
}

bool is_local_option(StringView name) {
    return is_one_of(name, "protocol") || is_one_of(name, "kernel_path", "path") || is_one_of(name, "module_path") ||
           is_one_of(name, "module_cmdline") || is_one_of(name, "cmdline", "kernel_cmdline") ||
           is_one_of(name, "resolution") || is_one_of(name, "kaslr");
}

// Applies one local option to `entry`; returns a failure (line filled in by
// the caller) or ok.
ConfigResult apply_local_option(size_t line, StringView name, StringView value, ConfigEntry& entry) {
    if (is_one_of(name, "protocol")) {
        if (!entry.protocol.empty())
            return failure_at(line, lib::ErrorCode::kDuplicate, "protocol given twice in one entry");
        if (value.empty()) return failure_at(line, lib::ErrorCode::kInvalid, "protocol has no value");
        entry.protocol = value;
    } else if (is_one_of(name, "kernel_path", "path")) {
        if (!entry.kernel_path.empty())
            return failure_at(line, lib::ErrorCode::kDuplicate, "kernel_path given twice in one entry");
        if (value.empty()) return failure_at(line, lib::ErrorCode::kInvalid, "kernel_path has no value");
        entry.kernel_path = value;
    } else if (is_one_of(name, "module_path")) {
        if (value.empty()) return failure_at(line, lib::ErrorCode::kInvalid, "module_path has no value");
        if (entry.module_count == kMaxModulesPerEntry)
            return failure_at(line, lib::ErrorCode::kUnsupported, "too many module_path lines in one entry (max 16)");
        entry.modules[entry.module_count].path = value;
        entry.modules[entry.module_count].cmdline = StringView();
        ++entry.module_count;
    } else if (is_one_of(name, "module_cmdline")) {
        if (entry.module_count == 0)
            return failure_at(line, lib::ErrorCode::kInvalid, "module_cmdline without a module_path before it");
        ConfigModule& module = entry.modules[entry.module_count - 1];
        if (!module.cmdline.empty())
            return failure_at(line, lib::ErrorCode::kDuplicate, "module_cmdline given twice for one module");
        module.cmdline = value;
    } else if (is_one_of(name, "cmdline", "kernel_cmdline")) {
        if (!entry.cmdline.empty())
            return failure_at(line, lib::ErrorCode::kDuplicate, "cmdline given twice in one entry");
        entry.cmdline = value;
    } else if (is_one_of(name, "resolution")) {
        if (!parse_resolution(value, entry.resolution))
            return failure_at(line, lib::ErrorCode::kInvalid, "resolution is not WxH or WxHxBPP with non-zero numbers");
    } else if (is_one_of(name, "kaslr")) {
        if (value.equals_ignoring_case("yes"))
            entry.kaslr = true;
        else if (value.equals_ignoring_case("no"))
            entry.kaslr = false;
        else
            return failure_at(line, lib::ErrorCode::kInvalid, "kaslr must be 'yes' or 'no'");
    }
    ConfigResult ok;
    ok.ok = true;
    return ok;
}

}  // namespace

ConfigResult parse_config(StringView text, Config& out) {
    // Reset field by field: a Config{} temporary would put ~20 KiB on the
    // loader's small UEFI stack. Entries are reset as they are created.
    out.timeout_seconds = kDefaultTimeoutSeconds;
    out.default_entry = 0;
    out.entry_count = 0;
    uint64_t default_entry_one_based = 0;  // 0 = not given
    size_t default_entry_line = 0;

    size_t line_number = 0;
    size_t position = 0;
    while (position < text.size()) {
        ++line_number;
        size_t newline = text.find('\n', position);
        size_t line_end = newline == StringView::npos ? text.size() : newline;
        StringView line = text.substr(position, line_end - position).trimmed();
        position = newline == StringView::npos ? text.size() : newline + 1;

        if (line.empty() || line[0] == '#') continue;

        if (line[0] == '/') {
            if (line.size() > 1 && line[1] == '/')
                return failure_at(line_number, lib::ErrorCode::kUnsupported,
                                  "sub-entries ('//Title') are not supported by this loader");
            StringView title = line.substr(1).trimmed();
            if (title.empty()) return failure_at(line_number, lib::ErrorCode::kInvalid, "entry has an empty title");
            if (out.entry_count == kMaxConfigEntries)
                return failure_at(line_number, lib::ErrorCode::kUnsupported, "too many entries (max 32)");
            out.entries[out.entry_count] = ConfigEntry{};
            out.entries[out.entry_count].title = title;
            ++out.entry_count;
            continue;
        }

        if (line.starts_with("${"))
            return failure_at(line_number, lib::ErrorCode::kUnsupported, "macros ('${NAME}=value') are not supported");

        size_t colon = line.find(':');
        if (colon == StringView::npos)
            return failure_at(line_number, lib::ErrorCode::kInvalid,
                              "expected 'name: value', '/Title' or '# comment' (no ':' on this line)");
        StringView name = line.substr(0, colon).trimmed();
        StringView value = line.substr(colon + 1).trimmed();
        if (name.empty()) return failure_at(line_number, lib::ErrorCode::kInvalid, "option name before ':' is empty");

        if (name.equals_ignoring_case("timeout")) {
            if (value.equals_ignoring_case("no")) {
                out.timeout_seconds = kTimeoutForever;
            } else if (!parse_decimal(value, UINT64_MAX - 1, out.timeout_seconds)) {
                return failure_at(line_number, lib::ErrorCode::kInvalid, "timeout must be a number of seconds or 'no'");
            }
            continue;
        }
        if (name.equals_ignoring_case("default_entry")) {
            if (!parse_decimal(value, kMaxConfigEntries, default_entry_one_based) || default_entry_one_based == 0)
                return failure_at(line_number, lib::ErrorCode::kInvalid, "default_entry must be a number from 1 to 32");
            default_entry_line = line_number;
            continue;
        }

        if (is_local_option(name)) {
            if (out.entry_count == 0)
                return failure_at(line_number, lib::ErrorCode::kInvalid,
                                  "entry option before any '/Title' line (it belongs to no entry)");
            ConfigResult applied = apply_local_option(line_number, name, value, out.entries[out.entry_count - 1]);
            if (!applied.ok) return applied;
        }
        // Anything else: an option this loader does not use (graphics,
        // wallpaper, verbose, ...), ignored as Limine ignores unknown keys.
    }

    if (default_entry_one_based != 0) {
        if (default_entry_one_based > out.entry_count)
            return failure_at(default_entry_line, lib::ErrorCode::kOutOfRange,
                              "default_entry is larger than the number of entries");
        out.default_entry = static_cast<size_t>(default_entry_one_based - 1);
    }

    ConfigResult ok;
    ok.ok = true;
    return ok;
}

lib::Expected<ResourcePath> parse_resource_path(StringView text) {
    size_t open = text.find('(');
    if (open == StringView::npos || open == 0)
        return lib::Error::make(lib::ErrorCode::kInvalid, "path is not of the form resource(arg):/path");
    size_t close = text.find(')', open + 1);
    if (close == StringView::npos)
        return lib::Error::make(lib::ErrorCode::kInvalid, "path has no ')' after the resource argument");
    if (close + 1 >= text.size() || text[close + 1] != ':')
        return lib::Error::make(lib::ErrorCode::kInvalid, "path has no ':' after 'resource(arg)'");

    ResourcePath result;
    result.resource = text.substr(0, open);
    result.argument = text.substr(open + 1, close - open - 1);
    result.path = text.substr(close + 2);

    for (char c : result.resource) {
        bool lower = c >= 'a' && c <= 'z';
        if (!lower) return lib::Error::make(lib::ErrorCode::kInvalid, "resource name must be lowercase letters");
    }
    if (result.path.empty() || result.path[0] != '/')
        return lib::Error::make(lib::ErrorCode::kInvalid, "path after 'resource(arg):' must start with '/'");
    for (char c : result.path) {
        // The loader turns the path into a UEFI CHAR16 string; a NUL would
        // silently cut it short and other control bytes name no FAT file.
        unsigned char byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f)
            return lib::Error::make(lib::ErrorCode::kInvalid, "path contains a control character");
    }
    if (result.path.size() == 1 || result.path[result.path.size() - 1] == '/')
        return lib::Error::make(lib::ErrorCode::kInvalid, "path names a directory, not a file");
    if (!(result.resource == StringView("boot")))
        return lib::Error::make(lib::ErrorCode::kUnsupported, "only the boot() resource is supported");
    // boot(N): N is a 1-based partition number on the boot drive; empty means
    // the partition the loader was started from.
    if (!result.argument.empty()) {
        uint64_t partition = 0;
        if (!parse_decimal(result.argument, UINT32_MAX, partition) || partition == 0)
            return lib::Error::make(lib::ErrorCode::kInvalid, "boot() argument must be a partition number from 1");
    }
    return result;
}

lib::Expected<void> check_limine_entry(const ConfigEntry& entry) {
    if (entry.protocol.empty()) return lib::Error::make(lib::ErrorCode::kInvalid, "entry has no protocol option");
    if (!entry.protocol.equals_ignoring_case("limine"))
        return lib::Error::make(lib::ErrorCode::kUnsupported, "entry's protocol is not 'limine'");
    if (entry.kernel_path.empty()) return lib::Error::make(lib::ErrorCode::kInvalid, "entry has no kernel_path option");
    TRY(parse_resource_path(entry.kernel_path));
    for (size_t i = 0; i < entry.module_count; ++i) TRY(parse_resource_path(entry.modules[i].path));
    return {};
}

}  // namespace loader
