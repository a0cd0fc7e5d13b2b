// Host tests of the console history ring.
#include "kernel/console/history.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

namespace {

using console::History;

std::string replayed(const History& history) {
    std::string out;
    int pieces = 0;
    history.replay([&](lib::StringView piece) {
        EXPECT_FALSE(piece.empty());
        out.append(piece.data(), piece.size());
        ++pieces;
    });
    EXPECT_LE(pieces, 2);
    return out;
}

void append(History& history, const std::string& text) {
    history.append(lib::StringView(text.data(), text.size()));
}

TEST(History, EmptyReplaysNothing) {
    auto history = std::make_unique<History>();
    EXPECT_EQ(replayed(*history), "");
    EXPECT_EQ(history->size(), 0u);
}

TEST(History, KeepsEverythingUntilFull) {
    auto history = std::make_unique<History>();
    append(*history, "first line\n");
    append(*history, "second, no newline yet");
    EXPECT_EQ(replayed(*history), "first line\nsecond, no newline yet");
}

TEST(History, AfterWrappingStartsAtALineBoundary) {
    auto history = std::make_unique<History>();
    std::string all;
    for (int i = 0; all.size() < History::kCapacity * 3; ++i) {
        std::string line = "\x1b[93mline " + std::to_string(i) + " \xc3\xa9\x1b[0m\n";
        all += line;
        append(*history, line);
    }
    std::string kept = replayed(*history);
    ASSERT_FALSE(kept.empty());
    EXPECT_LE(kept.size(), History::kCapacity);
    EXPECT_EQ(kept.substr(0, 5), "\x1b[93m");               // a whole line, escape and all
    EXPECT_EQ(all.substr(all.size() - kept.size()), kept);  // exactly the newest text
    EXPECT_GT(kept.size(), History::kCapacity - 40);
}

TEST(History, OneHugeWriteKeepsItsTail) {
    auto history = std::make_unique<History>();
    std::string huge(History::kCapacity * 2, 'x');
    for (size_t i = 0; i < huge.size(); i += 100) huge[i] = '\n';
    append(*history, huge);
    std::string kept = replayed(*history);
    EXPECT_EQ(huge.substr(huge.size() - kept.size()), kept);
    EXPECT_GT(kept.size(), History::kCapacity - 101);
}

TEST(History, EndlessLineIsNotReplayedHalfway) {
    auto history = std::make_unique<History>();
    append(*history, std::string(History::kCapacity + 10, 'y'));
    EXPECT_EQ(replayed(*history), "");
}

TEST(History, RandomWritesMatchTheTail) {
    std::mt19937 random(5);
    auto history = std::make_unique<History>();
    std::string all;
    for (int i = 0; i < 3000; ++i) {
        std::string piece(random() % 64, 'a');
        for (char& c : piece) c = (random() % 10 == 0) ? '\n' : char('a' + random() % 26);
        all += piece;
        append(*history, piece);
        std::string kept = replayed(*history);
        ASSERT_EQ(all.substr(all.size() - kept.size()), kept);
        if (all.size() <= History::kCapacity)
            ASSERT_EQ(kept, all);
        else if (!kept.empty())
            ASSERT_EQ(all[all.size() - kept.size() - 1], '\n');
    }
}

}  // namespace
