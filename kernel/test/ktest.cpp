// The in-kernel test runner; see ktest.hpp.
#include "kernel/test/ktest.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/qemu_exit.hpp"
#include "kernel/console/log.hpp"
#include "kernel/debug/panic.hpp"
#include "lib/span.hpp"

extern "C" const ktest::Case __ktest_start[];
extern "C" const ktest::Case __ktest_end[];

namespace ktest {
namespace {

// Suites whose name starts with this fail on purpose (they prove that the
// harness notices failure) and run only when named explicitly.
constexpr lib::StringView kDemoFailPrefix = "demo_fail";

const Case* g_current = nullptr;
bool g_current_failed = false;
bool g_current_skipped = false;
size_t g_passed = 0;
size_t g_failed = 0;
size_t g_skipped = 0;

lib::Span<const Case> all_cases() {
    return lib::Span<const Case>(__ktest_start, size_t(__ktest_end - __ktest_start));
}

// "suite" or "suite.case" naming this case?
bool token_matches(lib::StringView token, const Case& test) {
    lib::StringView suite(test.suite);
    if (token == suite) return true;
    size_t dot = token.find('.');
    return dot != lib::StringView::npos && token.substr(0, dot) == suite && token.substr(dot + 1) == test.name;
}

// Calls visit(token) for each non-empty comma-separated item.
template <typename Visit>
void for_each_token(lib::StringView selection, Visit visit) {
    size_t start = 0;
    while (start <= selection.size()) {
        size_t comma = selection.find(',', start);
        size_t end = comma == lib::StringView::npos ? selection.size() : comma;
        lib::StringView token = selection.substr(start, end - start).trimmed();
        if (!token.empty()) visit(token);
        start = end + 1;
    }
}

bool selected(lib::StringView selection, const Case& test) {
    bool chosen = false;
    for_each_token(selection, [&](lib::StringView token) {
        if (token == "all") chosen = chosen || !lib::StringView(test.suite).starts_with(kDemoFailPrefix);
        else chosen = chosen || token_matches(token, test);
    });
    return chosen;
}

// Every token must name something: a typo must fail the run, not pass it
// by running nothing.
bool selection_is_valid(lib::StringView selection) {
    bool valid = true;
    bool any = false;
    for_each_token(selection, [&](lib::StringView token) {
        any = true;
        if (token == "all") return;
        for (const Case& test : all_cases())
            if (token_matches(token, test)) return;
        klog::print("tests: no suite named '{}'\n", token);
        valid = false;
    });
    if (!any) klog::print("tests: empty test selection\n");
    return valid && any;
}

// The line the harness parses (tests/scenario/scenarios.py: ALL_PASSED).
void print_summary(size_t passed, size_t failed) {
    klog::print("tests: {} passed, {} failed, {} skipped\n", passed, failed, g_skipped);
}

// A panic inside a case ends the run (test mode exits QEMU with kFail); the
// panic report is followed by the case's [ FAIL ] line and the summary, so
// the log reads like any other failed run.
void report_panic_in_test() {
    if (g_current == nullptr) return;
    klog::print("[ FAIL ] {}.{}: panicked\n", g_current->suite, g_current->name);
    print_summary(g_passed, g_failed + 1);
}

[[noreturn]] void finish(bool passed) {
    klog::flush();
    arch::qemu_exit(passed ? arch::QemuExitCode::kPass : arch::QemuExitCode::kFail);
    // Real hardware (or no isa-debug-exit): the summary above is the result.
    arch::halt_forever();
}

}  // namespace

namespace detail {

void fail(const char* file, uint32_t line, lib::StringView message) {
    g_current_failed = true;
    const char* suite = g_current ? g_current->suite : "?";
    const char* name = g_current ? g_current->name : "?";
    klog::print("[ FAIL ] {}.{}: {}:{}: {}\n", suite, name, debug::short_source_path(file), line, message);
}

void skip(lib::StringView reason) {
    g_current_skipped = true;
    const char* suite = g_current ? g_current->suite : "?";
    const char* name = g_current ? g_current->name : "?";
    klog::print("[ SKIP ] {}.{}: {}\n", suite, name, reason);
}

}  // namespace detail

namespace {

bool g_started = false;
lib::StringView g_ran_early;  // the suite run_early() already ran, if any

// Prints the header once and rejects a bad selection before any case runs.
void start(lib::StringView selection) {
    if (g_started) return;
    g_started = true;
    debug::set_test_mode(true);
    debug::set_panic_notifier(report_panic_in_test);
    klog::print("tests: running '{}' ({} cases registered)\n", selection, all_cases().size());
    if (!selection_is_valid(selection)) finish(false);
}

void run_case(const Case& test) {
    g_current = &test;
    g_current_failed = false;
    g_current_skipped = false;
    klog::print("[ RUN  ] {}.{}\n", test.suite, test.name);
    // Each case starts with the interrupt flag the run started with, and
    // one that leaves interrupts off does not change what the next sees.
    const bool interrupts_were_enabled = arch::interrupts_enabled();
    test.function();
    if (interrupts_were_enabled) arch::sti();
    else arch::cli();
    // A case that failed a check before it skipped has failed.
    if (g_current_failed) {
        ++g_failed;
    } else if (g_current_skipped) {
        ++g_skipped;
    } else {
        ++g_passed;
        klog::print("[  OK  ] {}.{}\n", test.suite, test.name);
    }
    g_current = nullptr;
}

}  // namespace

void run_early(lib::StringView selection, lib::StringView suite) {
    bool any = false;
    for (const Case& test : all_cases()) any = any || (lib::StringView(test.suite) == suite && selected(selection, test));
    if (!any) return;
    start(selection);
    for (const Case& test : all_cases())
        if (lib::StringView(test.suite) == suite && selected(selection, test)) run_case(test);
    g_ran_early = suite;
}

void run(lib::StringView selection) {
    start(selection);
    for (const Case& test : all_cases()) {
        if (!selected(selection, test)) continue;
        if (!g_ran_early.empty() && lib::StringView(test.suite) == g_ran_early) continue;
        run_case(test);
    }
    print_summary(g_passed, g_failed);
    finish(g_failed == 0);
}

}  // namespace ktest
