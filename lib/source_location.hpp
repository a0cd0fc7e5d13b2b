// std::source_location without the standard library (clang 14's libstdc++
// pairing lacks it). Default arguments capture the caller's location.
#pragma once

#include <stdint.h>

namespace lib {

struct SourceLocation {
    const char* file = "";
    const char* function = "";
    uint32_t line = 0;

    static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                            const char* function = __builtin_FUNCTION(),
                                            uint32_t line = __builtin_LINE()) {
        return SourceLocation{file, function, line};
    }
};

}  // namespace lib
