// SGR (Select Graphic Rendition, ECMA-48 §8.3.117, with xterm's 256-colour
// and direct-colour extensions) and the colour palette; see terminal.hpp.
#include "kernel/console/terminal.hpp"

namespace console {

// 38/48 (and 58, the underline colour, which is parsed and ignored):
// "5;n" or "5:n" picks palette entry n; "2;r;g;b", "2:r:g:b" or
// "2:colourspace:r:g:b" gives 24-bit colour. Returns how many parameters
// after `i` belong to it; `colour` is left alone if they are malformed.
size_t Terminal::extended_colour(const ControlSequence& s, size_t i, Colour& colour) {
    if (s.is_sub_parameter(i + 1)) {
        size_t subs = 0;
        while (s.is_sub_parameter(i + 1 + subs)) ++subs;
        const uint16_t kind = s.raw(i + 1);
        if (kind == 5 && subs >= 2 && s.raw(i + 2) <= 255) colour = Colour::indexed(uint8_t(s.raw(i + 2)));
        if (kind == 2 && subs >= 4) {
            const size_t first = subs >= 5 ? i + 3 : i + 2;  // skip the colour-space id when present
            if (s.raw(first) <= 255 && s.raw(first + 1) <= 255 && s.raw(first + 2) <= 255)
                colour = Colour::rgb(uint8_t(s.raw(first)), uint8_t(s.raw(first + 1)), uint8_t(s.raw(first + 2)));
        }
        return subs;
    }
    const uint16_t kind = s.raw(i + 1);
    if (kind == 5) {
        if (i + 2 < s.count && s.raw(i + 2) <= 255) colour = Colour::indexed(uint8_t(s.raw(i + 2)));
        return 2;
    }
    if (kind == 2) {
        if (i + 4 < s.count && s.raw(i + 2) <= 255 && s.raw(i + 3) <= 255 && s.raw(i + 4) <= 255)
            colour = Colour::rgb(uint8_t(s.raw(i + 2)), uint8_t(s.raw(i + 3)), uint8_t(s.raw(i + 4)));
        return 4;
    }
    return 1;
}

void Terminal::select_graphic_rendition(const ControlSequence& s) {
    using namespace attribute;
    if (s.count == 0) {
        pen_ = Pen{};
        return;
    }
    for (size_t i = 0; i < s.count; ++i) {
        const uint16_t code = s.parameters[i];
        if (s.is_sub_parameter(i)) continue;  // sub-parameters of something not understood
        switch (code) {
            case 0: pen_ = Pen{}; break;
            case 1: pen_.attributes |= kBold; break;
            case 2: pen_.attributes |= kDim; break;
            case 3: pen_.attributes |= kItalic; break;
            case 4:
                // 4:0 is "no underline"; 4:1-4:5 are underline styles.
                if (s.is_sub_parameter(i + 1) && s.raw(i + 1) == 0)
                    pen_.attributes &= uint16_t(~kUnderline);
                else
                    pen_.attributes |= kUnderline;
                break;
            case 5:
            case 6: pen_.attributes |= kBlink; break;
            case 7: pen_.attributes |= kReverse; break;
            case 8: pen_.attributes |= kHidden; break;
            case 9: pen_.attributes |= kStrike; break;
            case 21: pen_.attributes |= kUnderline; break;  // double underline
            case 22: pen_.attributes &= uint16_t(~(kBold | kDim)); break;
            case 23: pen_.attributes &= uint16_t(~kItalic); break;
            case 24: pen_.attributes &= uint16_t(~kUnderline); break;
            case 25: pen_.attributes &= uint16_t(~kBlink); break;
            case 27: pen_.attributes &= uint16_t(~kReverse); break;
            case 28: pen_.attributes &= uint16_t(~kHidden); break;
            case 29: pen_.attributes &= uint16_t(~kStrike); break;
            case 38: i += extended_colour(s, i, pen_.foreground); break;
            case 39: pen_.foreground = Colour::standard(); break;
            case 48: i += extended_colour(s, i, pen_.background); break;
            case 49: pen_.background = Colour::standard(); break;
            case 58: {
                Colour ignored = Colour::standard();
                i += extended_colour(s, i, ignored);
                break;
            }
            default:
                if (code >= 30 && code <= 37) pen_.foreground = Colour::indexed(uint8_t(code - 30));
                if (code >= 40 && code <= 47) pen_.background = Colour::indexed(uint8_t(code - 40));
                if (code >= 90 && code <= 97) pen_.foreground = Colour::indexed(uint8_t(code - 90 + 8));
                if (code >= 100 && code <= 107) pen_.background = Colour::indexed(uint8_t(code - 100 + 8));
                break;
        }
    }
}

Rgb palette_colour(uint8_t index) {
    // The usual 16 terminal colours: black, red, green, yellow, blue,
    // magenta, cyan, grey, then their bright variants.
    static constexpr Rgb kSixteen[16] = {
        {0x00, 0x00, 0x00}, {0xCD, 0x31, 0x31}, {0x0D, 0xBC, 0x79}, {0xE5, 0xE5, 0x10},
        {0x24, 0x72, 0xC8}, {0xBC, 0x3F, 0xBC}, {0x11, 0xA8, 0xCD}, {0xCC, 0xCC, 0xCC},
        {0x66, 0x66, 0x66}, {0xF1, 0x4C, 0x4C}, {0x23, 0xD1, 0x8B}, {0xF5, 0xF5, 0x43},
        {0x3B, 0x8E, 0xEA}, {0xD6, 0x70, 0xD6}, {0x29, 0xB8, 0xDB}, {0xFF, 0xFF, 0xFF},
    };
    if (index < 16) return kSixteen[index];
    if (index < 232) {  // 6x6x6 cube: levels 0, 95, 135, 175, 215, 255
        const uint8_t cube = uint8_t(index - 16);
        auto level = [](uint8_t v) { return uint8_t(v == 0 ? 0 : 55 + 40 * v); };
        return {level(cube / 36), level(cube / 6 % 6), level(cube % 6)};
    }
    const uint8_t grey = uint8_t(8 + 10 * (index - 232));  // 8, 18, ..., 238
    return {grey, grey, grey};
}

Rgb resolve_colour(Colour colour, bool foreground) {
    if (colour.is_rgb()) return {colour.red(), colour.green(), colour.blue()};
    if (colour.is_indexed()) return palette_colour(colour.index());
    return palette_colour(foreground ? kDefaultForegroundIndex : kDefaultBackgroundIndex);
}

}  // namespace console
