// Escape-sequence recognition and SGR colours; see ansi.hpp.
#include "kernel/console/ansi.hpp"

namespace console {
namespace {

constexpr char kEscape = 0x1B;
// Parameter values are clamped: nothing SGR means goes above 107, and a
// hostile "ESC[99999999999m" must not overflow.
constexpr uint16_t kMaxParameterValue = 9999;

}  // namespace

AnsiParser::Result AnsiParser::feed(char c) {
    const auto byte = static_cast<uint8_t>(c);
    // A control character or a non-ASCII byte inside a sequence ends the
    // sequence and is shown as text, so a broken escape can not swallow a
    // newline or the rest of a line. ESC always starts a new sequence.
    if (c == kEscape) {
        state_ = State::kEscape;
        return Result::kConsumed;
    }
    if (state_ != State::kGround && (byte < 0x20 || byte >= 0x7F)) state_ = State::kGround;

    switch (state_) {
        case State::kGround: return Result::kText;

        case State::kEscape:
            if (c == '[') {
                state_ = State::kControlSequence;
                parameter_count_ = 0;
                parameter_started_ = false;
                private_sequence_ = false;
                return Result::kConsumed;
            }
            // Two-character escapes (ESC c, ESC 7, ...): ignored. Intermediate
            // bytes (0x20-0x2F) keep the escape going until its final byte.
            if (byte >= 0x30) state_ = State::kGround;
            return Result::kConsumed;

        case State::kControlSequence:
            if (c >= '0' && c <= '9') {
                if (!parameter_started_) {
                    if (parameter_count_ < kMaxParameters) parameters_[parameter_count_++] = 0;
                    parameter_started_ = true;
                }
                if (parameter_count_ > 0 && parameter_count_ <= kMaxParameters) {
                    uint16_t& value = parameters_[parameter_count_ - 1];
                    uint32_t next = value * 10u + static_cast<uint32_t>(c - '0');
                    value = next > kMaxParameterValue ? kMaxParameterValue : static_cast<uint16_t>(next);
                }
                return Result::kConsumed;
            }
            if (c == ';') {
                // An empty parameter ("ESC[;1m") counts as 0.
                if (!parameter_started_ && parameter_count_ < kMaxParameters) parameters_[parameter_count_++] = 0;
                parameter_started_ = false;
                return Result::kConsumed;
            }
            if (byte >= 0x3A && byte <= 0x3F) {  // ':' '<' '=' '>' '?': private or sub-parameters
                private_sequence_ = true;
                return Result::kConsumed;
            }
            if (byte >= 0x20 && byte <= 0x2F) {  // intermediate bytes: not SGR any more
                private_sequence_ = true;
                return Result::kConsumed;
            }
            // 0x40-0x7E: the final byte.
            state_ = State::kGround;
            return (c == 'm' && !private_sequence_) ? Result::kSgr : Result::kConsumed;
    }
    return Result::kText;
}

uint8_t TextStyle::shown_foreground() const {
    uint8_t colour = foreground;
    if (bold && colour < 8) colour = static_cast<uint8_t>(colour + 8);
    return inverse ? background : colour;
}

uint8_t TextStyle::shown_background() const {
    if (!inverse) return background;
    uint8_t colour = foreground;
    if (bold && colour < 8) colour = static_cast<uint8_t>(colour + 8);
    return colour;
}

void TextStyle::apply_sgr(lib::Span<const uint16_t> parameters) {
    if (parameters.empty()) {
        *this = TextStyle{};
        return;
    }
    for (uint16_t code : parameters) {
        if (code == 0)
            *this = TextStyle{};
        else if (code == 1)
            bold = true;
        else if (code == 22)
            bold = false;
        else if (code == 7)
            inverse = true;
        else if (code == 27)
            inverse = false;
        else if (code >= 30 && code <= 37)
            foreground = static_cast<uint8_t>(code - 30);
        else if (code == 39)
            foreground = kDefaultForeground;
        else if (code >= 40 && code <= 47)
            background = static_cast<uint8_t>(code - 40);
        else if (code == 49)
            background = kDefaultBackground;
        else if (code >= 90 && code <= 97)
            foreground = static_cast<uint8_t>(code - 90 + 8);
        else if (code >= 100 && code <= 107)
            background = static_cast<uint8_t>(code - 100 + 8);
        // Anything else (underline, blink, 256-colour, ...) is ignored.
    }
}

Rgb palette_colour(uint8_t index) {
    // The usual 16 terminal colours: black, red, green, yellow, blue,
    // magenta, cyan, grey, then their bright variants.
    static constexpr Rgb kPalette[16] = {
        {0x00, 0x00, 0x00}, {0xCD, 0x31, 0x31}, {0x0D, 0xBC, 0x79}, {0xE5, 0xE5, 0x10},
        {0x24, 0x72, 0xC8}, {0xBC, 0x3F, 0xBC}, {0x11, 0xA8, 0xCD}, {0xCC, 0xCC, 0xCC},
        {0x66, 0x66, 0x66}, {0xF1, 0x4C, 0x4C}, {0x23, 0xD1, 0x8B}, {0xF5, 0xF5, 0x43},
        {0x3B, 0x8E, 0xEA}, {0xD6, 0x70, 0xD6}, {0x29, 0xB8, 0xDB}, {0xFF, 0xFF, 0xFF},
    };
    return kPalette[index & 0x0F];
}

}  // namespace console
