// Host tests of the log ring (log_ring.hpp): records round-trip, long text
// splits into adjacent pieces, the ring wraps keeping the newest, a lagging
// reader is told what it lost, and real threads appending at once while a
// reader follows never produce a torn, duplicated or missing record.
#include "kernel/console/log_ring.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using klog::Level;
using klog::ReadStatus;
using klog::Record;
using klog::RecordMeta;
namespace flags = klog::record_flags;

RecordMeta meta(uint32_t cpu, uint64_t time, Level level = Level::kInfo, uint8_t extra = 0) {
    RecordMeta m;
    m.cpu = cpu;
    m.timestamp_ns = time;
    m.level = level;
    m.flags = extra;
    return m;
}

lib::StringView view(const std::string& text) {
    return lib::StringView(text.data(), text.size());
}

std::string text_of(const Record& record) {
    return std::string(record.text, record.length);
}

// The text writer `writer` gives its record number `n`: self-describing, so
// a reader can tell a torn or mixed-up record from a good one. Lengths vary
// from a few bytes to a full slot.
std::string pattern(uint32_t writer, uint64_t n) {
    std::string text = "w" + std::to_string(writer) + ":" + std::to_string(n) + ":";
    size_t length = 20 + (n * 37 + writer * 11) % (klog::kRecordTextBytes - 20);
    while (text.size() < length) text.push_back(char('a' + (n + writer + text.size()) % 26));
    return text;
}

TEST(LogRing, RecordRoundTrips) {
    auto ring = std::make_unique<klog::LogRing<8>>();
    EXPECT_EQ(ring->next_sequence(), 0u);
    uint64_t first = ring->append(meta(3, 12345, Level::kWarn, flags::kHasTime), "hello");
    EXPECT_EQ(first, 0u);
    EXPECT_EQ(ring->append(meta(1, 7, Level::kDebug, flags::kRaw), "raw text\n"), 1u);

    Record record;
    auto result = ring->read(0, record);
    ASSERT_EQ(result.status, ReadStatus::kOk);
    EXPECT_EQ(result.next, 1u);
    EXPECT_EQ(record.sequence, 0u);
    EXPECT_EQ(record.cpu, 3u);
    EXPECT_EQ(record.timestamp_ns, 12345u);
    EXPECT_EQ(record.level, Level::kWarn);
    EXPECT_EQ(record.flags, flags::kHasTime);
    EXPECT_EQ(text_of(record), "hello");

    ASSERT_EQ(ring->read(1, record).status, ReadStatus::kOk);
    EXPECT_TRUE(record.raw());
    EXPECT_EQ(record.level, Level::kDebug);
    EXPECT_EQ(text_of(record), "raw text\n");

    // Not written yet.
    EXPECT_EQ(ring->read(2, record).status, ReadStatus::kNotYet);
    EXPECT_EQ(ring->read(1000, record).status, ReadStatus::kNotYet);
}

TEST(LogRing, EmptyTextIsOneRecord) {
    auto ring = std::make_unique<klog::LogRing<4>>();
    ring->append(meta(0, 0), "");
    Record record;
    ASSERT_EQ(ring->read(0, record).status, ReadStatus::kOk);
    EXPECT_EQ(record.length, 0u);
    EXPECT_EQ(ring->next_sequence(), 1u);
}

TEST(LogRing, LongTextSplitsIntoAdjacentPieces) {
    auto ring = std::make_unique<klog::LogRing<8>>();
    std::string text;
    for (size_t i = 0; i < 2 * klog::kRecordTextBytes + 17; ++i) text.push_back(char('A' + i % 23));
    EXPECT_EQ(ring->append(meta(2, 9, Level::kError, flags::kHasTime), view(text)), 0u);
    EXPECT_EQ(ring->next_sequence(), 3u);

    std::string joined;
    Record record;
    for (uint64_t s = 0; s < 3; ++s) {
        ASSERT_EQ(ring->read(s, record).status, ReadStatus::kOk);
        EXPECT_EQ(record.cpu, 2u);
        EXPECT_EQ(record.level, Level::kError);
        EXPECT_TRUE(record.flags & flags::kHasTime);
        EXPECT_EQ(bool(record.flags & flags::kContinuation), s > 0) << s;
        EXPECT_EQ(bool(record.flags & flags::kContinued), s < 2) << s;
        joined += text_of(record);
    }
    EXPECT_EQ(joined, text);
}

TEST(LogRing, ContinuationFlagsFromTheWriterAreKeptAtTheEnds) {
    auto ring = std::make_unique<klog::LogRing<8>>();
    std::string text(klog::kRecordTextBytes + 1, 'x');
    ring->append(meta(0, 0, Level::kInfo, flags::kContinuation | flags::kContinued), view(text));
    Record record;
    ASSERT_EQ(ring->read(0, record).status, ReadStatus::kOk);
    EXPECT_EQ(record.flags, flags::kContinuation | flags::kContinued);
    ASSERT_EQ(ring->read(1, record).status, ReadStatus::kOk);
    EXPECT_EQ(record.flags, flags::kContinuation | flags::kContinued);
    EXPECT_EQ(record.length, 1u);
}

TEST(LogRing, WrapsKeepingTheNewest) {
    auto ring = std::make_unique<klog::LogRing<8>>();
    for (uint64_t n = 0; n < 20; ++n) ring->append(meta(0, n), view(pattern(0, n)));
    EXPECT_EQ(ring->next_sequence(), 20u);
    EXPECT_EQ(ring->first_sequence(), 12u);
    Record record;
    for (uint64_t s = 12; s < 20; ++s) {
        ASSERT_EQ(ring->read(s, record).status, ReadStatus::kOk) << s;
        EXPECT_EQ(record.timestamp_ns, s);
        EXPECT_EQ(text_of(record), pattern(0, s));
    }
    EXPECT_EQ(ring->read(20, record).status, ReadStatus::kNotYet);
    EXPECT_EQ(ring->dropped(), 0u);
}

TEST(LogRing, LaggingReaderIsToldWhatItLostAndWhereToGoOn) {
    auto ring = std::make_unique<klog::LogRing<8>>();
    for (uint64_t n = 0; n < 20; ++n) ring->append(meta(0, n), view(pattern(0, n)));
    Record record;
    auto result = ring->read(0, record);
    EXPECT_EQ(result.status, ReadStatus::kLost);
    EXPECT_EQ(result.next, 12u);
    result = ring->read(11, record);
    EXPECT_EQ(result.status, ReadStatus::kLost);
    EXPECT_EQ(result.next, 12u);
    // A reader that follows `next` reads every record the ring still has.
    uint64_t s = 0, ok = 0, lost = 0;
    while (s < ring->next_sequence()) {
        result = ring->read(s, record);
        if (result.status == ReadStatus::kOk) ++ok;
        else lost += result.next - s;
        s = result.next;
    }
    EXPECT_EQ(ok, 8u);
    EXPECT_EQ(lost, 12u);
}

// Writers on real threads, a reader following them closely through a small
// ring: every sequence is accounted for exactly once (read or lost), every
// record read is intact and each writer's records come in the order it
// wrote them.
TEST(LogRing, ManyWritersAndAFollowingReader) {
    constexpr uint32_t kWriters = 4;
    constexpr uint64_t kPerWriter = 20000;
    auto ring = std::make_unique<klog::LogRing<64>>();
    std::atomic<uint32_t> finished{0};

    std::vector<std::thread> writers;
    for (uint32_t w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            for (uint64_t n = 0; n < kPerWriter; ++n) ring->append(meta(w, n, Level(n % 4)), view(pattern(w, n)));
            finished.fetch_add(1);
        });
    }

    uint64_t ok = 0, lost = 0, bad = 0, out_of_order = 0;
    int64_t last_seen[kWriters];
    for (auto& n : last_seen) n = -1;
    uint64_t s = 0;
    Record record;
    for (;;) {
        bool done = finished.load() == kWriters;
        auto result = ring->read(s, record);
        if (result.status == ReadStatus::kNotYet) {
            if (done && s >= ring->next_sequence()) break;
            std::this_thread::yield();
            continue;
        }
        if (result.status == ReadStatus::kLost) {
            ASSERT_GT(result.next, s);
            lost += result.next - s;
            s = result.next;
            continue;
        }
        ++ok;
        s = result.next;
        uint32_t w = record.cpu;
        uint64_t n = record.timestamp_ns;
        if (w >= kWriters || record.level != Level(n % 4) || text_of(record) != pattern(w, n)) {
            ++bad;
            continue;
        }
        if (int64_t(n) <= last_seen[w]) ++out_of_order;
        last_seen[w] = int64_t(n);
    }
    for (auto& t : writers) t.join();

    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(out_of_order, 0u);
    EXPECT_EQ(ok + lost, kWriters * kPerWriter);
    EXPECT_EQ(ring->next_sequence(), kWriters * kPerWriter);
    // A writer thread the OS preempts in the middle of a record holds its
    // slot: the writers of the next lap give up on theirs after a while.
    // Those records are counted as dropped and the reader skipped them as lost.
    EXPECT_LE(ring->dropped(), lost);
    EXPECT_GT(ok, 0u);
}

// Appends that race each other land in distinct slots: with room for all of
// them, every record of every writer is there afterwards, exactly once, and
// the pieces of each long line stay adjacent.
TEST(LogRing, ConcurrentAppendsAllArriveAndLongLinesStayWhole) {
    constexpr uint32_t kWriters = 4;
    constexpr uint64_t kLines = 100;  // each 3 pieces: 1200 records in 2048 slots
    auto ring = std::make_unique<klog::LogRing<2048>>();
    auto long_line = [](uint32_t w, uint64_t n) {
        std::string text = pattern(w, n);
        while (text.size() < 2 * klog::kRecordTextBytes + 50) text += pattern(w, n + text.size());
        text.resize(2 * klog::kRecordTextBytes + 50);
        return text;
    };
    std::vector<std::thread> writers;
    for (uint32_t w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] {
            for (uint64_t n = 0; n < kLines; ++n) ring->append(meta(w, n), view(long_line(w, n)));
        });
    for (auto& t : writers) t.join();

    ASSERT_EQ(ring->next_sequence(), kWriters * kLines * 3);
    std::vector<std::vector<int>> seen(kWriters, std::vector<int>(kLines, 0));
    Record record;
    for (uint64_t s = 0; s < ring->next_sequence();) {
        ASSERT_EQ(ring->read(s, record).status, ReadStatus::kOk);
        ASSERT_FALSE(record.flags & flags::kContinuation) << "a line must start at " << s;
        uint32_t w = record.cpu;
        uint64_t n = record.timestamp_ns;
        ASSERT_LT(w, kWriters);
        ASSERT_LT(n, kLines);
        std::string joined = text_of(record);
        while (record.flags & flags::kContinued) {
            ++s;
            ASSERT_EQ(ring->read(s, record).status, ReadStatus::kOk);
            ASSERT_TRUE(record.flags & flags::kContinuation);
            ASSERT_EQ(record.cpu, w);
            joined += text_of(record);
        }
        ++s;
        EXPECT_EQ(joined, long_line(w, n));
        ++seen[w][n];
    }
    for (uint32_t w = 0; w < kWriters; ++w)
        for (uint64_t n = 0; n < kLines; ++n) EXPECT_EQ(seen[w][n], 1) << w << " " << n;
}

}  // namespace
