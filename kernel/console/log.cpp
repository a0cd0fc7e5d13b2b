// klog: records into the ring, the drain to the consoles, the panic path;
// see log.hpp.
#include "kernel/console/log.hpp"

#include "kernel/console/console.hpp"
#include "kernel/console/log_prefix.hpp"
#include "lib/x86_64/instructions.hpp"
#include "lib/x86_64/registers.hpp"

namespace klog {
namespace {

// 512 records of up to 232 bytes (128 KiB): the whole boot and more, and
// room for bursts from interrupt handlers between two drains.
constexpr size_t kRingSlots = 512;
constinit LogRing<kRingSlots> g_ring;

constinit uint8_t g_min_level = static_cast<uint8_t>(Level::kDebug);  // a Level
constinit uint64_t (*g_clock)() = nullptr;
constinit uint32_t (*g_current_cpu)() = nullptr;
constinit void (*g_pending_hook)() = nullptr;
constinit bool g_panic_mode = false;
constinit bool g_defer_with_interrupts_off = false;
constinit uint64_t g_deferred = 0;  // records left for a later drain

// The drain: one CPU at a time (g_draining), which owns the rest.
constinit bool g_draining = false;
constinit uint64_t g_printed = 0;       // the next sequence to show
constinit bool g_line_open = false;     // the last record shown is continued by the next
constinit uint64_t g_lost_unprinted = 0;

bool interrupts_enabled() {
    return (x86_64::read_rflags() & x86_64::rflags::kInterruptEnable) != 0;
}

bool shown(const Record& record) {
    return record.raw() || uint8_t(record.level) >= __atomic_load_n(&g_min_level, __ATOMIC_RELAXED);
}

// Text straight to the consoles, in chunks from a small stack buffer (the
// panic path: no ring, no lock).
class ConsoleSink {
public:
    void put(char c) {
        if (used_ == sizeof buffer_) flush();
        buffer_[used_++] = c;
    }
    void flush() {
        if (used_) console::write(lib::StringView(buffer_, used_));
        used_ = 0;
    }

private:
    char buffer_[128];
    size_t used_ = 0;
};

void show(const Record& record) {
    char text[kRecordTextBytes + 64];
    size_t length = format_record(record, text, sizeof text);
    console::write(lib::StringView(text, length));
}

void show_lost(uint64_t count) {
    if (g_line_open) console::write("\n");
    g_line_open = false;
    char text[96];
    size_t length =
        lib::format(text, sizeof text, "\x1b[93mklog: {} records lost (overwritten before shown)\x1b[0m\n", count);
    console::write(lib::StringView(text, length < sizeof text ? length : sizeof text - 1));
}

// Shows records from g_printed on, until one is not complete yet. In panic
// mode a record that is not complete is skipped (its writer may be stopped
// for good) up to the ring's head. Runs as the drain owner, or in panic mode.
void show_pending(bool panic) {
    uint64_t lost = 0;
    for (;;) {
        Record record;
        ReadResult result = g_ring.read(g_printed, record);
        if (result.status == ReadStatus::kNotYet) {
            if (!panic || g_printed >= g_ring.next_sequence()) break;
            result = {ReadStatus::kLost, g_printed + 1};
        }
        if (result.status == ReadStatus::kLost) {
            lost += result.next - g_printed;
            g_printed = result.next;
            continue;
        }
        if (lost) {
            __atomic_fetch_add(&g_lost_unprinted, lost, __ATOMIC_RELAXED);
            show_lost(lost);
            lost = 0;
        }
        if (shown(record)) {
            show(record);
            g_line_open = !record.raw() && (record.flags & record_flags::kContinued);
        }
        __atomic_store_n(&g_printed, result.next, __ATOMIC_RELEASE);
    }
    if (lost) {
        __atomic_fetch_add(&g_lost_unprinted, lost, __ATOMIC_RELAXED);
        show_lost(lost);
    }
}

// Whether the next record to show is complete (or lost): worth a drain.
bool next_is_ready() {
    Record record;
    return g_ring.read(__atomic_load_n(&g_printed, __ATOMIC_ACQUIRE), record).status != ReadStatus::kNotYet;
}

void print_direct(Level level, uint8_t flags, lib::StringView text) {
    ConsoleSink sink;
    const bool leveled = !(flags & record_flags::kRaw);
    if (leveled && !(flags & record_flags::kContinuation)) {
        auto clock = __atomic_load_n(&g_clock, __ATOMIC_ACQUIRE);
        detail::write_prefix(sink, level, clock != nullptr, clock ? clock() : 0);
    }
    for (char c : text) sink.put(c);
    if (leveled && !(flags & record_flags::kContinued)) detail::write_suffix(sink, level);
    sink.flush();
}

// Records logged but not shown yet.
uint64_t backlog() {
    return g_ring.next_sequence() - __atomic_load_n(&g_printed, __ATOMIC_ACQUIRE);
}

// A writer that may print, while another CPU prints: if that one falls far
// behind (the ring half full of records it has not shown), the writer
// waits for it (and takes over when it is done) rather than overwrite
// them. Bounded: a printer that died must not stop the others for good.
void keep_pace() {
    constexpr uint64_t kPatienceSpins = uint64_t(1) << 24;
    for (uint64_t spins = 0; backlog() > kRingSlots / 2 && spins < kPatienceSpins; ++spins) {
        x86_64::pause();
        drain();
    }
}

void record(Level level, uint8_t flags, lib::StringView text) {
    if (__atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE)) {
        print_direct(level, flags, text);
        return;
    }
    RecordMeta meta;
    meta.level = level;
    meta.flags = flags;
    auto clock = __atomic_load_n(&g_clock, __ATOMIC_ACQUIRE);
    if (clock) {
        meta.timestamp_ns = clock();
        meta.flags |= record_flags::kHasTime;
    }
    auto cpu = __atomic_load_n(&g_current_cpu, __ATOMIC_ACQUIRE);
    meta.cpu = cpu ? cpu() : 0;

    // Interrupts off from claim to commit, so no handler on this CPU finds
    // its own slot half-written (it would wait for it, see log_ring.hpp).
    const bool interrupts_were_enabled = interrupts_enabled();
    x86_64::cli();
    g_ring.append(meta, text);
    if (interrupts_were_enabled) x86_64::sti();

    if (interrupts_were_enabled || !__atomic_load_n(&g_defer_with_interrupts_off, __ATOMIC_ACQUIRE)) {
        drain();
        keep_pace();
    } else {
        __atomic_fetch_add(&g_deferred, 1, __ATOMIC_RELAXED);
        if (auto hook = __atomic_load_n(&g_pending_hook, __ATOMIC_ACQUIRE)) hook();
    }
}

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
void set_cpu_source(uint32_t (*current_cpu)()) {
    __atomic_store_n(&g_current_cpu, current_cpu, __ATOMIC_RELEASE);
}
void set_output_pending_hook(void (*hook)()) {
    __atomic_store_n(&g_pending_hook, hook, __ATOMIC_RELEASE);
}
void defer_output_with_interrupts_off() {
    __atomic_store_n(&g_defer_with_interrupts_off, true, __ATOMIC_RELEASE);
}

void write(lib::StringView text) {
    record(Level::kError, record_flags::kRaw, text);
}

void drain() {
    if (__atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE)) return;
    for (;;) {
        if (__atomic_exchange_n(&g_draining, true, __ATOMIC_SEQ_CST)) return;  // its owner shows ours too
        show_pending(false);
        __atomic_store_n(&g_draining, false, __ATOMIC_SEQ_CST);
        // A writer that committed while we owned the drain found it taken
        // and left its record to us: look once more after letting go (the
        // fence pairs with the writer's exchange above).
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (!next_is_ready()) return;
    }
}

void flush() {
    // About a second of PAUSE spins: long enough for any drain owner to get
    // through the ring, short enough that a dead one does not stop a reset.
    constexpr uint64_t kPatienceSpins = uint64_t(1) << 26;
    for (uint64_t spins = 0; spins < kPatienceSpins; ++spins) {
        drain();
        if (!output_pending()) return;
        x86_64::pause();
    }
}

bool output_pending() {
    return !__atomic_load_n(&g_panic_mode, __ATOMIC_ACQUIRE) && next_is_ready();
}

void enter_panic_mode() {
    if (__atomic_exchange_n(&g_panic_mode, true, __ATOMIC_ACQ_REL)) return;
    console::enter_panic_mode();
    // The other CPUs are stopped (or the panic CPU is the only one): what
    // the ring holds goes out first, so the report comes last and whole.
    show_pending(true);
}

ReadResult read(uint64_t sequence, Record& record) {
    return g_ring.read(sequence, record);
}
uint64_t first_sequence() {
    return g_ring.first_sequence();
}
uint64_t next_sequence() {
    return g_ring.next_sequence();
}
uint64_t dropped_records() {
    return g_ring.dropped();
}
uint64_t deferred_lines() {
    return __atomic_load_n(&g_deferred, __ATOMIC_RELAXED);
}

uint64_t unprinted_lost_records() {
    return __atomic_load_n(&g_lost_unprinted, __ATOMIC_RELAXED);
}

namespace detail {

void LineSink::commit(bool last) {
    uint8_t flags = raw_ ? record_flags::kRaw : 0;
    if (continuation_) flags |= record_flags::kContinuation;
    if (!last) flags |= record_flags::kContinued;
    record(level_, flags, lib::StringView(buffer_, used_));
    continuation_ = !last;
    used_ = 0;
}

}  // namespace detail
}  // namespace klog
