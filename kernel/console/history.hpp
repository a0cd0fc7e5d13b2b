// The last few KiB of console output, kept so that a console that starts
// late (the framebuffer comes up after boot info is parsed) can show the boot
// from its first line, and so a debugger or panic path can find recent output.
// Pure, host-tested (history_test.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/string_view.hpp"

namespace console {

class History {
public:
    static constexpr size_t kCapacity = 16 * 1024;

    void append(lib::StringView text);

    // Calls emit(lib::StringView) with the kept text, oldest first, in at
    // most two pieces. Once the ring has wrapped, the oldest partial line is
    // skipped, so replay never starts inside a line, an escape sequence or a
    // UTF-8 character.
    template <typename Emit>
    void replay(Emit&& emit) const {
        if (!wrapped_) {
            if (head_ != 0) emit(lib::StringView(buffer_, head_));
            return;
        }
        // Oldest byte is at head_; find the first line start after it.
        size_t skip = 0;
        while (skip < kCapacity && buffer_[(head_ + skip) % kCapacity] != '\n') ++skip;
        if (skip >= kCapacity - 1) return;  // one endless line: nothing safe to show
        size_t start = (head_ + skip + 1) % kCapacity;
        if (start < head_) {
            emit(lib::StringView(buffer_ + start, head_ - start));
        } else {
            emit(lib::StringView(buffer_ + start, kCapacity - start));
            if (head_ != 0) emit(lib::StringView(buffer_, head_));
        }
    }

    size_t size() const { return wrapped_ ? kCapacity : head_; }

private:
    char buffer_[kCapacity] = {};
    size_t head_ = 0;  // where the next byte goes
    bool wrapped_ = false;
};

}  // namespace console
