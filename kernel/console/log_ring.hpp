// The log's record ring: a fixed array of slots that any number of writers
// (CPUs, interrupt handlers on them) fill without a lock, overwriting the
// oldest records, while readers pick records out by sequence number and learn
// when the ones they wanted were overwritten ("lost") before they got there.
// Pure (no kernel dependency), so the host tests drive it from real threads.
//
// A record is one slot: its sequence number, the time, the CPU, the level,
// flags and up to kRecordTextBytes of text. A writer takes consecutive
// sequence numbers with one atomic add (one per slot its text needs), so the
// pieces of one long line are adjacent in the ring. Record s lives in slot
// s % kSlots, whose tag word says which record is there and whether it is
// complete:
//
//   tag = (s + 1) << 2 | state          state: kEmpty, kWriting, kCommitted
//
// A writer claims its slot by compare-and-swap of the tag, copies the record
// in and publishes it (the same protocol as a sequence lock, with the slot's
// tag as the sequence). A reader copies a committed slot and checks the tag
// again afterwards: a changed tag means a writer overwrote the slot meanwhile.
// Payload words are relaxed atomics and fences order them against the tag,
// so there is no data race, only detected overwrites.
//
// Never blocks: a writer that finds its slot still being written by the
// writer of the previous lap (which can only be stuck: stopped by a panic,
// interrupted by an NMI while copying, or a host thread the OS preempted)
// waits a bounded number of spins, then drops its record: it notes the
// sequence in the slot's `dropped` word, which the stuck writer never
// touches, so readers skip it at once, and counts it. A reader never waits:
// a record not yet committed reads as kNotYet, one whose slot was reused or
// whose writer dropped it as kLost, with the oldest sequence still worth
// asking for.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/string_view.hpp"

namespace klog {

enum class Level : uint8_t { kDebug, kInfo, kWarn, kError };

// What a record is, beyond its text.
namespace record_flags {
inline constexpr uint8_t kRaw = 1u << 0;           // klog::print/write text: shown as is, no prefix or newline
inline constexpr uint8_t kHasTime = 1u << 1;       // timestamp_ns is valid (a clock existed)
inline constexpr uint8_t kContinued = 1u << 2;     // the next record carries the rest of this line
inline constexpr uint8_t kContinuation = 1u << 3;  // this record carries the rest of the previous one's line
}  // namespace record_flags

inline constexpr size_t kRecordTextBytes = 224;  // a 256-byte slot minus its four header words

struct Record {
    uint64_t sequence = 0;
    uint64_t timestamp_ns = 0;  // since boot, when flags has kHasTime
    uint32_t cpu = 0;           // index of the CPU that wrote it
    Level level = Level::kInfo;
    uint8_t flags = 0;
    uint16_t length = 0;  // bytes of text used
    char text[kRecordTextBytes] = {};

    lib::StringView view() const { return lib::StringView(text, length); }
    bool raw() const { return flags & record_flags::kRaw; }
};

// What a writer says about the record(s) it appends.
struct RecordMeta {
    uint64_t timestamp_ns = 0;
    uint32_t cpu = 0;
    Level level = Level::kInfo;
    // kRaw, kHasTime; kContinuation (the first piece continues an earlier
    // append) and kContinued (the last piece is continued by a later one)
    // for a line appended in several parts. The ring adds both between the
    // pieces of one append.
    uint8_t flags = 0;
};

enum class ReadStatus : uint8_t {
    kOk,      // the record is in `record`
    kNotYet,  // not written yet (or still being written): ask again later
    kLost,    // overwritten (or dropped by its writer): continue at `next`
};

struct ReadResult {
    ReadStatus status;
    uint64_t next;  // the sequence to read next
};

template <size_t kSlots>
class LogRing {
    static_assert(kSlots >= 2 && (kSlots & (kSlots - 1)) == 0, "slot count must be a power of two");

public:
    // How long a writer waits for the previous lap's writer of its slot
    // (PAUSE spins) before dropping its own record.
    static constexpr uint64_t kClaimPatienceSpins = uint64_t(1) << 16;

    constexpr LogRing() = default;
    LogRing(const LogRing&) = delete;
    LogRing& operator=(const LogRing&) = delete;

    // Appends `text` as one record, or as several consecutive ones (marked
    // kContinued/kContinuation) if it is longer than kRecordTextBytes; an
    // empty text still makes one record. Returns the first sequence number.
    // Callable from any context; never waits for a reader.
    uint64_t append(const RecordMeta& meta, lib::StringView text) {
        size_t pieces = text.size() == 0 ? 1 : (text.size() + kRecordTextBytes - 1) / kRecordTextBytes;
        uint64_t first = __atomic_fetch_add(&head_, pieces, __ATOMIC_ACQ_REL);
        for (size_t i = 0; i < pieces; ++i) {
            size_t offset = i * kRecordTextBytes;
            size_t length = text.size() - offset < kRecordTextBytes ? text.size() - offset : kRecordTextBytes;
            uint8_t flags = uint8_t(meta.flags & (record_flags::kRaw | record_flags::kHasTime));
            if (i > 0 || (meta.flags & record_flags::kContinuation)) flags |= record_flags::kContinuation;
            if (i + 1 < pieces || (meta.flags & record_flags::kContinued)) flags |= record_flags::kContinued;
            write_slot(first + i, meta, flags, text.data() + offset, length);
        }
        return first;
    }

    // Reads record `sequence`. Never waits.
    ReadResult read(uint64_t sequence, Record& record) const {
        const uint64_t head = __atomic_load_n(&head_, __ATOMIC_ACQUIRE);
        if (sequence >= head) return {ReadStatus::kNotYet, sequence};
        if (head - sequence > kSlots) return {ReadStatus::kLost, head - kSlots};
        const Slot& slot = slots_[sequence % kSlots];
        const uint64_t generation = sequence + 1;
        const uint64_t tag = __atomic_load_n(&slot.tag, __ATOMIC_ACQUIRE);
        if ((tag >> 2) > generation) return {ReadStatus::kLost, lost_resume(sequence)};
        if ((tag >> 2) < generation || (tag & 3) != kCommitted) {
            if (__atomic_load_n(&slot.dropped, __ATOMIC_ACQUIRE) == generation)
                return {ReadStatus::kLost, lost_resume(sequence)};
            return {ReadStatus::kNotYet, sequence};
        }

        uint64_t words[kTextWords];
        const uint64_t timestamp = __atomic_load_n(&slot.timestamp_ns, __ATOMIC_RELAXED);
        const uint64_t packed = __atomic_load_n(&slot.meta, __ATOMIC_RELAXED);
        for (size_t i = 0; i < kTextWords; ++i) words[i] = __atomic_load_n(&slot.text[i], __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&slot.tag, __ATOMIC_RELAXED) != tag) return {ReadStatus::kLost, lost_resume(sequence)};

        record.sequence = sequence;
        record.timestamp_ns = timestamp;
        record.cpu = uint32_t(packed);
        record.level = Level(uint8_t(packed >> 32));
        record.flags = uint8_t(packed >> 40);
        uint16_t length = uint16_t(packed >> 48);
        record.length = length <= kRecordTextBytes ? length : kRecordTextBytes;
        __builtin_memcpy(record.text, words, kRecordTextBytes);
        return {ReadStatus::kOk, sequence + 1};
    }

    // The sequence the next record will get.
    uint64_t next_sequence() const { return __atomic_load_n(&head_, __ATOMIC_ACQUIRE); }
    // The oldest sequence that may still be in the ring.
    uint64_t first_sequence() const {
        uint64_t head = next_sequence();
        return head > kSlots ? head - kSlots : 0;
    }
    // Records whose writer gave up (see above).
    uint64_t dropped() const { return __atomic_load_n(&dropped_, __ATOMIC_RELAXED); }

    static constexpr size_t capacity() { return kSlots; }

private:
    static constexpr uint64_t kEmpty = 0, kWriting = 1, kCommitted = 2;
    static constexpr size_t kTextWords = kRecordTextBytes / 8;
    static_assert(kRecordTextBytes % 8 == 0);

    struct alignas(64) Slot {
        uint64_t tag;
        uint64_t dropped;  // generation of a record its writer gave up on (see above)
        uint64_t timestamp_ns;
        uint64_t meta;  // cpu (bits 0-31), level (32-39), flags (40-47), length (48-63)
        uint64_t text[kTextWords];
    };
    static_assert(sizeof(Slot) == 256);

    uint64_t lost_resume(uint64_t sequence) const {
        uint64_t first = first_sequence();
        return first > sequence + 1 ? first : sequence + 1;
    }

    void write_slot(uint64_t sequence, const RecordMeta& meta, uint8_t flags, const char* text, size_t length) {
        Slot& slot = slots_[sequence % kSlots];
        const uint64_t generation = sequence + 1;
        uint64_t tag = __atomic_load_n(&slot.tag, __ATOMIC_ACQUIRE);
        uint64_t spins = 0;
        for (;;) {
            // A later lap already holds the slot: this record is older than
            // anything the ring keeps (its writer was held up for a whole lap).
            if ((tag >> 2) >= generation) return drop(slot, generation);
            if ((tag & 3) == kWriting) {
                if (++spins > kClaimPatienceSpins) return drop(slot, generation);
                pause();
                tag = __atomic_load_n(&slot.tag, __ATOMIC_ACQUIRE);
                continue;
            }
            if (__atomic_compare_exchange_n(&slot.tag, &tag, generation << 2 | kWriting, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                break;
        }
        // The claim is ordered before the payload stores, so a reader that
        // sees any of them also sees the tag change (sequence-lock writer).
        __atomic_thread_fence(__ATOMIC_RELEASE);
        uint64_t words[kTextWords] = {};
        __builtin_memcpy(words, text, length);
        __atomic_store_n(&slot.timestamp_ns, meta.timestamp_ns, __ATOMIC_RELAXED);
        __atomic_store_n(&slot.meta,
                         uint64_t(meta.cpu) | uint64_t(uint8_t(meta.level)) << 32 | uint64_t(flags) << 40 |
                             uint64_t(length) << 48,
                         __ATOMIC_RELAXED);
        for (size_t i = 0; i < kTextWords; ++i) __atomic_store_n(&slot.text[i], words[i], __ATOMIC_RELAXED);
        __atomic_store_n(&slot.tag, generation << 2 | kCommitted, __ATOMIC_RELEASE);
    }

    void drop(Slot& slot, uint64_t generation) {
        __atomic_store_n(&slot.dropped, generation, __ATOMIC_RELEASE);
        __atomic_fetch_add(&dropped_, 1, __ATOMIC_RELAXED);
    }
    static void pause() { asm volatile("pause" ::: "memory"); }

    alignas(64) uint64_t head_ = 0;
    uint64_t dropped_ = 0;
    Slot slots_[kSlots] = {};
};

}  // namespace klog
