// Pseudo-terminals (docs/tty.md "Pseudo-terminals"; man 4 pts, man 2
// ioctl_tty; Linux's drivers/tty/pty.c and fs/devpts): each open of
// /dev/ptmx (5, 2) makes a pair, a master (that file) and a slave whose node
// /dev/pts/N (136, N) appears in devpts until the master's last close.
//
// Each side is a Tty with its own LineDiscipline, as in Linux: the slave's
// starts as tty_std_termios (less HUPCL), the master's raw (no flags). What
// one side's discipline writes (after OPOST, and its echoes) goes to its
// PtyDriver, a small ring (Linux's flip buffer), and from there into the
// other side's discipline by receive() once the writer's lock is dropped
// (Driver::start): a Tty lock is never held while the other side's is
// taken, so the two directions cannot deadlock. What the other side's
// discipline has no room for stays in the ring (the writer then waits for
// room) until a read there makes room (Driver::input_consumed).
//
// Pairs are kept once made and taken again for a later ptmx open (at most
// kMaxPtys at once): the slaves are registered for the controlling-terminal
// lookup, which therefore never meets a freed one.
#include "kernel/abi/linux_fs.hpp"
#include "kernel/abi/linux_proc.hpp"
#include "kernel/console/log.hpp"
#include "kernel/fs/device.hpp"
#include "kernel/fs/fs.hpp"
#include "kernel/fs/user_copy.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/tty/tty.hpp"

namespace tty {

namespace {

constexpr uint32_t kPtmxMajor = 5, kPtmxMinor = 2;
constexpr uint32_t kSlaveMajor = 136;  // UNIX98_PTY_SLAVE_MAJOR

// Linux's ptm and pts drivers' init_termios.
constexpr Termios master_termios() {
    Termios t = standard_termios();
    t.c_iflag = 0;
    t.c_oflag = 0;
    t.c_lflag = 0;
    t.c_cflag = kB38400 | kCS8 | kCREAD;
    return t;
}
constexpr Termios slave_termios() {
    Termios t = standard_termios();
    t.c_cflag = kB38400 | kCS8 | kCREAD;
    return t;
}

// One side's output on its way to the other side's line discipline.
class PtyDriver final : public Driver {
public:
    static constexpr size_t kRing = 2048;

    void attach(Tty& own, Tty& other, PtyDriver& other_driver) {
        own_ = &own, other_ = &other, other_driver_ = &other_driver;
    }
    void clear() {
        ksync::Guard guard(lock_);
        count_ = 0;
    }

    size_t room() const override {
        ksync::Guard guard(lock_);
        return kRing - count_;
    }
    void put(const uint8_t* bytes, size_t count) override {
        ksync::Guard guard(lock_);
        for (size_t i = 0; i < count && count_ < kRing; ++i) ring_[(head_ + count_++) % kRing] = bytes[i];
    }
    void start() override { deliver(); }
    // Our side read: what the other side holds for us may fit now.
    void input_consumed() override { other_driver_->deliver(); }
    // ISIG's flush and TCOFLUSH drop what the other side has not taken yet
    // (Linux's pty_flush_buffer empties the other side's flip buffer).
    void flush_output() override { clear(); }
    // The slave's TCFLSH, for the master's packet mode (its status lives
    // on the master, as the read that reports it).
    void flushed(uint8_t bits) override { other_->packet_status(bits); }

private:
    size_t peek(uint8_t* out, size_t max) {
        ksync::Guard guard(lock_);
        size_t n = count_ < max ? count_ : max;
        for (size_t i = 0; i < n; ++i) out[i] = ring_[(head_ + i) % kRing];
        return n;
    }
    void consume(size_t n) {
        ksync::Guard guard(lock_);
        if (n > count_) n = count_;  // a flush came in between
        head_ = (head_ + n) % kRing;
        count_ -= n;
    }

    // Moves the ring into the other side's discipline, in order: one CPU at a
    // time; one that finds another at it leaves the work to it, which looks
    // again after letting go.
    void deliver() {
        for (;;) {
            if (__atomic_exchange_n(&delivering_, true, __ATOMIC_ACQUIRE)) return;
            bool moved = false;
            for (;;) {
                uint8_t bytes[256];
                size_t n = peek(bytes, sizeof bytes);
                if (n == 0) break;
                size_t taken = other_->receive(bytes, n);
                consume(taken);
                if (taken) moved = true;
                if (taken < n) break;  // no room there until a read
            }
            __atomic_store_n(&delivering_, false, __ATOMIC_RELEASE);
            // Room here again: echoes held for it, and writers waiting.
            if (moved) own_->output_room(false);
            // Bytes left and room there: a reader made room (or a writer
            // added bytes) while we held the flag, and its own attempt
            // left the work to us. (receive() takes at least one byte
            // whenever input_room() is not 0, so this ends.)
            uint8_t probe;
            if (peek(&probe, 1) == 0 || other_->input_room() == 0) return;
        }
    }

    mutable fs::IrqSpinlock lock_;
    uint8_t ring_[kRing];
    size_t head_ = 0, count_ = 0;
    bool delivering_ = false;
    Tty* own_ = nullptr;
    Tty* other_ = nullptr;
    PtyDriver* other_driver_ = nullptr;
};

struct Pair {
    explicit Pair(uint32_t number)
        : index(number),
          master("ptmx", master_driver, WinSize{}, master_termios()),
          slave(name, slave_driver, WinSize{}, slave_termios()) {
        // "pts/N" for the Tty; the node's name in devpts is the number.
        char digits[12];
        size_t n = 0;
        do digits[n++] = char('0' + number % 10), number /= 10;
        while (number);
        size_t at = 0;
        for (const char* p = "pts/"; *p; ++p) name[at++] = *p;
        while (n) name[at++] = digits[--n];
        name[at] = 0;
        master_driver.attach(master, slave, slave_driver);
        slave_driver.attach(slave, master, master_driver);
        slave.set_device(kSlaveMajor, index);
    }
    const char* node_name() const { return name + 4; }

    uint32_t index;
    char name[20] = {};
    PtyDriver master_driver, slave_driver;
    Tty master, slave;
    // Under g_pairs_mutex: open descriptions of each side, TIOCSPTLCK.
    uint32_t masters = 0, slaves = 0;
    bool locked = true, in_use = false;
};

Pair* g_pairs[kMaxPtys];
fs::Mutex g_pairs_mutex{"pty pairs"};

// Both sides closed: the number is free (Linux's devpts_kill_index at the
// pair's release).
void release_if_unused(Pair& pair) {
    if (pair.masters == 0 && pair.slaves == 0) pair.in_use = false;
}

void close_master(Pair& pair) {
    fs::MutexGuard guard(g_pairs_mutex);
    if (--pair.masters) return;
    // Linux's pty_close for the master: the slave's node goes, the slave
    // hangs up.
    fs::remove_devpts_node(pair.node_name());
    pair.slave.hang_up();
    release_if_unused(pair);
}

void close_slave(Pair& pair) {
    fs::MutexGuard guard(g_pairs_mutex);
    if (--pair.slaves) return;
    pair.master.set_other_closed(true);  // master reads: EIO once drained
    release_if_unused(pair);
}

class PtyFile final : public TtyFile {
public:
    PtyFile(const fs::Path& path, fs::Inode* inode, uint32_t flags, Pair& pair, bool master)
        : TtyFile(path, inode, flags, master ? pair.master : pair.slave), pair_(pair), master_(master) {}
    lib::Expected<int64_t> ioctl(uint32_t command, uint64_t argument) override;

protected:
    void on_close() override { master_ ? close_master(pair_) : close_slave(pair_); }

private:
    lib::Expected<int64_t> open_peer(uint32_t flags);

    Pair& pair_;
    bool master_;
};

lib::Expected<fs::File*> open_slave_of(Pair& pair, const fs::Path& path, fs::Inode* inode, uint32_t flags) {
    {
        fs::MutexGuard guard(g_pairs_mutex);
        // Linux's pty_open: EIO while locked (TIOCSPTLCK) or once the
        // master is gone.
        if (!pair.in_use || pair.masters == 0) return lib::Error::make(lib::Errno::kEIO, "the pty master is closed");
        if (pair.locked) return lib::Error::make(lib::Errno::kEIO, "the pty is locked (unlockpt)");
        if (pair.slaves++ == 0) pair.master.set_other_closed(false);
    }
    auto opened = pair.slave.open(flags, true);
    fs::File* file = opened ? fs::make<PtyFile>(path, inode, flags, pair, false) : nullptr;
    if (!file) {
        close_slave(pair);
        if (!opened) return opened.error();
        return lib::Error::make(lib::Errno::kENOMEM, "no memory for an open file");
    }
    return file;
}

// /dev/pts/N (136, N).
lib::Expected<fs::File*> open_slave(const fs::Path& path, fs::Inode* inode, uint32_t flags, uint32_t minor) {
    Pair* pair = minor < kMaxPtys ? __atomic_load_n(&g_pairs[minor], __ATOMIC_ACQUIRE) : nullptr;
    if (!pair) return lib::Error::make(lib::Errno::kEIO, "no such pty");
    return open_slave_of(*pair, path, inode, flags);
}

// /dev/ptmx (5, 2): a new pair, the lowest free number.
lib::Expected<fs::File*> open_ptmx(const fs::Path& path, fs::Inode* inode, uint32_t flags, uint32_t) {
    Pair* pair = nullptr;
    {
        fs::MutexGuard guard(g_pairs_mutex);
        uint32_t index = 0;
        while (index < kMaxPtys && g_pairs[index] && g_pairs[index]->in_use) ++index;
        if (index == kMaxPtys) return lib::Error::make(lib::Errno::kENOSPC, "every pty number is taken");
        pair = g_pairs[index];
        if (!pair) {
            pair = fs::make<Pair>(index);
            if (!pair) return lib::Error::make(lib::Errno::kENOMEM, "no memory for a pty");
            register_tty(pair->slave);
            __atomic_store_n(&g_pairs[index], pair, __ATOMIC_RELEASE);
        } else {
            pair->master_driver.clear();
            pair->slave_driver.clear();
            pair->master.reset(master_termios(), WinSize{});
            pair->slave.reset(slave_termios(), WinSize{});
        }
        // devpts_pty_new: the node, owned by the opener, mode 0600 (devpts's
        // default without options).
        TRY(fs::make_devpts_node(pair->node_name(), uapi::kS_IFCHR | 0600, kSlaveMajor, index));
        pair->in_use = true;
        pair->locked = true;  // ptmx_open: locked until unlockpt
        pair->masters = 1;
        pair->slaves = 0;
    }
    // A master never becomes a controlling terminal (tty_open's noctty).
    (void)pair->master.open(flags, false);
    fs::File* file = fs::make<PtyFile>(path, inode, flags, *pair, true);
    if (!file) {
        close_master(*pair);
        return lib::Error::make(lib::Errno::kENOMEM, "no memory for an open file");
    }
    return file;
}

lib::Expected<int64_t> PtyFile::open_peer(uint32_t flags) {
    // TIOCGPTPEER (ptm_open_peer): the slave opened from the master,
    // without a path lookup by the caller.
    fs::Path path = TRY(fs::devpts_node(pair_.node_name()));
    fs::File* file = TRY(open_slave_of(pair_, path, path.inode(), flags));
    proc::Process* self = proc::current_process();
    if (!self || !self->files) {
        file->release();
        return lib::Error::make(lib::Errno::kEBADF, "no descriptor table");
    }
    uint64_t soft = self->limits[uapi::kRLIMIT_NOFILE].soft;
    uint32_t limit = soft > fs::FdTable::kMaxDescriptors ? fs::FdTable::kMaxDescriptors : uint32_t(soft);
    auto fd = self->files->install(file, (flags & uapi::kO_CLOEXEC) != 0, limit);
    if (!fd) {
        file->release();
        return fd.error();
    }
    return *fd;
}

lib::Expected<int64_t> PtyFile::ioctl(uint32_t command, uint64_t argument) {
    if (!master_) return TtyFile::ioctl(command, argument);  // the slave: a terminal like any (ENOTTY for the pty ones)
    switch (command) {
    case kTIOCGPTN: {
        uint32_t n = pair_.index;
        TRY(fs::put_user(argument, &n, sizeof n));
        return 0;
    }
    case kTIOCSPTLCK: {
        int32_t value;
        TRY(fs::get_user(&value, argument, sizeof value));
        fs::MutexGuard guard(g_pairs_mutex);
        pair_.locked = value != 0;
        return 0;
    }
    case kTIOCGPTLCK: {
        int32_t value;
        {
            fs::MutexGuard guard(g_pairs_mutex);
            value = pair_.locked ? 1 : 0;
        }
        TRY(fs::put_user(argument, &value, sizeof value));
        return 0;
    }
    case kTIOCGPTPEER: return open_peer(uint32_t(argument));
    // pty_set_pktmode / pty_get_pktmode.
    case kTIOCPKT: {
        int32_t value;
        TRY(fs::get_user(&value, argument, sizeof value));
        pair_.master.set_packet_mode(value != 0);
        return 0;
    }
    case kTIOCGPKT: {
        int32_t value = pair_.master.packet_mode() ? 1 : 0;
        TRY(fs::put_user(argument, &value, sizeof value));
        return 0;
    }
    // What Linux's tty_ioctl does on the master's link (real_tty): the
    // settings, the window and the job-control state are the slave's.
    case kTCGETS:
    case kTCSETS:
    case kTCSETSW:
    case kTCSETSF:
    case kTIOCGWINSZ:
    case kTIOCSWINSZ:
    case kTIOCSCTTY:
    case kTIOCGPGRP:
    case kTIOCSPGRP:
    case kTIOCGSID: return pair_.slave.ioctl(command, argument, flags(), true);
    default: return TtyFile::ioctl(command, argument);
    }
}

}  // namespace

void init_pty() {
    if (auto r = fs::register_character_device(kPtmxMajor, kPtmxMinor, 1, open_ptmx); !r)
        klog::warn("tty: ptmx: {}", r.error().message);
    if (auto r = fs::register_character_device(kSlaveMajor, 0, kMaxPtys, open_slave); !r)
        klog::warn("tty: pts: {}", r.error().message);
    if (auto made = fs::make_device_node("ptmx", uapi::kS_IFCHR | 0666, kPtmxMajor, kPtmxMinor); !made)
        klog::warn("tty: /dev/ptmx: {}", made.error().message);
    // devpts's own ptmx node, mode 0 as Linux's default ptmxmode.
    if (auto made = fs::make_devpts_node("ptmx", uapi::kS_IFCHR, kPtmxMajor, kPtmxMinor); !made)
        klog::warn("tty: /dev/pts/ptmx: {}", made.error().message);
}

}  // namespace tty
