// The boot's test steps; see hooks.hpp.
#include "kernel/test/hooks.hpp"

#include "kernel/console/log.hpp"

#if KERNEL_CHECKED
#include "kernel/arch/x86_64/init.hpp"
#include "kernel/debug/selftest.hpp"
#include "kernel/test/ktest.hpp"
#endif

namespace ktest {

#if KERNEL_CHECKED

namespace {

// The suite whose checks read what the loader left, before anything changes it.
constexpr lib::StringView kEarlySuite = "boot_protocol";

}  // namespace

bool in_this_kernel() {
    return true;
}

void run_early_tests(const lib::CommandLine& cmdline) {
    if (auto tests = cmdline.find("test"); tests.present) run_early(tests.value, kEarlySuite);
}

void run_fault_test(const lib::CommandLine& cmdline) {
    if (auto fault = cmdline.find("faulttest"); fault.present) arch::run_fault_selftest(fault.value);
}

void run_late_tests(const lib::CommandLine& cmdline) {
    if (auto selftest = cmdline.find("selftest"); selftest.present) debug::run_selftest(selftest.value);
    if (auto tests = cmdline.find("test"); tests.present) run(tests.value);
}

#else

namespace {

void say_not_here(const lib::CommandLine& cmdline, const char* option) {
    if (cmdline.find(option).present)
        klog::warn(
            "{}=: this is the release kernel, which has no tests or test hooks; "
            "they are in the checked kernel (build/esp-test, make run KERNEL=checked)",
            option);
}

}  // namespace

bool in_this_kernel() {
    return false;
}

void run_early_tests(const lib::CommandLine& cmdline) {
    say_not_here(cmdline, "test");
}

void run_fault_test(const lib::CommandLine& cmdline) {
    say_not_here(cmdline, "faulttest");
}

void run_late_tests(const lib::CommandLine& cmdline) {
    say_not_here(cmdline, "selftest");
}

#endif

}  // namespace ktest
