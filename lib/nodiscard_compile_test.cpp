// Not run: CTest compiles this with the kernel's, the loader's and the host
// tests' flags (lib/host_tests.cmake, host.nodiscard.*). A caller that drops
// an Expected must not build (docs/architecture.md §4.3); one that looks at
// it must.
#include "lib/expected.hpp"

lib::Expected<int> may_fail(int x);

int caller(int x) {
#if DROP_THE_RESULT
    may_fail(x);
    return 0;
#else
    return may_fail(x).has_value() ? 1 : 0;
#endif
}
