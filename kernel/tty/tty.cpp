// The tty device core (see tty.hpp): the line discipline's interface
// (docs/tty.md) turned into read(2), write(2), poll(2) and the tty ioctls.
#include "kernel/tty/tty.hpp"

#include "kernel/abi/linux_fs.hpp"
#include "kernel/fs/user_copy.hpp"
#include "lib/memory.hpp"
#include "lib/placement_new.hpp"

namespace tty {

namespace {

JobControl g_job_control;

lib::Error tty_fail(lib::Errno code, const char* message) { return lib::Error::make(code, message); }

// Echoes made while receiving wait here until the receive is done: when a
// signal character asks for the driver's output to be dropped, the flush
// must come before the echo of that character (^C), as in n_tty's isig.
class HeldEchoes final : public OutputSink {
public:
    explicit HeldEchoes(Driver& driver) : driver_(driver), driver_room_(driver.room()) {}
    size_t room() const override {
        size_t limit = driver_room_ < sizeof bytes_ ? driver_room_ : sizeof bytes_;
        return used_ < limit ? limit - used_ : 0;
    }
    void put(const uint8_t* bytes, size_t count) override {
        for (size_t i = 0; i < count && used_ < sizeof bytes_; ++i) bytes_[used_++] = bytes[i];
    }
    void release() {
        if (used_) driver_.put(bytes_, used_);
        used_ = 0;
    }

private:
    Driver& driver_;
    size_t driver_room_;
    uint8_t bytes_[256];
    size_t used_ = 0;
};

}  // namespace

void set_job_control(const JobControl& hooks) { g_job_control = hooks; }
const JobControl& job_control() { return g_job_control; }

namespace {

// The consoles and every pty slave ever made (pty.cpp keeps its pairs for
// reuse, so an entry never dangles).
constexpr size_t kMaxTtys = 8 + kMaxPtys;
Tty* g_ttys[kMaxTtys];
size_t g_tty_count = 0;
ksync::Spinlock g_ttys_lock;

int32_t caller_session() { return g_job_control.current_session ? g_job_control.current_session() : 1; }
int32_t caller_pgrp() { return g_job_control.current_pgrp ? g_job_control.current_pgrp() : 1; }
bool caller_leads_session() { return g_job_control.is_session_leader ? g_job_control.is_session_leader() : true; }
bool caller_privileged() { return g_job_control.privileged ? g_job_control.privileged() : true; }

}  // namespace

void register_tty(Tty& tty) {
    ksync::Guard guard(g_ttys_lock);
    // Entries are written before the count that publishes them.
    size_t count = __atomic_load_n(&g_tty_count, __ATOMIC_RELAXED);
    if (count < kMaxTtys) {
        g_ttys[count] = &tty;
        __atomic_store_n(&g_tty_count, count + 1, __ATOMIC_RELEASE);
    }
}

namespace {
size_t tty_count() { return __atomic_load_n(&g_tty_count, __ATOMIC_ACQUIRE); }
}  // namespace

Tty* controlling_tty() {
    int32_t sid = caller_session();
    if (sid <= 0) return nullptr;
    for (size_t i = 0, n = tty_count(); i < n; ++i)
        if (g_ttys[i]->session() == sid) return g_ttys[i];
    return nullptr;
}

void end_session(int32_t sid) {
    for (size_t i = 0, n = tty_count(); i < n; ++i) g_ttys[i]->end_session(sid);
}

bool session_terminal(int32_t sid, uint32_t& device, int32_t& foreground) {
    if (sid <= 0) return false;
    for (size_t i = 0, n = tty_count(); i < n; ++i) {
        if (g_ttys[i]->session() != sid) continue;
        device = g_ttys[i]->device();
        foreground = g_ttys[i]->foreground_group();
        return true;
    }
    return false;
}

lib::Expected<fs::File*> open_file(Tty& tty, const fs::Path& path, fs::Inode* inode, uint32_t flags,
                                   bool may_control) {
    TRY(tty.open(flags, may_control));
    fs::File* file = fs::make<TtyFile>(path, inode, flags, tty);
    if (!file) return lib::Error::make(lib::Errno::kENOMEM, "no memory for an open file");
    return file;
}

Tty::Tty(const char* name, Driver& driver, const WinSize& window, const Termios& settings)
    : name_(name), driver_(driver), discipline_(settings), window_(window) {}

// Linux's new_encode_dev, which the 32 low bits of stat's dev_t encoding
// are for the numbers terminals have (12-bit majors, 20-bit minors).
void Tty::set_device(uint32_t major, uint32_t minor) { device_ = uint32_t(uapi::make_dev(major, minor)); }

void Tty::deliver_signal(int signal) {
    int32_t group = __atomic_load_n(&pgrp_, __ATOMIC_RELAXED);
    if (signal && group > 0 && g_job_control.signal_group) g_job_control.signal_group(group, signal);
}

size_t Tty::receive(const uint8_t* bytes, size_t count) {
    size_t done = 0;
    while (done < count) {
        ReceiveResult result;
        {
            ksync::Guard guard(lock_);
            HeldEchoes echoes(driver_);
            result = discipline_.receive(lib::Span<const uint8_t>(bytes + done, count - done), echoes);
            ++input_events_;
            if (result.flush_output) driver_.flush_output();
            echoes.release();
        }
        driver_.start();
        deliver_signal(result.signal);
        // A full input buffer: the caller drops the rest (a UART overrun)
        // or keeps it (a pty), unless the discipline stopped at a signal
        // and will take more.
        if (result.accepted == 0 && !result.signal) break;
        done += result.accepted;
    }
    read_wait_.wake_all();
    poll_.notify(uapi::kPOLLIN);
    return done;
}

void Tty::output_room(bool start) {
    {
        ksync::Guard guard(lock_);
        discipline_.flush_echoes(driver_);
    }
    if (start) driver_.start();
    write_wait_.wake_all();
    poll_.notify(uapi::kPOLLOUT);
}

size_t Tty::input_room() {
    ksync::Guard guard(lock_);
    return discipline_.receive_room();
}

void Tty::hang_up() {
    {
        ksync::Guard guard(lock_);
        __atomic_store_n(&hung_up_, true, __ATOMIC_RELEASE);
        ++input_events_;
    }
    // Linux's tty_signal_session_leader (exit_session 0): the leader gets
    // SIGHUP and SIGCONT; the session has no controlling terminal after.
    int32_t sid = __atomic_exchange_n(&session_, 0, __ATOMIC_ACQ_REL);
    __atomic_store_n(&pgrp_, 0, __ATOMIC_RELAXED);
    if (sid > 0 && g_job_control.signal_process) {
        g_job_control.signal_process(sid, kSIGHUP);
        g_job_control.signal_process(sid, kSIGCONT);
    }
    read_wait_.wake_all();
    write_wait_.wake_all();
    poll_.notify(uapi::kPOLLIN | uapi::kPOLLOUT | uapi::kPOLLHUP | uapi::kPOLLERR);
}

void Tty::set_other_closed(bool closed) {
    {
        ksync::Guard guard(lock_);
        other_closed_ = closed;
        ++input_events_;
    }
    read_wait_.wake_all();
    write_wait_.wake_all();
    poll_.notify(uapi::kPOLLIN | uapi::kPOLLHUP);
}

void Tty::reset(const Termios& settings, const WinSize& window) {
    ksync::Guard guard(lock_);
    discipline_.~LineDiscipline();
    new (&discipline_) LineDiscipline(settings);
    window_ = window;
    hung_up_ = other_closed_ = packet_ = false;
    packet_status_ = 0;
    ++input_events_;
    __atomic_store_n(&session_, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pgrp_, 0, __ATOMIC_RELAXED);
}

void Tty::set_packet_mode(bool on) {
    ksync::Guard guard(lock_);
    if (on && !packet_) packet_status_ = 0;  // pty_set_pktmode
    packet_ = on;
}

bool Tty::packet_mode() {
    ksync::Guard guard(lock_);
    return packet_;
}

void Tty::packet_status(uint8_t bits) {
    {
        ksync::Guard guard(lock_);
        if (!packet_) return;
        packet_status_ |= bits;
        ++input_events_;
    }
    read_wait_.wake_all();
    poll_.notify(uapi::kPOLLIN | uapi::kPOLLPRI);
}

lib::Expected<void> Tty::open(uint32_t flags, bool may_control) {
    fs::MutexGuard guard(open_mutex_);
    if (!opened_) {
        TRY(driver_.open());
        opened_ = true;
    }
    // Linux's tty_open: a session leader without a controlling terminal
    // takes this one if no session has it (and the open may read: write
    // access alone must not give the powers of a controlling terminal).
    uint32_t mode = flags & uapi::kO_ACCMODE;
    bool reads = mode == uapi::kO_RDONLY || mode == uapi::kO_RDWR;
    if (may_control && !(flags & uapi::kO_NOCTTY) && reads && caller_leads_session() && !controlling_tty()) {
        int32_t none = 0;
        if (__atomic_compare_exchange_n(&session_, &none, caller_session(), false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            __atomic_store_n(&pgrp_, caller_pgrp(), __ATOMIC_RELAXED);
    }
    return {};
}

bool Tty::is_callers_controlling_tty() const {
    int32_t sid = session();
    return sid != 0 && sid == caller_session();
}

lib::Expected<void> Tty::check_background(int signal) {
    if (!is_callers_controlling_tty()) return {};
    int32_t foreground = foreground_group();
    int32_t own = caller_pgrp();
    if (foreground == 0 || foreground == own) return {};
    if (g_job_control.ignores && g_job_control.ignores(signal)) {
        // An ignored SIGTTOU lets the change or write happen; an ignored
        // SIGTTIN makes the read fail.
        if (signal == kSIGTTIN) return tty_fail(lib::Errno::kEIO, "background read with SIGTTIN ignored");
        return {};
    }
    // (Linux answers EIO here for an orphaned process group; orphans are
    // not computed yet, docs/signals.md.)
    if (g_job_control.signal_group_now) g_job_control.signal_group_now(own, signal);
    return tty_fail(lib::Errno::kERESTARTSYS, "background process group");
}

void Tty::end_session(int32_t sid) {
    if (sid <= 0) return;
    int32_t expected = sid;
    if (!__atomic_compare_exchange_n(&session_, &expected, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) return;
    int32_t foreground = __atomic_exchange_n(&pgrp_, 0, __ATOMIC_ACQ_REL);
    // Linux's __tty_hangup for an exiting session leader: SIGHUP to the
    // foreground group (the session's other processes lose the terminal).
    if (foreground > 0 && g_job_control.signal_group_now) g_job_control.signal_group_now(foreground, kSIGHUP);
}

lib::Expected<int64_t> Tty::set_controlling(uint32_t file_flags, uint64_t argument) {
    // Linux's tiocsctty, in its order.
    int32_t sid = caller_session();
    bool leader = caller_leads_session();
    if (leader && session() == sid) return 0;
    if (!leader || controlling_tty()) return tty_fail(lib::Errno::kEPERM, "not a session leader without a terminal");
    if (session() != 0 && !(argument == 1 && caller_privileged()))
        return tty_fail(lib::Errno::kEPERM, "the controlling terminal of another session");
    uint32_t mode = file_flags & uapi::kO_ACCMODE;
    if (mode != uapi::kO_RDONLY && mode != uapi::kO_RDWR && !caller_privileged())
        return tty_fail(lib::Errno::kEPERM, "not open for reading");
    __atomic_store_n(&session_, sid, __ATOMIC_RELAXED);
    __atomic_store_n(&pgrp_, caller_pgrp(), __ATOMIC_RELAXED);
    return 0;
}

lib::Expected<int64_t> Tty::give_up_controlling() {
    if (!is_callers_controlling_tty()) return tty_fail(lib::Errno::kENOTTY, "not the caller's controlling terminal");
    // Linux's no_tty: only a session leader's giving up changes the
    // terminal (SIGHUP and SIGCONT to the foreground group); another
    // process only forgets its terminal, which a session-wide lookup
    // cannot express (docs/tty.md).
    if (!caller_leads_session()) return 0;
    int32_t foreground = __atomic_exchange_n(&pgrp_, 0, __ATOMIC_ACQ_REL);
    __atomic_store_n(&session_, 0, __ATOMIC_RELAXED);
    if (foreground > 0 && g_job_control.signal_group_now) {
        g_job_control.signal_group_now(foreground, kSIGHUP);
        g_job_control.signal_group_now(foreground, kSIGCONT);
    }
    return 0;
}

lib::Expected<int64_t> Tty::set_foreground(uint64_t argument) {
    // Linux's tiocspgrp, in its order.
    if (auto checked = check_background(kSIGTTOU); !checked) {
        if (checked.error().code == lib::Errno::kEIO) return tty_fail(lib::Errno::kENOTTY, "orphaned background group");
        return checked.error();
    }
    int32_t g;
    TRY(fs::get_user(&g, argument, sizeof g));
    if (g < 0) return tty_fail(lib::Errno::kEINVAL, "negative process group");
    if (!is_callers_controlling_tty()) return tty_fail(lib::Errno::kENOTTY, "not the caller's controlling terminal");
    if (g_job_control.group_session) {
        int32_t group_sid = g_job_control.group_session(g);
        if (group_sid == 0) return tty_fail(lib::Errno::kESRCH, "no such process group");
        if (group_sid != session()) return tty_fail(lib::Errno::kEPERM, "a process group of another session");
    }
    __atomic_store_n(&pgrp_, g, __ATOMIC_RELAXED);
    return 0;
}

bool Tty::input_changed_since(uint64_t seen) {
    ksync::Guard guard(lock_);
    return input_events_ != seen;
}

lib::Expected<size_t> Tty::read(fs::IoBuffer& buffer, bool nonblocking) {
    // One request over a kernel buffer (a canonical read returns one line;
    // the discipline holds at most 4096 bytes), copied out at the end.
    uint8_t bounce[LineDiscipline::kBufferSize];
    if (hung_up()) return size_t(0);  // hung_up_tty_read
    TRY(check_background(kSIGTTIN));  // n_tty_read's job_control
    size_t want = buffer.remaining() < sizeof bounce ? buffer.remaining() : sizeof bounce;
    if (want == 0) return size_t(0);
    // Packet mode (n_tty_read): the data after a kTIOCPKT_DATA byte.
    size_t header = packet_mode() ? 1 : 0;
    ReadRequest request(lib::Span<uint8_t>(bounce + header, want - header));
    uint64_t deadline = ~0ULL;
    for (;;) {
        ReadStep step;
        uint64_t seen;
        bool other_closed;
        uint8_t status = 0;
        {
            ksync::Guard guard(lock_);
            // Status the slave's flushes left: one byte, alone.
            if (packet_ && request.copied() == 0) status = packet_status_, packet_status_ = 0;
            if (!status) step = discipline_.read(request);
            seen = input_events_;
            other_closed = other_closed_;
        }
        if (status) {
            if (buffer.copy_out(&status, 1) < 1) return tty_fail(lib::Errno::kEFAULT, "read buffer not writable");
            return size_t(1);
        }
        if (step.action == ReadStep::Action::kReturn) break;
        // n_tty_read with no input: a pty whose other side closed fails
        // (after what was left), a hung-up terminal reads as end of file.
        if (other_closed || hung_up()) {
            if (request.copied() || hung_up()) break;
            return tty_fail(lib::Errno::kEIO, "the other side of the pty is closed");
        }
        if (nonblocking) {
            if (request.copied()) break;
            return tty_fail(lib::Errno::kEAGAIN, "no input");
        }
        // What was copied so far made room: input held back (a pty's other
        // side) may come now, and may be what this read waits for.
        if (request.copied()) driver_.input_consumed();
        if (step.timer == ReadStep::Timer::kStart) deadline = fs::now_ns() + uint64_t(step.deciseconds) * 100000000ULL;
        if (step.timer == ReadStep::Timer::kNone) deadline = ~0ULL;
        auto waited = fs::wait_interruptible(read_wait_, [this, seen] { return input_changed_since(seen); }, deadline);
        if (!waited) {
            if (waited.error().code == lib::Errno::kETIMEDOUT) {
                request.timer_expired();
                deadline = ~0ULL;
                continue;
            }
            if (request.copied()) break;
            return waited.error();  // ERESTARTSYS
        }
    }
    // Room in the input buffer again: a driver holding input may resend.
    driver_.input_consumed();
    write_wait_.wake_all();
    size_t n = request.copied();
    if (n && header) bounce[0] = kTIOCPKT_DATA, n += header;
    if (n && buffer.copy_out(bounce, n) < n) return tty_fail(lib::Errno::kEFAULT, "read buffer not writable");
    return n;
}

lib::Expected<size_t> Tty::write(fs::IoBuffer& buffer, bool nonblocking) {
    if (hung_up()) return tty_fail(lib::Errno::kEIO, "hung up");  // hung_up_tty_write
    if (termios().c_lflag & kTOSTOP) TRY(check_background(kSIGTTOU));
    size_t total = 0;
    uint8_t chunk[256];
    while (buffer.remaining()) {
        size_t n = buffer.copy_in(chunk, buffer.remaining() < sizeof chunk ? buffer.remaining() : sizeof chunk);
        if (n == 0) {
            if (total == 0) return tty_fail(lib::Errno::kEFAULT, "write buffer not readable");
            return total;
        }
        size_t sent = 0;
        while (sent < n) {
            size_t consumed;
            {
                ksync::Guard guard(lock_);
                consumed = discipline_.write(lib::Span<const uint8_t>(chunk + sent, n - sent), driver_);
            }
            driver_.start();
            sent += consumed;
            total += consumed;
            if (sent == n) break;
            // The driver's buffer is full (or output is stopped): wait.
            if (nonblocking) {
                if (total) return total;
                return tty_fail(lib::Errno::kEAGAIN, "output buffer full");
            }
            auto waited = fs::wait_interruptible(write_wait_, [this] {
                ksync::Guard guard(lock_);
                return (driver_.room() > 0 && !discipline_.output_stopped()) || hung_up();
            });
            if (waited && hung_up()) waited = tty_fail(lib::Errno::kEIO, "hung up");
            if (!waited) return total ? lib::Expected<size_t>(total) : lib::Expected<size_t>(waited.error());
        }
        if (buffer.faulted()) break;
    }
    return total;
}

uint32_t Tty::poll(fs::PollTable* table) {
    if (table) table->add(poll_);
    // hung_up_tty_poll: everything.
    if (hung_up())
        return uapi::kPOLLIN | uapi::kPOLLOUT | uapi::kPOLLERR | uapi::kPOLLHUP | uapi::kPOLLRDNORM |
               uapi::kPOLLWRNORM;
    ksync::Guard guard(lock_);
    uint32_t events = 0;
    if (discipline_.poll_readable()) events |= uapi::kPOLLIN | uapi::kPOLLRDNORM;
    if (driver_.room() > 0 && !discipline_.output_stopped()) events |= uapi::kPOLLOUT | uapi::kPOLLWRNORM;
    if (other_closed_) events |= uapi::kPOLLHUP;
    if (packet_ && packet_status_) events |= uapi::kPOLLPRI | uapi::kPOLLIN | uapi::kPOLLRDNORM;
    return events;
}

Termios Tty::termios() {
    ksync::Guard guard(lock_);
    return discipline_.termios();
}

void Tty::drain(uint64_t deadline_ns) {
    driver_.start();
    // A signal or the deadline ends it too (what is still queued then goes
    // out later, or is lost at power-off).
    (void)fs::wait_interruptible(write_wait_, [this] { return driver_.queued() == 0; }, deadline_ns);
}

void Tty::set_termios_for_test(const Termios& settings) {
    {
        ksync::Guard guard(lock_);
        discipline_.set_termios(settings);
        discipline_.flush_echoes(driver_);
    }
    driver_.start();
    read_wait_.wake_all();
}

WinSize Tty::window_size() {
    ksync::Guard guard(lock_);
    return window_;
}

lib::Expected<int64_t> Tty::ioctl(uint32_t command, uint64_t argument, uint32_t file_flags, bool from_master) {
    // hung_up_tty_ioctl.
    if (hung_up())
        return tty_fail(command == kTIOCSPGRP ? lib::Errno::kENOTTY : lib::Errno::kEIO, "hung up");
    // What changes the terminal is for the foreground (tty_ioctl and
    // n_tty_ioctl_helper: tty_check_change).
    switch (command) {
    case kTCSETS:
    case kTCSETSW:
    case kTCSETSF:
    case kTCFLSH:
    case kTCXONC:
    case kTCSBRK:
    case kTCSBRKP: TRY(check_background(kSIGTTOU)); break;
    default: break;
    }
    switch (command) {
    case kTCGETS: {
        Termios t = termios();
        TRY(fs::put_user(argument, &t, sizeof t));
        return 0;
    }
    case kTCSETS:
    case kTCSETSW:
    case kTCSETSF: {
        Termios t;
        TRY(fs::get_user(&t, argument, sizeof t));
        if (command != kTCSETS) {
            // Wait for queued output to go (TCSADRAIN/TCSAFLUSH).
            TRY(fs::wait_interruptible(write_wait_, [this] { return driver_.queued() == 0; }));
        }
        {
            ksync::Guard guard(lock_);
            if (command == kTCSETSF) discipline_.flush_input();
            discipline_.set_termios(t);
            discipline_.flush_echoes(driver_);
        }
        driver_.start();
        driver_.input_consumed();
        read_wait_.wake_all();  // ICANON changes may make input readable
        write_wait_.wake_all();
        poll_.notify(uapi::kPOLLIN | uapi::kPOLLOUT);
        return 0;
    }
    case kTIOCGWINSZ: {
        WinSize w = window_size();
        TRY(fs::put_user(argument, &w, sizeof w));
        return 0;
    }
    case kTIOCSWINSZ: {
        WinSize w;
        TRY(fs::get_user(&w, argument, sizeof w));
        bool changed;
        {
            ksync::Guard guard(lock_);
            changed = lib::compare_bytes(&w, &window_, sizeof w) != 0;
            window_ = w;
        }
        if (changed) deliver_signal(kSIGWINCH);
        return 0;
    }
    case kTIOCGPGRP: {
        if (!from_master && !is_callers_controlling_tty()) return tty_fail(lib::Errno::kENOTTY, "not the caller's controlling terminal");
        int32_t g = __atomic_load_n(&pgrp_, __ATOMIC_RELAXED);
        TRY(fs::put_user(argument, &g, sizeof g));
        return 0;
    }
    case kTIOCSPGRP: return set_foreground(argument);
    case kTIOCGSID: {
        if (!from_master && !is_callers_controlling_tty()) return tty_fail(lib::Errno::kENOTTY, "not the caller's controlling terminal");
        int32_t s = __atomic_load_n(&session_, __ATOMIC_RELAXED);
        if (s == 0) return tty_fail(lib::Errno::kENOTTY, "no session on this terminal");
        TRY(fs::put_user(argument, &s, sizeof s));
        return 0;
    }
    case kTIOCSCTTY: return set_controlling(file_flags, argument);
    case kTIOCNOTTY: return give_up_controlling();
    case kFIONREAD: {
        int32_t n;
        {
            ksync::Guard guard(lock_);
            n = int32_t(discipline_.readable_bytes());
        }
        TRY(fs::put_user(argument, &n, sizeof n));
        return 0;
    }
    case kTIOCOUTQ: {
        int32_t n = int32_t(driver_.queued());
        TRY(fs::put_user(argument, &n, sizeof n));
        return 0;
    }
    case kTCFLSH: {
        int how = int(argument);
        if (how != kTCIFLUSH && how != kTCOFLUSH && how != kTCIOFLUSH)
            return tty_fail(lib::Errno::kEINVAL, "TCFLSH argument");
        if (how != kTCOFLUSH) {
            {
                ksync::Guard guard(lock_);
                discipline_.flush_input();
            }
            driver_.input_consumed();
        }
        if (how != kTCIFLUSH) driver_.flush_output();
        // n_tty_packet_mode_flush and pty_flush_buffer: the master in
        // packet mode learns of it.
        driver_.flushed((how != kTCOFLUSH ? kTIOCPKT_FLUSHREAD : 0) | (how != kTCIFLUSH ? kTIOCPKT_FLUSHWRITE : 0));
        write_wait_.wake_all();
        return 0;
    }
    case kTCXONC: {
        {
            ksync::Guard guard(lock_);
            TRY(discipline_.tcflow(int(argument), driver_));
        }
        driver_.start();
        write_wait_.wake_all();
        return 0;
    }
    case kTCSBRK:
    case kTCSBRKP:
        TRY(fs::wait_interruptible(write_wait_, [this] { return driver_.queued() == 0; }));
        return 0;
    // ptm_open_peer on a terminal that is not a pty master (pty.cpp
    // answers it for the masters).
    case kTIOCGPTPEER: return tty_fail(lib::Errno::kEIO, "not a pty master");
    default: return tty_fail(lib::Errno::kENOTTY, "unknown tty ioctl");
    }
}

}  // namespace tty
