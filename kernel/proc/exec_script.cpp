// #! parsing (see exec_script.hpp), step for step as binfmt_script.c.
#include "kernel/proc/exec_script.hpp"

#include "kernel/vm/errors.hpp"

namespace proc {
namespace {

bool blank(char c) {
    return c == ' ' || c == '\t';
}

// The first character in [first, last] that is not a blank, or nullptr.
char* next_non_blank(char* first, char* last) {
    for (; first <= last; ++first)
        if (!blank(*first)) return first;
    return nullptr;
}
// The first blank or NUL in [first, last], or nullptr.
char* next_terminator(char* first, char* last) {
    for (; first <= last; ++first)
        if (blank(*first) || !*first) return first;
    return nullptr;
}
// strnchr: the first `c` before the first NUL within `count` bytes.
char* find_before_nul(char* text, size_t count, char c) {
    for (; count-- && *text; ++text)
        if (*text == c) return text;
    return nullptr;
}
size_t length_of(const char* text) {
    size_t n = 0;
    while (text[n]) ++n;
    return n;
}

lib::Error not_a_script(const char* why) {
    return vm::error(lib::Errno::kENOEXEC, why);
}

}  // namespace

lib::Expected<ScriptInterpreter> parse_script(char (&head)[uapi::kBinprmBufSize]) {
    if (head[0] != '#' || head[1] != '!') return not_a_script("not a #! script");
    char* buffer_end = head + sizeof head - 1;
    char* line_end = find_before_nul(head, sizeof head, '\n');
    if (!line_end) {
        // No end of line in the bytes read: take them all, unless the
        // interpreter path runs to their end (it would be cut short).
        line_end = next_non_blank(head + 2, buffer_end);
        if (!line_end) return not_a_script("#! line of blanks only");
        if (!next_terminator(line_end, buffer_end)) return not_a_script("#! interpreter path too long");
        line_end = buffer_end;
    }
    while (blank(line_end[-1])) --line_end;
    char* name = next_non_blank(head + 2, line_end);
    if (!name || name == line_end) return not_a_script("#! names no interpreter");
    char* argument = nullptr;
    char* separator = next_terminator(name, line_end);
    if (separator && *separator != '\0') argument = next_non_blank(separator, line_end);
    *line_end = '\0';
    ScriptInterpreter result;
    if (argument) {
        *separator = '\0';
        result.argument = lib::StringView(argument, length_of(argument));
        result.has_argument = true;
    }
    result.path = lib::StringView(name, length_of(name));
    return result;
}

}  // namespace proc
