#include "lib/cmdline.hpp"

namespace lib {

bool CommandLine::next_word(size_t& pos, StringView& key, StringView& value) const {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (pos < text_.size() && is_space(text_[pos])) ++pos;
    if (pos >= text_.size()) return false;
    size_t key_start = pos;
    while (pos < text_.size() && !is_space(text_[pos]) && text_[pos] != '=') ++pos;
    key = text_.substr(key_start, pos - key_start);
    value = {};
    if (pos < text_.size() && text_[pos] == '=') {
        ++pos;
        if (pos < text_.size() && text_[pos] == '"') {
            size_t value_start = ++pos;
            while (pos < text_.size() && text_[pos] != '"') ++pos;
            value = text_.substr(value_start, pos - value_start);
            if (pos < text_.size()) ++pos;  // closing quote; an unclosed one runs to the end
        } else {
            size_t value_start = pos;
            while (pos < text_.size() && !is_space(text_[pos])) ++pos;
            value = text_.substr(value_start, pos - value_start);
        }
    }
    return true;
}

CommandLineOption CommandLine::find(StringView key) const {
    CommandLineOption result;
    for_each([&](StringView k, StringView v) {
        if (k == key) result = CommandLineOption{true, v};
    });
    return result;
}

uint64_t CommandLine::number_or(StringView key, uint64_t fallback) const {
    CommandLineOption option = find(key);
    if (!option.present || option.value.empty()) return fallback;
    uint64_t value = 0;
    for (char c : option.value) {
        if (c < '0' || c > '9') return fallback;
        uint64_t digit = uint64_t(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return fallback;  // overflow
        value = value * 10 + digit;
    }
    return value;
}

}  // namespace lib
