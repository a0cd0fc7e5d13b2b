// Placement new for freestanding builds; host builds take it from <new>.
#pragma once

#include <stddef.h>

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__ && __has_include(<new>)
#include <new>
#else
inline void* operator new(size_t, void* where) noexcept { return where; }
inline void* operator new[](size_t, void* where) noexcept { return where; }
#endif
