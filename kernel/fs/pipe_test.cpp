// Host tests of pipes and FIFOs, with threads for the two ends: EOF, EPIPE,
// O_NONBLOCK's EAGAIN, PIPE_BUF atomicity with several writers, large
// writes split and reassembled, poll readiness and its wake-ups, signals
// (ERESTARTSYS), F_SETPIPE_SZ, and FIFO opens waiting for the other side.
#include "kernel/fs/pipe.hpp"

#include "kernel/fs/eventfd.hpp"
#include "kernel/fs/fd_table.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "kernel/fs/tmpfs.hpp"
#include "kernel/fs/vfs.hpp"
#include "kernel/vm/testing.hpp"

namespace {

template <typename T>
std::string err(const lib::Expected<T>& r) {
    return r ? "OK" : lib::errno_name(r.error().code);
}

lib::Expected<size_t> write_string(fs::File& f, const std::string& s) {
    fs::IoBuffer::Segment seg;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, const_cast<char*>(s.data()), s.size());
    return f.write(b);
}

// (lib::Expected<std::string> would meet std::move by ADL.)
struct ReadResult {
    std::string data;
    std::string error = "OK";
    explicit operator bool() const { return error == "OK"; }
};
ReadResult read_some(fs::File& f, size_t n) {
    ReadResult r;
    r.data.resize(n);
    fs::IoBuffer::Segment seg;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, r.data.data(), n);
    auto got = f.read(b);
    if (!got) {
        r.error = lib::errno_name(got.error().code);
        r.data.clear();
        return r;
    }
    r.data.resize(*got);
    return r;
}

TEST(Pipe, DataEofAndEpipe) {
    auto ends = fs::make_pipe(0);
    ASSERT_TRUE(ends);
    EXPECT_EQ(*write_string(*ends->write, "hello"), 5u);
    EXPECT_EQ(read_some(*ends->read, 100).data, "hello");
    auto st = ends->read->stat();
    EXPECT_EQ(st.st_mode & uapi::kS_IFMT, uapi::kS_IFIFO);
    EXPECT_EQ(ends->read->flags(), uapi::kO_RDONLY | uapi::kO_LARGEFILE);
    EXPECT_EQ(err(ends->read->seek(0, 0)), "ESPIPE");
    fs::IoBuffer::Segment seg;
    char c;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, &c, 1);
    EXPECT_EQ(err(ends->read->pread(b, 0)), "ESPIPE");
    EXPECT_EQ(err(ends->read->write(b)), "EBADF");
    EXPECT_EQ(err(ends->write->read(b)), "EBADF");
    ends->write.reset();
    EXPECT_EQ(read_some(*ends->read, 10).data, "");  // EOF
    auto again = fs::make_pipe(0);
    again->read.reset();
    EXPECT_EQ(err(write_string(*again->write, "x")), "EPIPE");
    EXPECT_EQ(again->write->poll(nullptr) & uapi::kPOLLERR, uapi::kPOLLERR);
}

TEST(Pipe, NonblockingAndCapacity) {
    auto ends = fs::make_pipe(uapi::kO_NONBLOCK);
    ASSERT_TRUE(ends);
    EXPECT_EQ(read_some(*ends->read, 1).error, "EAGAIN");
    std::string chunk(1000, 'a');
    size_t total = 0;
    for (;;) {
        auto n = write_string(*ends->write, chunk);
        if (!n) {
            EXPECT_EQ(err(n), "EAGAIN");
            break;
        }
        total += *n;
    }
    // Four 1000-byte writes share a page buffer, the fifth needs a new
    // one: 16 buffers hold 64000 bytes (as on Linux).
    EXPECT_EQ(total, 64000u);
    EXPECT_EQ(*fs::pipe_size(*ends->write), int64_t(uapi::kPipeDefaultSize));
    EXPECT_EQ(ends->write->poll(nullptr) & uapi::kPOLLOUT, 0u);
    // The last buffer has 96 bytes left: 50 merge, 200 would need a buffer.
    EXPECT_EQ(*write_string(*ends->write, std::string(50, 'b')), 50u);
    EXPECT_EQ(err(write_string(*ends->write, std::string(200, 'c'))), "EAGAIN");
    // Reading part of the first buffer frees nothing; all of it frees one.
    ASSERT_EQ(read_some(*ends->read, 100).data.size(), 100u);
    EXPECT_EQ(ends->write->poll(nullptr) & uapi::kPOLLOUT, 0u);
    ASSERT_EQ(read_some(*ends->read, 3900).data.size(), 3900u);
    EXPECT_EQ(ends->write->poll(nullptr) & uapi::kPOLLOUT, uapi::kPOLLOUT);
    EXPECT_EQ(*write_string(*ends->write, std::string(200, 'c')), 200u);
    // F_SETPIPE_SZ: fewer buffers than in use is EBUSY; rounding to pages.
    EXPECT_EQ(err(fs::set_pipe_size(*ends->write, 4096, false)), "EBUSY");
    EXPECT_EQ(*fs::set_pipe_size(*ends->write, 100000, false), 131072);
    EXPECT_EQ(err(fs::set_pipe_size(*ends->write, 2 << 20, false)), "EPERM");
    EXPECT_EQ(*fs::set_pipe_size(*ends->write, 2 << 20, true), 2 << 20);
    // The data survived the moves, in order.
    std::string all = read_some(*ends->read, 1 << 20).data;
    EXPECT_EQ(all.size(), 64000u - 4000 + 50 + 200);
    EXPECT_EQ(all.substr(all.size() - 251), "a" + std::string(50, 'b') + std::string(200, 'c'));
    EXPECT_EQ(*fs::set_pipe_size(*ends->read, 1, false), 4096);
    fs::FileRef regular;
    (void)regular;
}

TEST(Pipe, SmallWritesAreAtomicAmongWriters) {
    auto ends = fs::make_pipe(0);
    ASSERT_TRUE(ends);
    constexpr int kWriters = 4, kRecords = 400;
    constexpr size_t kRecord = uapi::kPIPE_BUF;  // the largest atomic write
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] {
            std::string record(kRecord, char('A' + w));
            for (int i = 0; i < kRecords; ++i) ASSERT_EQ(*write_string(*ends->write, record), kRecord);
        });
    std::string data;
    while (data.size() < size_t(kWriters) * kRecords * kRecord) {
        auto got = read_some(*ends->read, 3000);  // reads cut records anywhere
        ASSERT_TRUE(got);
        data += got.data;
    }
    for (auto& t : writers) t.join();
    std::map<char, int> counts;
    for (size_t at = 0; at < data.size(); at += kRecord) {
        char c = data[at];
        ASSERT_EQ(data.substr(at, kRecord), std::string(kRecord, c)) << "interleaved record at " << at;
        ++counts[c];
    }
    for (int w = 0; w < kWriters; ++w) EXPECT_EQ(counts[char('A' + w)], kRecords);
}

TEST(Pipe, LargeWritesBlockUntilRead) {
    auto ends = fs::make_pipe(0);
    std::string big(300000, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = char(i * 7);
    std::thread writer([&] { EXPECT_EQ(*write_string(*ends->write, big), big.size()); });
    std::string got;
    while (got.size() < big.size()) got += read_some(*ends->read, 7777).data;
    writer.join();
    EXPECT_TRUE(got == big);
}

TEST(Pipe, BlockedReaderWakesOnDataOrEofAndSignals) {
    auto ends = fs::make_pipe(0);
    std::atomic<int> state{0};
    std::thread reader([&] {
        EXPECT_EQ(read_some(*ends->read, 10).data, "late");
        state = 1;
        EXPECT_EQ(read_some(*ends->read, 10).data, "");
        state = 2;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(state.load(), 0);
    ASSERT_TRUE(write_string(*ends->write, "late"));
    while (state.load() < 1) std::this_thread::yield();
    ends->write.reset();
    reader.join();
    EXPECT_EQ(state.load(), 2);

    auto other = fs::make_pipe(0);
    std::thread interrupted([&] {
        fs::host_set_interrupt_pending(true);
        EXPECT_EQ(read_some(*other->read, 10).error, "ERESTARTSYS");
        fs::host_set_interrupt_pending(false);
    });
    interrupted.join();
}

TEST(Pipe, PollReadinessAndWakeups) {
    auto ends = fs::make_pipe(0);
    EXPECT_EQ(ends->read->poll(nullptr), 0u);
    EXPECT_EQ(ends->write->poll(nullptr), uapi::kPOLLOUT | uapi::kPOLLWRNORM);
    fs::PollWaitTable table;
    EXPECT_EQ(ends->read->poll(&table), 0u);
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ASSERT_TRUE(write_string(*ends->write, "x"));
    });
    ASSERT_TRUE(table.wait(~0ULL));
    writer.join();
    EXPECT_EQ(ends->read->poll(nullptr), uapi::kPOLLIN | uapi::kPOLLRDNORM);
    table.clear();
    // A deadline.
    ASSERT_TRUE(read_some(*ends->read, 1));
    (void)ends->read->poll(&table);
    EXPECT_EQ(err(table.wait(fs::now_ns() + 10'000'000)), "ETIMEDOUT");
    table.clear();
    // The writer going away: POLLHUP.
    (void)ends->read->poll(&table);
    ends->write.reset();
    ASSERT_TRUE(table.wait(~0ULL));
    EXPECT_EQ(ends->read->poll(nullptr), uapi::kPOLLHUP);
}

struct FifoWorld {
    vm::testing::SimulatedFrames frames{16ULL << 20};
    fs::Context context;
    FifoWorld() {
        fs::Tmpfs* tmpfs = *fs::Tmpfs::make(frames, "tmpfs", 0755);
        fs::set_root_mount(*fs::Mount::make_root(*tmpfs, 0));
        context = *fs::root_context();
        EXPECT_TRUE(fs::make_node(context, context.cwd, "fifo", uapi::kS_IFIFO | 0644, 0));
    }
    lib::Expected<fs::FileRef> open(uint32_t flags) { return fs::open(context, context.cwd, "fifo", flags, 0); }
};

TEST(Fifo, OpensWaitForTheOtherSide) {
    FifoWorld w;
    EXPECT_EQ(err(w.open(uapi::kO_WRONLY | uapi::kO_NONBLOCK)), "ENXIO");
    auto nonblocking_reader = w.open(uapi::kO_RDONLY | uapi::kO_NONBLOCK);
    ASSERT_TRUE(nonblocking_reader);
    // A reader that never saw a writer: no POLLHUP, reads EOF... Linux
    // reads 0 from an empty FIFO without writers.
    EXPECT_EQ((*nonblocking_reader)->poll(nullptr) & uapi::kPOLLHUP, 0u);
    auto writer = w.open(uapi::kO_WRONLY);  // a reader is there: no wait
    ASSERT_TRUE(writer);
    ASSERT_TRUE(write_string(**writer, "through the fifo"));
    EXPECT_EQ(read_some(**nonblocking_reader, 100).data, "through the fifo");
    writer->reset();
    EXPECT_EQ((*nonblocking_reader)->poll(nullptr) & uapi::kPOLLHUP, uapi::kPOLLHUP);
    nonblocking_reader->reset();

    std::atomic<bool> opened{false};
    std::thread blocked_reader([&] {
        auto r = w.open(uapi::kO_RDONLY);
        EXPECT_TRUE(r);
        opened = true;
        EXPECT_EQ(read_some(**r, 10).data, "hi");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(opened.load());
    auto w2 = w.open(uapi::kO_WRONLY);
    ASSERT_TRUE(w2);
    ASSERT_TRUE(write_string(**w2, "hi"));
    blocked_reader.join();
    auto both = w.open(uapi::kO_RDWR);  // never waits
    EXPECT_TRUE(both);
}

}  // namespace

namespace {

lib::Expected<uint64_t> read_u64(fs::File& f) {
    uint64_t v = 0;
    fs::IoBuffer::Segment seg;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, &v, 8);
    TRY(f.read(b));
    return v;
}
lib::Expected<size_t> write_u64(fs::File& f, uint64_t v) {
    fs::IoBuffer::Segment seg;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, &v, 8);
    return f.write(b);
}

TEST(Eventfd, CounterSemaphoreAndLimits) {
    EXPECT_EQ(err(fs::make_eventfd(0, 0x100)), "EINVAL");
    auto e = fs::make_eventfd(3, uapi::kEFD_NONBLOCK);
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)->flags(), uapi::kO_RDWR | uapi::kO_NONBLOCK);
    EXPECT_EQ((*e)->stat().st_mode, 0600u);
    EXPECT_EQ(*read_u64(**e), 3u);
    EXPECT_EQ(err(read_u64(**e)), "EAGAIN");
    EXPECT_EQ(err(write_u64(**e, ~0ULL)), "EINVAL");
    ASSERT_TRUE(write_u64(**e, 0xfffffffffffffffeULL));
    EXPECT_EQ((*e)->poll(nullptr), uapi::kPOLLIN | uapi::kPOLLRDNORM);
    EXPECT_EQ(err(write_u64(**e, 1)), "EAGAIN");
    char small[4];
    fs::IoBuffer::Segment seg;
    fs::IoBuffer b = fs::IoBuffer::kernel_one(seg, small, 4);
    EXPECT_EQ(err((*e)->read(b)), "EINVAL");
    auto s = fs::make_eventfd(2, uapi::kEFD_SEMAPHORE);
    EXPECT_EQ(*read_u64(**s), 1u);
    EXPECT_EQ(*read_u64(**s), 1u);
    std::thread waker([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ASSERT_TRUE(write_u64(**s, 5));
    });
    EXPECT_EQ(*read_u64(**s), 1u);  // blocked until the write
    waker.join();
}

TEST(PollFiles, PollAndSelectOverATable) {
    fs::FdTable* table = *fs::FdTable::make();
    auto ends = fs::make_pipe(0);
    int r = *table->install(ends->read.take(), false);
    int w = *table->install(ends->write.take(), false);
    uapi::Pollfd fds[3] = {{r, int16_t(uapi::kPOLLIN), 0}, {w, int16_t(uapi::kPOLLOUT), 0}, {99, 0, 0}};
    EXPECT_EQ(*fs::poll_files(*table, fds, 3, 0), 2u);
    EXPECT_EQ(fds[0].revents, 0);
    EXPECT_EQ(fds[1].revents, int16_t(uapi::kPOLLOUT));
    EXPECT_EQ(fds[2].revents, int16_t(uapi::kPOLLNVAL));
    // Wait for the read end with a writer thread.
    uapi::Pollfd one[1] = {{r, int16_t(uapi::kPOLLIN), 0}};
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        auto f = table->get(w);
        ASSERT_TRUE(write_string(**f, "!"));
    });
    EXPECT_EQ(*fs::poll_files(*table, one, 1, ~0ULL), 1u);
    writer.join();
    EXPECT_EQ(one[0].revents, int16_t(uapi::kPOLLIN));
    // select: the same through bitmaps; a closed descriptor is EBADF.
    uint64_t readable[1] = {1ULL << r | 1ULL << w}, writable[1] = {1ULL << w};
    EXPECT_EQ(*fs::select_files(*table, 64, readable, writable, nullptr, 0), 2u);
    EXPECT_EQ(readable[0], 1ULL << r);
    EXPECT_EQ(writable[0], 1ULL << w);
    uint64_t bad[1] = {1ULL << 40};
    EXPECT_EQ(err(fs::select_files(*table, 64, bad, nullptr, nullptr, 0)), "EBADF");
    // A deadline with nothing ready: 0.
    ASSERT_TRUE(read_some(**table->get(r), 10));
    uint64_t again[1] = {1ULL << r};
    EXPECT_EQ(*fs::select_files(*table, 64, again, nullptr, nullptr, fs::now_ns() + 5'000'000), 0u);
    EXPECT_EQ(again[0], 0u);
    table->release();
}

}  // namespace
