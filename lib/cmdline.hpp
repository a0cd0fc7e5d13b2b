// The kernel command line: space-separated words, each `key` or `key=value`
// (a value may be double-quoted to hold spaces). Pure and allocation-free:
// lookups scan the text, which must outlive the CommandLine.
#pragma once

#include <stdint.h>

#include "lib/string_view.hpp"

namespace lib {

struct CommandLineOption {
    bool present = false;
    StringView value;  // empty for a bare `key`
};

class CommandLine {
public:
    constexpr explicit CommandLine(StringView text) : text_(text) {}

    // The LAST occurrence wins, so a later word overrides an earlier one.
    CommandLineOption find(StringView key) const;
    bool has(StringView key) const { return find(key).present; }
    StringView value_or(StringView key, StringView fallback) const {
        CommandLineOption option = find(key);
        return option.present && !option.value.empty() ? option.value : fallback;
    }
    // Decimal value of `key`, or `fallback` when absent or not a number.
    uint64_t number_or(StringView key, uint64_t fallback) const;

    // Calls visit(key, value) for every word, in order.
    template <typename Visitor>
    void for_each(Visitor&& visit) const {
        size_t pos = 0;
        StringView key, value;
        while (next_word(pos, key, value)) visit(key, value);
    }

private:
    bool next_word(size_t& pos, StringView& key, StringView& value) const;

    StringView text_;
};

}  // namespace lib
