// The VT500-series parser's state machine; see vt_parser.hpp.
#include "kernel/console/vt_parser.hpp"

namespace console {
namespace {

constexpr uint8_t kCan = 0x18, kSub = 0x1a, kEsc = 0x1b, kBel = 0x07, kDel = 0x7f;

bool is_c0(uint8_t byte) {
    return byte < 0x20;
}

}  // namespace

void VtParser::clear() {
    sequence_ = ControlSequence{};
    parameter_open_ = false;
    parameter_dropped_ = false;
    separator_last_ = false;
    next_is_sub_ = false;
    too_many_intermediates_ = false;
}

void VtParser::collect(uint8_t byte) {
    if (sequence_.intermediate_count < sizeof sequence_.intermediates)
        sequence_.intermediates[sequence_.intermediate_count++] = byte;
    else
        too_many_intermediates_ = true;  // the sequence is then ignored
}

// Opens parameter number `count`, unless there are already kMaxParameters
// (later ones are dropped, as xterm does).
bool VtParser::add_parameter() {
    ControlSequence& s = sequence_;
    if (s.count >= ControlSequence::kMaxParameters) return false;
    if (next_is_sub_) s.sub_parameters |= uint32_t(1) << s.count;
    next_is_sub_ = false;
    s.parameters[s.count++] = 0;
    return true;
}

// Digits, ';' and ':' of a CSI sequence. Values are clamped, so that a
// hostile "CSI 99999999999 A" means 9999.
void VtParser::parameter(uint8_t byte) {
    if (byte == ';' || byte == ':') {
        if (!parameter_open_) add_parameter();  // an empty parameter
        parameter_open_ = false;
        separator_last_ = true;
        next_is_sub_ = byte == ':';
        return;
    }
    separator_last_ = false;
    if (!parameter_open_) {
        parameter_open_ = true;
        parameter_dropped_ = !add_parameter();
    }
    if (parameter_dropped_) return;
    uint16_t& value = sequence_.parameters[sequence_.count - 1];
    const uint32_t next = uint32_t(value) * 10 + uint32_t(byte - '0');
    value = next > ControlSequence::kMaxValue ? ControlSequence::kMaxValue : uint16_t(next);
}

VtParser::Byte VtParser::ground(uint8_t byte, bool& broken_utf8) {
    if (utf8_remaining_ != 0) {
        if ((byte & 0xc0) == 0x80) {
            code_point_ = code_point_ << 6 | (byte & 0x3f);
            if (--utf8_remaining_ != 0) return Byte::kNothing;
            if (code_point_ < utf8_minimum_ || code_point_ > 0x10ffff || (code_point_ >= 0xd800 && code_point_ <= 0xdfff))
                code_point_ = kReplacementCharacter;
            return Byte::kPrint;
        }
        // Cut short: U+FFFD for what came so far, then this byte afresh.
        utf8_remaining_ = 0;
        broken_utf8 = true;
    }
    if (byte < 0x20) return Byte::kExecute;
    if (byte == kDel) return Byte::kNothing;
    if (byte < 0x80) {
        code_point_ = byte;
        return Byte::kPrint;
    }
    if (byte >= 0xc2 && byte <= 0xdf) {
        code_point_ = byte & 0x1f, utf8_remaining_ = 1, utf8_minimum_ = 0x80;
    } else if (byte >= 0xe0 && byte <= 0xef) {
        code_point_ = byte & 0x0f, utf8_remaining_ = 2, utf8_minimum_ = 0x800;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
        code_point_ = byte & 0x07, utf8_remaining_ = 3, utf8_minimum_ = 0x10000;
    } else {
        code_point_ = kReplacementCharacter;  // a stray continuation byte, C0, C1, F5-FF
        return Byte::kPrint;
    }
    return Byte::kNothing;
}

VtParser::Byte VtParser::escape(uint8_t byte) {
    if (byte >= 0x20 && byte <= 0x2f) {
        collect(byte);
        state_ = State::kEscapeIntermediate;
        return Byte::kNothing;
    }
    if (state_ == State::kEscape) {
        switch (byte) {
            case '[':
                state_ = State::kCsiEntry;
                return Byte::kNothing;
            case ']':  // OSC
            case 'P':  // DCS
            case 'X':  // SOS
            case '^':  // PM
            case '_':  // APC
                state_ = State::kControlString;
                return Byte::kNothing;
            default: break;
        }
    }
    if (byte == kDel) return Byte::kNothing;
    state_ = State::kGround;
    if (too_many_intermediates_) return Byte::kNothing;
    sequence_.final = byte;
    return Byte::kEscDispatch;
}

VtParser::Byte VtParser::csi(uint8_t byte) {
    if (byte == kDel) return Byte::kNothing;
    if (byte >= 0x40) {  // the final byte
        const bool ignore = state_ == State::kCsiIgnore || too_many_intermediates_;
        state_ = State::kGround;
        if (ignore) return Byte::kNothing;
        if (separator_last_) add_parameter();  // "CSI 1;H": a trailing empty parameter
        sequence_.final = byte;
        return Byte::kCsiDispatch;
    }
    if (state_ == State::kCsiIgnore) return Byte::kNothing;
    if (byte >= 0x20 && byte <= 0x2f) {
        collect(byte);
        state_ = State::kCsiIntermediate;
        return Byte::kNothing;
    }
    // 0x30-0x3F: parameter bytes, allowed before any intermediate.
    if (state_ == State::kCsiIntermediate) {
        state_ = State::kCsiIgnore;
        return Byte::kNothing;
    }
    if (byte >= 0x3c) {  // '<' '=' '>' '?': a private marker, first byte only
        if (state_ == State::kCsiEntry) {
            sequence_.private_marker = byte;
            state_ = State::kCsiParameter;
        } else {
            state_ = State::kCsiIgnore;
        }
        return Byte::kNothing;
    }
    parameter(byte);
    state_ = State::kCsiParameter;
    return Byte::kNothing;
}

VtParser::Byte VtParser::step(uint8_t byte, bool& broken_utf8) {
    // From any state: CAN and SUB abort (and are executed), ESC starts over.
    if (byte == kCan || byte == kSub || byte == kEsc) {
        if (utf8_remaining_ != 0) {
            utf8_remaining_ = 0;
            broken_utf8 = true;
        }
        if (state_ == State::kControlString && byte == kEsc) {
            state_ = State::kControlStringEscape;
            return Byte::kNothing;
        }
        clear();
        state_ = byte == kEsc ? State::kEscape : State::kGround;
        return byte == kEsc ? Byte::kNothing : Byte::kExecute;
    }
    switch (state_) {
        case State::kGround: return ground(byte, broken_utf8);
        case State::kControlString:
            if (byte == kBel) state_ = State::kGround;  // xterm ends OSC with BEL too
            return Byte::kNothing;
        case State::kControlStringEscape:
            if (byte == '\\') {  // ST
                state_ = State::kGround;
                return Byte::kNothing;
            }
            // Another escape sequence ends the string and begins.
            clear();
            state_ = State::kEscape;
            return escape(byte);
        default: break;
    }
    // Inside a sequence, C0 controls are executed and the sequence goes on.
    if (is_c0(byte)) return Byte::kExecute;
    if (state_ == State::kEscape || state_ == State::kEscapeIntermediate) return escape(byte);
    return csi(byte);
}

}  // namespace console
