// limine.conf parser (docs/limine-protocol.md §5, §7; Limine 11's CONFIG.md).
//
// Choices where Limine's own documentation leaves room:
// - Global options (timeout, default_entry, hash_mismatch_panic) are
//   recognised anywhere in the file ("global assignments can appear anywhere").
// - A local option (protocol, path, ...) before the first entry is an error:
//   it would silently belong to nothing.
// - Giving the same local option twice in one entry is an error (Limine
//   silently takes the first; a second one is almost surely a typo). path:
//   and kernel_path: together are fine: path: wins, as in Limine, and a file
//   meant for Limine 8.x too (which knows only kernel_path:) needs both.
// - A timeout, default_entry or yes/no value that is not one is an error
//   naming the line (Limine treats some of them as 0 or as unset); a
//   default_entry naming a directory only turns the countdown off, as in
//   Limine.
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

ConfigResult success() {
    ConfigResult ok;
    ok.ok = true;
    return ok;
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

bool is_all_digits(StringView text) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

// "N" or "N.M" seconds (Limine 11 accepts fractions), rounded up to whole
// seconds for the menu's countdown and capped at Limine's 9999.
bool parse_timeout(StringView text, uint64_t& out) {
    size_t dot = text.find('.');
    StringView whole = dot == StringView::npos ? text : text.substr(0, dot);
    StringView fraction = dot == StringView::npos ? StringView() : text.substr(dot + 1);
    if (whole.empty() && fraction.empty()) return false;
    if (!whole.empty() && !is_all_digits(whole)) return false;
    if (dot != StringView::npos && !is_all_digits(fraction)) return false;
    uint64_t seconds = kMaxTimeoutSeconds;
    if (whole.size() <= 6) {
        seconds = 0;
        for (char c : whole) seconds = seconds * 10 + static_cast<uint64_t>(c - '0');
    }
    for (char c : fraction)
        if (c != '0') {
            ++seconds;
            break;
        }
    out = seconds > kMaxTimeoutSeconds ? kMaxTimeoutSeconds : seconds;
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

bool parse_yes_no(StringView value, bool& out) {
    if (value.equals_ignoring_case("yes")) {
        out = true;
        return true;
    }
    if (value.equals_ignoring_case("no")) {
        out = false;
        return true;
    }
    return false;
}

bool parse_paging_mode(StringView value, int& out) {
    if (value.equals_ignoring_case("4level")) {
        out = kPagingMode4Level;
        return true;
    }
    if (value.equals_ignoring_case("5level")) {
        out = kPagingMode5Level;
        return true;
    }
    return false;
}

bool is_one_of(StringView name, StringView a, StringView b = StringView()) {
    return name.equals_ignoring_case(a) || (!b.empty() && name.equals_ignoring_case(b));
}

// A local option set once: `slot` empty before, `value` non-empty.
ConfigResult set_once(size_t line, StringView& slot, StringView value, const char* twice, const char* empty) {
    if (!slot.empty()) return failure_at(line, lib::ErrorCode::kEEXIST, twice);
    if (value.empty()) return failure_at(line, lib::ErrorCode::kEINVAL, empty);
    slot = value;
    return success();
}

ConfigResult set_paging(size_t line, int& slot, StringView value, const char* what) {
    if (slot != kPagingModeUnset) return failure_at(line, lib::ErrorCode::kEEXIST, what);
    if (!parse_paging_mode(value, slot))
        return failure_at(line, lib::ErrorCode::kEINVAL, "paging modes are '4level' or '5level' on x86-64");
    return success();
}

// Applies one local option to `entry`. Returns a failure (with the line) or
// ok; `known` tells whether the option was one of ours.
ConfigResult apply_local_option(size_t line, StringView name, StringView value, ConfigEntry& entry, bool& known) {
    known = true;
    if (is_one_of(name, "protocol"))
        return set_once(line, entry.protocol, value, "protocol given twice in one entry", "protocol has no value");
    if (is_one_of(name, "path"))
        return set_once(line, entry.path, value, "path given twice in one entry", "path has no value");
    if (is_one_of(name, "kernel_path"))
        return set_once(line, entry.kernel_path, value, "kernel_path given twice in one entry",
                        "kernel_path has no value");
    if (is_one_of(name, "dtb_path"))
        return set_once(line, entry.dtb_path, value, "dtb_path given twice in one entry", "dtb_path has no value");
    if (is_one_of(name, "module_path")) {
        if (value.empty()) return failure_at(line, lib::ErrorCode::kEINVAL, "module_path has no value");
        if (entry.module_count == kMaxModulesPerEntry)
            return failure_at(line, lib::ErrorCode::kEOPNOTSUPP, "too many module_path lines in one entry (max 16)");
        entry.modules[entry.module_count].path = value;
        entry.modules[entry.module_count].cmdline = StringView();
        ++entry.module_count;
        return success();
    }
    if (is_one_of(name, "module_string", "module_cmdline")) {
        if (entry.module_count == 0)
            return failure_at(line, lib::ErrorCode::kEINVAL, "module_string without a module_path before it");
        ConfigModule& module = entry.modules[entry.module_count - 1];
        if (!module.cmdline.empty())
            return failure_at(line, lib::ErrorCode::kEEXIST, "module_string given twice for one module");
        module.cmdline = value;
        return success();
    }
    if (is_one_of(name, "cmdline", "kernel_cmdline")) {
        if (!entry.cmdline.empty())
            return failure_at(line, lib::ErrorCode::kEEXIST, "cmdline given twice in one entry");
        entry.cmdline = value;
        return success();
    }
    if (is_one_of(name, "resolution")) {
        if (!parse_resolution(value, entry.resolution))
            return failure_at(line, lib::ErrorCode::kEINVAL, "resolution is not WxH or WxHxBPP with non-zero numbers");
        return success();
    }
    if (is_one_of(name, "kaslr")) {
        if (!parse_yes_no(value, entry.kaslr))
            return failure_at(line, lib::ErrorCode::kEINVAL, "kaslr must be 'yes' or 'no'");
        return success();
    }
    if (is_one_of(name, "randomise_hhdm_base", "randomize_hhdm_base")) {
        bool randomise = false;
        if (!parse_yes_no(value, randomise))
            return failure_at(line, lib::ErrorCode::kEINVAL, "randomise_hhdm_base must be 'yes' or 'no'");
        entry.randomise_hhdm_base = randomise ? Setting::kYes : Setting::kNo;
        return success();
    }
    if (is_one_of(name, "paging_mode")) {
        int mode = kPagingModeUnset;
        ConfigResult result = set_paging(line, mode, value, "paging_mode given twice in one entry");
        if (!result.ok) return result;
        if (entry.min_paging_mode != kPagingModeUnset || entry.max_paging_mode != kPagingModeUnset)
            return failure_at(line, lib::ErrorCode::kEEXIST, "paging_mode given with max_ or min_paging_mode");
        entry.paging_mode = entry.min_paging_mode = entry.max_paging_mode = mode;
        return success();
    }
    if (is_one_of(name, "max_paging_mode"))
        return set_paging(line, entry.max_paging_mode, value, "max_paging_mode given twice in one entry");
    if (is_one_of(name, "min_paging_mode"))
        return set_paging(line, entry.min_paging_mode, value, "min_paging_mode given twice in one entry");
    known = false;
    return success();
}

// Entry paths of default_entry: "Dir/Sub/Title", matching titles level by
// level (a literal '/' in a title is written "\/"). Returns the index or
// kMaxConfigEntries.
size_t find_entry_by_path(const Config& config, StringView path) {
    size_t parent_end = config.entry_count;  // search range [begin, end) at the current depth
    size_t begin = 0;
    uint32_t depth = 1;
    size_t at = 0;
    while (true) {
        // The next component, with "\/" standing for '/'.
        char component[128];
        size_t length = 0;
        while (at < path.size() && path[at] != '/') {
            char c = path[at++];
            if (c == '\\' && at < path.size()) c = path[at++];
            if (length == sizeof component) return kMaxConfigEntries;
            component[length++] = c;
        }
        bool last = at >= path.size();
        ++at;  // past the '/'
        size_t found = kMaxConfigEntries;
        for (size_t i = begin; i < parent_end; ++i) {
            if (config.entries[i].depth != depth) continue;
            if (config.entries[i].title == StringView(component, length)) {
                found = i;
                break;
            }
        }
        if (found == kMaxConfigEntries || last) return found;
        // Descend: the children are the deeper entries right after it.
        begin = found + 1;
        parent_end = begin;
        while (parent_end < config.entry_count && config.entries[parent_end].depth > depth) ++parent_end;
        ++depth;
    }
}

}  // namespace

lib::Expected<size_t> expand_macros(StringView text, char* out, size_t capacity) {
    struct Macro {
        StringView name, value;
    };
    constexpr size_t kMaxMacros = 64;
    Macro macros[kMaxMacros] = {{"ARCH", "x86-64"}, {"FW_TYPE", "UEFI"}, {"LOADER_ARCH", "x86-64"}};
    size_t macro_count = 3;

    // Pass 1: the definitions, "${NAME}=value" at the start of a line.
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        if (end == StringView::npos) end = text.size();
        StringView line = text.substr(start, end - start);
        size_t close = line.find('}');
        if (line.starts_with("${") && close != StringView::npos && close + 1 < line.size() && line[close + 1] == '=') {
            if (macro_count == kMaxMacros) return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "more than 61 macros");
            StringView value = line.substr(close + 2);
            if (!value.empty() && value[value.size() - 1] == '\r') value = value.substr(0, value.size() - 1);
            macros[macro_count++] = Macro{line.substr(2, close - 2), value};
        }
        start = end + 1;
    }

    // Pass 2: copy, dropping definition lines and replacing uses.
    size_t written = 0;
    auto put = [&](char c) {
        if (written == capacity) return false;
        out[written++] = c;
        return true;
    };
    const auto too_long = lib::Error::make(lib::ErrorCode::kENOMEM, "the macro-expanded config is too long");
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        bool has_newline = end != StringView::npos;
        if (!has_newline) end = text.size();
        StringView line = text.substr(start, end - start);
        start = end + 1;
        size_t close = line.find('}');
        if (line.starts_with("${") && close != StringView::npos && close + 1 < line.size() && line[close + 1] == '=') {
            // A definition: the line becomes empty (line numbers stay right).
            if (has_newline && !put('\n')) return too_long;
            continue;
        }
        for (size_t i = 0; i < line.size();) {
            if (line[i] == '$' && i + 1 < line.size() && line[i + 1] == '{') {
                size_t name_end = line.find('}', i + 2);
                if (name_end == StringView::npos)
                    return lib::Error::make(lib::ErrorCode::kEINVAL, "a '${' without its '}' on the same line");
                StringView name = line.substr(i + 2, name_end - i - 2);
                StringView value;  // unknown names expand to nothing, as in Limine
                for (size_t m = macro_count; m > 0; --m)
                    if (macros[m - 1].name == name) {
                        value = macros[m - 1].value;
                        break;
                    }
                for (char c : value)
                    if (!put(c)) return too_long;
                i = name_end + 1;
                continue;
            }
            if (!put(line[i++])) return too_long;
        }
        if (has_newline && !put('\n')) return too_long;
    }
    return written;
}

ConfigResult parse_config(StringView text, Config& out) {
    // Reset field by field: a Config{} temporary would put ~20 KiB on the
    // loader's small UEFI stack. Entries are reset as they are created.
    out.timeout_seconds = kDefaultTimeoutSeconds;
    out.default_entry = 0;
    out.hash_mismatch_panic = true;
    out.entry_count = 0;
    StringView default_entry_text;
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
            // "/Title", "//Sub-entry", "/+Expanded directory", ...
            uint32_t depth = 0;
            while (depth < line.size() && line[depth] == '/') ++depth;
            StringView rest = line.substr(depth);
            bool expanded = !rest.empty() && rest[0] == '+';
            StringView title = (expanded ? rest.substr(1) : rest).trimmed();
            if (title.empty()) return failure_at(line_number, lib::ErrorCode::kEINVAL, "entry has an empty title");
            uint32_t previous_depth = out.entry_count == 0 ? 0 : out.entries[out.entry_count - 1].depth;
            if (depth > previous_depth + 1)
                return failure_at(line_number, lib::ErrorCode::kEINVAL,
                                  "sub-entry more than one level deeper than the entry before it");
            if (out.entry_count == kMaxConfigEntries)
                return failure_at(line_number, lib::ErrorCode::kEOPNOTSUPP, "too many entries (max 32)");
            ConfigEntry& entry = out.entries[out.entry_count];
            entry = ConfigEntry{};
            entry.title = title;
            entry.depth = depth;
            entry.expanded = expanded;
            // The entry before becomes a directory when this one is deeper.
            if (out.entry_count > 0 && depth > previous_depth) out.entries[out.entry_count - 1].directory = true;
            ++out.entry_count;
            continue;
        }

        size_t colon = line.find(':');
        if (colon == StringView::npos)
            return failure_at(line_number, lib::ErrorCode::kEINVAL,
                              "expected 'name: value', '/Title' or '# comment' (no ':' on this line)");
        StringView name = line.substr(0, colon).trimmed();
        StringView value = line.substr(colon + 1).trimmed();
        if (name.empty()) return failure_at(line_number, lib::ErrorCode::kEINVAL, "option name before ':' is empty");

        if (name.equals_ignoring_case("timeout")) {
            if (value.equals_ignoring_case("no")) {
                out.timeout_seconds = kTimeoutForever;
            } else if (!parse_timeout(value, out.timeout_seconds)) {
                return failure_at(line_number, lib::ErrorCode::kEINVAL, "timeout must be a number of seconds or 'no'");
            }
            continue;
        }
        if (name.equals_ignoring_case("default_entry")) {
            if (value.empty()) return failure_at(line_number, lib::ErrorCode::kEINVAL, "default_entry has no value");
            default_entry_text = value;
            default_entry_line = line_number;
            continue;
        }
        if (name.equals_ignoring_case("hash_mismatch_panic")) {
            if (!parse_yes_no(value, out.hash_mismatch_panic))
                return failure_at(line_number, lib::ErrorCode::kEINVAL, "hash_mismatch_panic must be 'yes' or 'no'");
            continue;
        }

        ConfigEntry scratch;
        bool known = false;
        ConfigEntry& target = out.entry_count > 0 ? out.entries[out.entry_count - 1] : scratch;
        ConfigResult applied = apply_local_option(line_number, name, value, target, known);
        if (known && out.entry_count == 0)
            return failure_at(line_number, lib::ErrorCode::kEINVAL,
                              "entry option before any '/Title' line (it belongs to no entry)");
        if (!applied.ok) return applied;
        // Anything else: an option this loader does not use (graphics,
        // wallpaper, verbose, comment, ...), ignored as Limine ignores them.
    }

    if (!default_entry_text.empty()) {
        size_t index = kMaxConfigEntries;
        uint64_t number = 0;
        if (is_all_digits(default_entry_text)) {
            if (parse_decimal(default_entry_text, kMaxConfigEntries, number) && number >= 1 &&
                number <= out.entry_count)
                index = static_cast<size_t>(number - 1);
        } else {
            index = find_entry_by_path(out, default_entry_text);
        }
        if (index >= out.entry_count)
            return failure_at(default_entry_line, lib::ErrorCode::kERANGE,
                              "default_entry names no entry (a 1-based number or a path such as Dir/Title)");
        out.default_entry = index;
    }
    return success();
}

lib::Expected<ResourcePath> parse_resource_path(StringView text) {
    ResourcePath result;
    if (!text.empty() && text[0] == '$') {
        result.compressed = true;
        text = text.substr(1);
    }
    // The hash: the last '#' and what follows it.
    size_t hash_at = StringView::npos;
    for (size_t i = text.size(); i > 0; --i)
        if (text[i - 1] == '#') {
            hash_at = i - 1;
            break;
        }
    if (hash_at != StringView::npos) {
        TRY(parse_path_hash(text.substr(hash_at + 1), result));
        text = text.substr(0, hash_at);
    }

    size_t open = text.find('(');
    if (open == StringView::npos || open == 0)
        return lib::Error::make(lib::ErrorCode::kEINVAL, "path is not of the form resource(arg):/path");
    size_t close = text.find(')', open + 1);
    if (close == StringView::npos)
        return lib::Error::make(lib::ErrorCode::kEINVAL, "path has no ')' after the resource argument");
    if (close + 1 >= text.size() || text[close + 1] != ':')
        return lib::Error::make(lib::ErrorCode::kEINVAL, "path has no ':' after 'resource(arg)'");

    result.resource = text.substr(0, open);
    result.argument = text.substr(open + 1, close - open - 1);
    result.path = text.substr(close + 2);

    for (char c : result.resource) {
        bool lower = c >= 'a' && c <= 'z';
        if (!lower) return lib::Error::make(lib::ErrorCode::kEINVAL, "resource name must be lowercase letters");
    }
    if (result.path.empty() || result.path[0] != '/')
        return lib::Error::make(lib::ErrorCode::kEINVAL, "path after 'resource(arg):' must start with '/'");
    for (char c : result.path) {
        // The loader turns the path into a UEFI CHAR16 string; a NUL would
        // silently cut it short and other control bytes name no FAT file.
        unsigned char byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f)
            return lib::Error::make(lib::ErrorCode::kEINVAL, "path contains a control character");
    }
    if (result.path.size() == 1 || result.path[result.path.size() - 1] == '/')
        return lib::Error::make(lib::ErrorCode::kEINVAL, "path names a directory, not a file");
    if (!(result.resource == StringView("boot")))
        return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "only the boot() resource is supported");
    // boot(N): N is a 1-based partition number on the boot drive; empty means
    // the partition the loader was started from.
    if (!result.argument.empty()) {
        uint64_t partition = 0;
        if (!parse_decimal(result.argument, UINT32_MAX, partition) || partition == 0)
            return lib::Error::make(lib::ErrorCode::kEINVAL, "boot() argument must be a partition number from 1");
    }
    return result;
}

lib::Expected<void> parse_path_hash(StringView digits, ResourcePath& out) {
    if (digits.size() == 128)
        out.hash = HashKind::kBlake2b512;
    else if (digits.size() == 64)
        out.hash = HashKind::kBlake3_256;
    else if (digits.size() == 256)
        out.hash = HashKind::kBlake3_1024;
    else
        return lib::Error::make(lib::ErrorCode::kEINVAL,
                                "a path's '#' must be followed by a hash of 64, 128 or 256 hexadecimal digits");
    out.digest_size = digits.size() / 2;
    for (size_t i = 0; i < sizeof out.digest; ++i) out.digest[i] = 0;
    for (size_t i = 0; i < digits.size(); ++i) {
        char c = digits[i];
        int nibble = c >= '0' && c <= '9'   ? c - '0'
                     : c >= 'a' && c <= 'f' ? c - 'a' + 10
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : -1;
        if (nibble < 0) return lib::Error::make(lib::ErrorCode::kEINVAL, "a path's hash has a non-hexadecimal digit");
        out.digest[i / 2] = static_cast<uint8_t>(out.digest[i / 2] << 4 | nibble);
    }
    return {};
}

lib::Expected<void> check_limine_entry(const ConfigEntry& entry) {
    if (entry.directory) return lib::Error::make(lib::ErrorCode::kEINVAL, "entry is a directory of sub-entries");
    if (entry.protocol.empty()) return lib::Error::make(lib::ErrorCode::kEINVAL, "entry has no protocol option");
    if (!entry.protocol.equals_ignoring_case("limine"))
        return lib::Error::make(lib::ErrorCode::kEOPNOTSUPP, "entry's protocol is not 'limine'");
    if (entry.executable_path().empty())
        return lib::Error::make(lib::ErrorCode::kEINVAL, "entry has no path (or kernel_path) option");
    TRY(parse_resource_path(entry.executable_path()));
    if (!entry.dtb_path.empty()) TRY(parse_resource_path(entry.dtb_path));
    for (size_t i = 0; i < entry.module_count; ++i) TRY(parse_resource_path(entry.modules[i].path));
    return {};
}

}  // namespace loader
