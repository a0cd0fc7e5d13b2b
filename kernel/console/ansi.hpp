// A small ECMA-48 escape-sequence recogniser: enough to colour text with SGR
// ("Select Graphic Rendition", ESC [ p1 ; p2 ... m, ECMA-48 §8.3.117) and to
// swallow every other escape so that none reaches a screen or a log file.
// Pure logic, host-tested (ansi_test.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/span.hpp"

namespace console {

class AnsiParser {
public:
    enum class Result : uint8_t {
        kText,      // the byte is ordinary text: show it
        kConsumed,  // the byte belongs to an escape sequence: show nothing
        kSgr,       // the byte ended an SGR sequence: apply parameters()
    };

    static constexpr size_t kMaxParameters = 16;

    Result feed(char c);

    // The parameters of the SGR sequence just completed. An empty list means
    // "ESC [ m", which is the same as 0 (reset).
    lib::Span<const uint16_t> parameters() const { return {parameters_, parameter_count_}; }

private:
    enum class State : uint8_t { kGround, kEscape, kControlSequence };

    State state_ = State::kGround;
    uint16_t parameters_[kMaxParameters] = {};
    size_t parameter_count_ = 0;
    bool parameter_started_ = false;
    bool private_sequence_ = false;  // "ESC [ ?..." and similar: never SGR
};

// Colours and attributes of text, as SGR sets them: indexes into the
// 16-colour palette (0-7 normal, 8-15 bright; SGR 30-37/90-97, 40-47/100-107).
struct TextStyle {
    static constexpr uint8_t kDefaultForeground = 7;  // light grey
    static constexpr uint8_t kDefaultBackground = 0;  // black

    uint8_t foreground = kDefaultForeground;
    uint8_t background = kDefaultBackground;
    bool bold = false;     // shown as the bright variant of colours 0-7
    bool inverse = false;  // SGR 7: foreground and background swapped

    // The colours to draw with, after bold and inverse are applied.
    uint8_t shown_foreground() const;
    uint8_t shown_background() const;

    void apply_sgr(lib::Span<const uint16_t> parameters);
};

struct Rgb {
    uint8_t red, green, blue;
};

// The palette the framebuffer console draws SGR colours with.
Rgb palette_colour(uint8_t index);

}  // namespace console
