// Choosing the entry to boot (docs/limine-protocol.md §5: `timeout`, `default_entry`).
#pragma once

#include <stddef.h>

#include "loader/core/config.hpp"

namespace loader {

// timeout 0: the default entry at once. Otherwise the entries are listed on
// ConOut with a countdown; any key stops the countdown, Up/Down move the
// selection and Enter boots it. When the countdown ends, the selection boots.
size_t choose_entry(const Config& config);

}  // namespace loader
