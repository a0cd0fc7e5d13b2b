// Escape-sequence stripping; see ansi.hpp.
#include "kernel/console/ansi.hpp"

namespace console {
namespace {

// Notes whether a byte made the parser print or execute anything.
struct Probe {
    bool shown = false;
    void print(uint32_t) { shown = true; }
    void execute(uint8_t) { shown = true; }
    void esc_dispatch(const ControlSequence&) {}
    void csi_dispatch(const ControlSequence&) {}
};

}  // namespace

AnsiParser::Result AnsiParser::feed(char c) {
    const uint8_t byte = static_cast<uint8_t>(c);
    const bool was_ground = parser_.in_ground_state();
    Probe probe;
    parser_.feed(byte, probe);
    // ESC starts a sequence even when it also ends a broken UTF-8 character.
    if (byte == 0x1b) return Result::kConsumed;
    if (probe.shown) return Result::kText;
    // The first bytes of a UTF-8 character show nothing yet but are text.
    if (was_ground && parser_.in_ground_state() && byte >= 0x80) return Result::kText;
    return Result::kConsumed;
}

}  // namespace console
