// In-kernel tests of klog on the real CPU: each line becomes a record with
// its level, time, CPU and text that a dmesg-style reader finds by sequence
// number; a line logged by an interrupt handler is left in the ring for a
// drain instead of being printed there; a long line is adjacent pieces.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/console/log.hpp"
#include "kernel/test/ktest.hpp"
#include "lib/string_view.hpp"

namespace {

// Reads records from `from` on until one whose text contains `needle`.
bool find_record(uint64_t from, lib::StringView needle, klog::Record& found) {
    for (uint64_t s = from; s < klog::next_sequence();) {
        klog::ReadResult result = klog::read(s, found);
        if (result.status == klog::ReadStatus::kOk && found.view().find(needle) != lib::StringView::npos) return true;
        if (result.status == klog::ReadStatus::kNotYet) return false;
        s = result.next;
    }
    return false;
}

constexpr uint8_t kTestVector = 0x41;  // free: no device or IPI uses it

// Whether every record gets shown without this CPU asking again: by this
// CPU's own drain, or by another CPU that was printing at the time.
bool shown_soon() {
    for (uint64_t spins = 0; spins < (uint64_t(1) << 26); ++spins) {
        if (!klog::output_pending()) return true;
        arch::pause();
    }
    return false;
}

void log_from_interrupt(arch::InterruptFrame&) {
    klog::info("log test: line from an interrupt handler");
}

}  // namespace

KTEST(log, record_carries_level_time_cpu_and_text) {
    uint64_t before = klog::next_sequence();
    klog::warn("log test: a record with {} and {}", 42, "text");
    KASSERT(klog::next_sequence() == before + 1);
    klog::Record record;
    KASSERT(klog::read(before, record).status == klog::ReadStatus::kOk);
    KEXPECT_EQ(record.sequence, before);
    KEXPECT(record.level == klog::Level::kWarn);
    KEXPECT(!record.raw());
    KEXPECT(record.flags & klog::record_flags::kHasTime);  // the clock is running by now
    KEXPECT_EQ(record.cpu, 0u);                            // the tests run on the boot CPU
    KEXPECT(record.view() == lib::StringView("log test: a record with 42 and text"));
    // Shown now: this code runs with interrupts enabled.
    KEXPECT(shown_soon());
}

KTEST(log, timestamps_do_not_go_backwards) {
    uint64_t first = klog::next_sequence();
    klog::info("log test: first");
    klog::info("log test: second");
    klog::Record a, b;
    KASSERT(klog::read(first, a).status == klog::ReadStatus::kOk);
    KASSERT(klog::read(first + 1, b).status == klog::ReadStatus::kOk);
    KEXPECT_LE(a.timestamp_ns, b.timestamp_ns);
    KEXPECT_LT(a.sequence, b.sequence);
}

KTEST(log, below_the_console_level_is_still_recorded) {
    klog::Level saved = klog::level();
    klog::set_level(klog::Level::kError);
    uint64_t before = klog::next_sequence();
    klog::debug("log test: hidden on the consoles, kept in the ring");
    klog::set_level(saved);
    klog::Record record;
    KASSERT(find_record(before, "kept in the ring", record));
    KEXPECT(record.level == klog::Level::kDebug);
}

KTEST(log, interrupt_handler_line_waits_for_a_drain) {
    KASSERT(arch::set_interrupt_handler(kTestVector, log_from_interrupt));
    uint64_t before = klog::next_sequence();
    uint64_t deferred_before = klog::deferred_lines();
    // The handler runs through an interrupt gate (IF clear): it may not
    // print, so its line is left in the ring for a drain.
    asm volatile("int %0" ::"i"(kTestVector) : "memory");
    KEXPECT_EQ(klog::deferred_lines(), deferred_before + 1);
    klog::Record record;
    KEXPECT(find_record(before, "line from an interrupt handler", record));
    klog::drain();
    KEXPECT(shown_soon());
    KEXPECT(arch::set_interrupt_handler(kTestVector, nullptr));
}

KTEST(log, long_line_is_adjacent_pieces) {
    char text[600];
    for (size_t i = 0; i < sizeof text; ++i) text[i] = char('a' + i % 26);
    uint64_t before = klog::next_sequence();
    klog::info("{}", lib::StringView(text, sizeof text));
    size_t pieces = (sizeof text + klog::kRecordTextBytes - 1) / klog::kRecordTextBytes;
    KASSERT(klog::next_sequence() == before + pieces);
    size_t joined = 0;
    for (size_t i = 0; i < pieces; ++i) {
        klog::Record record;
        KASSERT(klog::read(before + i, record).status == klog::ReadStatus::kOk);
        KEXPECT_EQ(bool(record.flags & klog::record_flags::kContinuation), i > 0);
        KEXPECT_EQ(bool(record.flags & klog::record_flags::kContinued), i + 1 < pieces);
        KEXPECT(record.view() == lib::StringView(text + joined, record.length));
        joined += record.length;
    }
    KEXPECT_EQ(joined, sizeof text);
}

KTEST(log, reader_far_behind_is_told_it_lost_records) {
    // Fill the ring once over with raw empty records (shown as nothing).
    uint64_t start = klog::next_sequence();
    while (klog::first_sequence() <= start) klog::print("");
    klog::Record record;
    klog::ReadResult result = klog::read(start, record);
    KEXPECT(result.status == klog::ReadStatus::kLost);
    KEXPECT_GT(result.next, start);
    KEXPECT_GE(result.next, klog::first_sequence());
    KEXPECT(klog::read(klog::next_sequence(), record).status == klog::ReadStatus::kNotYet);
}
