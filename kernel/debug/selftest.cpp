// The deliberate failures of selftest.hpp. Each trigger is its own
// out-of-line function, so the backtrace names it.
#include "kernel/debug/selftest.hpp"

#include <stddef.h>
#include <stdint.h>

#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace debug {
namespace selftest {

[[gnu::noinline]] void trigger_panic() { PANIC("selftest: deliberate panic (code {})", 42); }

[[gnu::noinline]] int trigger_ubsan() {
    // volatile: the compiler must not fold the overflow away at compile time.
    volatile int32_t value = INT32_MAX;
    int32_t sum = value + 1;  // signed overflow: __ubsan_handle_add_overflow
    return sum;
}

// More undefined behaviour, one kind each, so that every common handler's
// data layout is checked against what clang really emits (selftest=ubsan-*).
// Operands come through volatiles so nothing is decided at compile time.
[[gnu::noinline]] int trigger_ubsan_shift() {
    volatile int amount = 40;
    return 1 << amount;
}

[[gnu::noinline]] int trigger_ubsan_bounds() {
    int table[4] = {1, 2, 3, 4};
    volatile int index = 4;
    return table[index];
}

[[gnu::noinline]] int trigger_ubsan_null() {
    int* volatile pointer = nullptr;
    return *pointer;
}

[[gnu::noinline]] int trigger_ubsan_misaligned() {
    alignas(8) char bytes[16] = {};
    volatile uintptr_t address = reinterpret_cast<uintptr_t>(bytes) + 1;
    return *reinterpret_cast<int*>(address);
}

[[gnu::noinline]] bool trigger_ubsan_bool() {
    volatile uint8_t raw = 7;
    bool value;
    __builtin_memcpy(&value, const_cast<uint8_t*>(&raw), 1);
    return value;
}

// Writes past the end of a local array through a volatile pointer (which
// neither the optimizer nor the bounds sanitizer can see through), over the
// canary the stack protector placed above it; the check before return calls
// __stack_chk_fail.
[[gnu::noinline]] void trigger_stack_smash(size_t overrun) {
    char buffer[16];
    volatile char* cursor = buffer;
    for (size_t i = 0; i < sizeof buffer + overrun; ++i) cursor[i] = 'A';
    asm volatile("" : : "r"(buffer) : "memory");
}

// The stop-other-CPUs hook runs inside the panic handler: a panic there is
// a panic within a panic, which must print one line and stop, not recurse.
[[noreturn]] void panic_inside_hook() { PANIC("selftest: panic inside the panic handler"); }

[[gnu::noinline]] void trigger_nested_panic() {
    set_stop_other_cpus_hook(panic_inside_hook);
    PANIC("selftest: outer panic");
}

// What an exception handler does with the interrupted code's saved state:
// the report must show these registers and start the backtrace at their RIP.
[[gnu::noinline]] void trigger_saved_registers_panic() {
    arch::InterruptFrame saved;
    arch_capture_registers(&saved);
    PANIC_WITH_REGISTERS(saved, "selftest: panic with saved registers");
}

// One past the end of a Span: lib's bounds check must stop the kernel.
[[gnu::noinline]] int trigger_span_out_of_range() {
    static int values[4] = {1, 2, 3, 4};
    volatile size_t index = 4;
    lib::Span<int> span(values);
    return span[index];
}

// The value of a failed Expected: lib's accessor check must stop the kernel.
[[gnu::noinline]] int trigger_value_of_error() {
    lib::Expected<int> failed = lib::Error::make(lib::Errno::kENOENT, "selftest: nothing here");
    return failed.value();
}

}  // namespace selftest

void run_selftest(lib::StringView what) {
    klog::print("selftest: {}\n", what);
    set_test_mode(true);
    if (what == "panic") {
        selftest::trigger_panic();
    } else if (what == "ubsan") {
#if defined(KERNEL_UBSAN)
        int result = selftest::trigger_ubsan();
        PANIC("selftest ubsan: the overflow was not caught (result {})", result);
#else
        PANIC("selftest ubsan: this kernel was built without its UBSan runtime (KERNEL_UBSAN=OFF)");
#endif
    } else if (what.starts_with("ubsan-")) {
#if defined(KERNEL_UBSAN)
        lib::StringView kind = what.substr(6);
        int result = 0;
        if (kind == "shift") result = selftest::trigger_ubsan_shift();
        else if (kind == "bounds") result = selftest::trigger_ubsan_bounds();
        else if (kind == "null") result = selftest::trigger_ubsan_null();
        else if (kind == "misaligned") result = selftest::trigger_ubsan_misaligned();
        else if (kind == "bool") result = selftest::trigger_ubsan_bool();
        else PANIC("selftest: unknown ubsan selftest '{}' (known: shift, bounds, null, misaligned, bool)", kind);
        PANIC("selftest {}: the undefined behaviour was not caught (result {})", what, result);
#else
        PANIC("selftest {}: this kernel was built without its UBSan runtime (KERNEL_UBSAN=OFF)", what);
#endif
    } else if (what == "stack") {
        // 16 bytes past the end reach the canary directly above the array but
        // stop short of the saved frame pointer, so the backtrace stays whole.
        selftest::trigger_stack_smash(16);
        PANIC("selftest stack: the overrun was not caught");
    } else if (what == "nested") {
        selftest::trigger_nested_panic();
    } else if (what == "registers") {
        selftest::trigger_saved_registers_panic();
    } else if (what == "span") {
        int value = selftest::trigger_span_out_of_range();
        PANIC("selftest span: the index past the end was not caught (read {})", value);
    } else if (what == "expected") {
        int value = selftest::trigger_value_of_error();
        PANIC("selftest expected: the value of an error was not caught (read {})", value);
    }
    PANIC("selftest: unknown selftest '{}' (known: panic, ubsan, stack, nested, registers, span, expected)", what);
}

}  // namespace debug
