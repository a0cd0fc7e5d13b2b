// klog: prefixes, level filter, colours and the log lock; see log.hpp.
#include "kernel/console/log.hpp"

#include "kernel/console/console.hpp"
#include "kernel/console/log_prefix.hpp"
#include "kernel/sync/spinlock.hpp"

namespace klog {
namespace {

// The log lock covers a whole line. It is taken and released in two
// different functions (begin_line/end_line, so that the variadic template in
// the header stays small), hence try_lock_for()/unlock() here, not a guard.
constinit ksync::Spinlock g_log_lock;
constinit uint8_t g_min_level = static_cast<uint8_t>(Level::kDebug);  // a Level
constinit uint64_t (*g_clock)() = nullptr;
constinit bool g_panic_mode = false;
// As for the console lock (console.cpp): wait long, but never forever, so a
// fault handler that logs while its CPU was inside klog still gets its line out.
constexpr uint64_t kLockPatienceSpins = uint64_t(1) << 28;

}  // namespace

void set_level(Level level) {
    __atomic_store_n(&g_min_level, static_cast<uint8_t>(level), __ATOMIC_RELAXED);
}
Level level() {
    return static_cast<Level>(__atomic_load_n(&g_min_level, __ATOMIC_RELAXED));
}

void set_clock(uint64_t (*nanoseconds_since_boot)()) {
    __atomic_store_n(&g_clock, nanoseconds_since_boot, __ATOMIC_RELEASE);
}

void enter_panic_mode() {
    __atomic_store_n(&g_panic_mode, true, __ATOMIC_RELEASE);
    console::enter_panic_mode();
}

namespace detail {

void LineSink::flush() {
    if (used_ == 0) return;
    console::write(lib::StringView(buffer_, used_));
    used_ = 0;
}

LineToken begin_line(Level level, bool with_prefix, LineSink& sink) {
    LineToken token{};
    token.level = level;
    if (with_prefix && level < klog::level()) return token;
    token.emit = true;
    if (!__atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE))
        token.lock_held = g_log_lock.try_lock_for(token.interrupts_were_enabled, kLockPatienceSpins);
    if (with_prefix) {
        auto clock = __atomic_load_n(&g_clock, __ATOMIC_ACQUIRE);
        write_prefix(sink, level, clock != nullptr, clock ? clock() : 0);
    }
    return token;
}

void end_line(const LineToken& token, bool with_newline, LineSink& sink) {
    if (with_newline) write_suffix(sink, token.level);
    sink.flush();
    if (token.lock_held) g_log_lock.unlock(token.interrupts_were_enabled);
}

}  // namespace detail

void write(lib::StringView text) {
    if (__atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE)) {
        console::write(text);
        return;
    }
    ksync::BoundedGuard guard(g_log_lock, kLockPatienceSpins);
    console::write(text);
}

}  // namespace klog
