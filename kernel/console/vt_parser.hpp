// The escape-sequence parser of a VT100/xterm-style terminal: bytes in,
// calls out (print a character, execute a control, dispatch an ESC or CSI
// sequence), following the state machine of DEC's VT500-series terminals (as
// Paul Williams documented it in "A parser for DEC's ANSI-compatible video
// terminals"), with ECMA-48 §5.4 for the CSI syntax and xterm's ':'
// sub-parameters. UTF-8 is decoded in the ground state (RFC 3629: overlong
// forms, surrogates and values past U+10FFFF become U+FFFD, as does a
// sequence cut short — and the byte that cut it is then parsed normally).
//
// Robust by construction: every byte leads to a defined state, parameters
// are clamped, control strings (OSC, DCS, SOS, PM, APC) are swallowed
// whatever their length, and CAN/SUB abort any sequence. Pure logic,
// host-tested through the terminal (terminal_test.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace console {

struct ControlSequence {
    static constexpr size_t kMaxParameters = 32;
    static constexpr uint16_t kMaxValue = 9999;

    uint16_t parameters[kMaxParameters] = {};
    // Bit i set: parameter i followed a ':' (a sub-parameter, as in SGR
    // 38:2::r:g:b) rather than a ';'.
    uint32_t sub_parameters = 0;
    uint8_t count = 0;              // parameters given (an empty one counts, as 0)
    uint8_t private_marker = 0;     // '<' '=' '>' '?' before the parameters, or 0
    uint8_t intermediates[2] = {};  // 0x20-0x2F bytes before the final byte
    uint8_t intermediate_count = 0;
    uint8_t final = 0;

    // Parameter i, or `fallback` when absent or 0 (ECMA-48: 0 means default).
    uint16_t get(size_t i, uint16_t fallback) const {
        return i < count && parameters[i] != 0 ? parameters[i] : fallback;
    }
    uint16_t raw(size_t i) const { return i < count ? parameters[i] : 0; }
    bool is_sub_parameter(size_t i) const { return i < kMaxParameters && (sub_parameters >> i & 1); }
    uint8_t intermediate() const { return intermediate_count ? intermediates[0] : 0; }
};

class VtParser {
public:
    static constexpr uint32_t kReplacementCharacter = 0xFFFD;

    // Feeds one byte; calls on `handler`:
    //   print(uint32_t code_point)          a graphic character
    //   execute(uint8_t control)            a C0 control, 0x00-0x1F
    //   esc_dispatch(const ControlSequence&)  ESC [intermediates] final
    //   csi_dispatch(const ControlSequence&)  CSI [marker] parameters [intermediates] final
    template <typename Handler>
    void feed(uint8_t byte, Handler& handler);

    // Not inside an escape sequence or control string (UTF-8 may be pending).
    bool in_ground_state() const { return state_ == State::kGround; }

private:
    enum class State : uint8_t {
        kGround,
        kEscape,
        kEscapeIntermediate,
        kCsiEntry,
        kCsiParameter,
        kCsiIntermediate,
        kCsiIgnore,
        kControlString,        // OSC, DCS, SOS, PM, APC: swallowed up to ST (or BEL)
        kControlStringEscape,  // an ESC inside one: ST if '\' follows
    };
    enum class Byte : uint8_t { kNothing, kPrint, kExecute, kEscDispatch, kCsiDispatch };

    // The machine proper: what one byte does (at most one call), and
    // whether a broken UTF-8 sequence must be reported before it.
    Byte step(uint8_t byte, bool& broken_utf8);
    Byte ground(uint8_t byte, bool& broken_utf8);
    Byte escape(uint8_t byte);
    Byte csi(uint8_t byte);
    void collect(uint8_t byte);
    bool add_parameter();
    void parameter(uint8_t byte);
    void clear();

    State state_ = State::kGround;
    ControlSequence sequence_;
    bool parameter_open_ = false;     // digits go into the last parameter
    bool parameter_dropped_ = false;  // ... which was one too many: they are dropped
    bool separator_last_ = false;  // the last byte was ';' or ':' (a trailing empty parameter)
    bool next_is_sub_ = false;     // the next parameter follows a ':'
    bool too_many_intermediates_ = false;
    uint32_t code_point_ = 0;
    uint32_t utf8_minimum_ = 0;
    uint8_t utf8_remaining_ = 0;
};

template <typename Handler>
void VtParser::feed(uint8_t byte, Handler& handler) {
    bool broken_utf8 = false;
    const Byte what = step(byte, broken_utf8);
    if (broken_utf8) handler.print(kReplacementCharacter);
    switch (what) {
        case Byte::kNothing: break;
        case Byte::kPrint: handler.print(code_point_); break;
        case Byte::kExecute: handler.execute(byte); break;
        case Byte::kEscDispatch: handler.esc_dispatch(sequence_); break;
        case Byte::kCsiDispatch: handler.csi_dispatch(sequence_); break;
    }
}

}  // namespace console
