// Escape-sequence stripping for outputs that are plain text (the serial log):
// which bytes of a stream a terminal would show or act on, and which belong
// to escape sequences and control strings, judged by the same parser the
// framebuffer terminal uses (vt_parser.hpp), so both agree on where a
// sequence ends. Pure logic, host-tested (ansi_test.cpp).
#pragma once

#include <stdint.h>

#include "kernel/console/vt_parser.hpp"

namespace console {

class AnsiParser {
public:
    enum class Result : uint8_t {
        kText,      // show the byte: text (possibly part of a UTF-8 character) or a control
        kConsumed,  // the byte belongs to an escape sequence or control string: drop it
    };

    Result feed(char c);

private:
    VtParser parser_;
};

}  // namespace console
