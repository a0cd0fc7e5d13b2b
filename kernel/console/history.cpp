// The console history ring; see history.hpp.
#include "kernel/console/history.hpp"

namespace console {

void History::append(lib::StringView text) {
    // Only the last kCapacity bytes of a long write can survive anyway.
    if (text.size() > kCapacity) {
        text = text.substr(text.size() - kCapacity);
        wrapped_ = true;
    }
    for (char c : text) {
        buffer_[head_] = c;
        if (++head_ == kCapacity) {
            head_ = 0;
            wrapped_ = true;
        }
    }
}

}  // namespace console
