// A terminal device (docs/tty.md "What the tty device layer adds"): a
// LineDiscipline under a lock interrupt handlers may take, the waits of
// read(2) and write(2), poll, the termios/winsize/process-group ioctls, and
// a driver that sends output and feeds input.
//
//   driver (receive interrupt):  tty.receive(bytes, n);
//   driver (transmit room):      tty.output_room();
//   file layer:                  tty.read(buffer, nonblocking), write, poll, ioctl
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/file.hpp"
#include "kernel/fs/poll.hpp"
#include "kernel/fs/wait.hpp"
#include "kernel/tty/line_discipline.hpp"
#include "kernel/tty/termios.hpp"
#include "lib/expected.hpp"

namespace tty {

// What a terminal's hardware does (serial port, framebuffer console).
class Driver : public OutputSink {
public:
    // Output bytes queued and not yet sent (TIOCOUTQ).
    virtual size_t queued() const { return 0; }
    // Drops queued output (TCOFLUSH, ISIG without NOFLSH).
    virtual void flush_output() {}
    // Called after put(): start sending if idle.
    virtual void start() {}
    // The first open of the device (serial: route its interrupt then, not at
    // boot). An error fails the open.
    virtual lib::Expected<void> open() { return {}; }
    // A read (or a flush) made room in this terminal's input buffer: a
    // driver holding input back (a pty's other side) offers it again.
    virtual void input_consumed() {}
    // TCFLSH flushed this terminal (kTIOCPKT_FLUSHREAD/FLUSHWRITE bits): a
    // pty slave's driver tells its master, for packet mode.
    virtual void flushed(uint8_t) {}

protected:
    ~Driver() = default;
};

// The process layer's part in job control (docs/tty.md "Controlling
// terminals"). tty::init() installs the real ones (job_control.cpp, over
// kernel/proc); tests may put their own. A hook left empty means: no
// signal is sent, every process counts as a session leader in the
// foreground of session 1.
struct JobControl {
    // The caller's process group and session.
    int32_t (*current_pgrp)() = nullptr;
    int32_t (*current_session)() = nullptr;
    bool (*is_session_leader)() = nullptr;
    // The caller may do what needs CAP_SYS_ADMIN (TIOCSCTTY's steal).
    bool (*privileged)() = nullptr;
    // A signal to every process of a group, from any context (interrupt
    // handlers included): it may be sent a little later, from a thread.
    void (*signal_group)(int32_t pgrp, int signal) = nullptr;
    // The same, sent before it returns (thread context: the background
    // checks, whose caller must find the signal pending).
    void (*signal_group_now)(int32_t pgrp, int signal) = nullptr;
    // One process (a hung-up terminal's session leader), thread context.
    void (*signal_process)(int32_t pid, int signal) = nullptr;
    // The caller blocks `signal` or has it set to SIG_IGN.
    bool (*ignores)(int signal) = nullptr;
    // The session of a live process group (0: no such group).
    int32_t (*group_session)(int32_t pgrp) = nullptr;
};
void set_job_control(const JobControl& hooks);
const JobControl& job_control();
// The hooks over kernel/proc (job_control.cpp).
JobControl process_job_control();

class Tty {
public:
    // `window`: what TIOCGWINSZ reports until TIOCSWINSZ changes it;
    // `settings`: the termios a new terminal starts with.
    Tty(const char* name, Driver& driver, const WinSize& window = WinSize{24, 80, 0, 0},
        const Termios& settings = standard_termios());
    const char* name() const { return name_; }
    // Its device number, as stat's st_rdev of its node shows it (0 until
    // set_device): /proc/<pid>/stat's tty_nr of the processes it controls.
    void set_device(uint32_t major, uint32_t minor);
    uint32_t device() const { return device_; }

    // ---- Driver side (any context).
    // Returns how many bytes the line discipline took: the rest did not fit
    // (a UART drops them; a pty keeps them until a read makes room).
    size_t receive(const uint8_t* bytes, size_t count);
    // Room in the driver again: held echoes go out (then, unless `start` is
    // false, the driver is started) and writers wake.
    void output_room(bool start = true);
    // Bytes receive() would take now.
    size_t input_room();

    // ---- Pseudo-terminals (pty.cpp; Linux's tty_vhangup and
    // TTY_OTHER_CLOSED).
    // The master went: reads return 0, writes and ioctls fail with EIO
    // (TIOCSPGRP ENOTTY), poll reports everything; the session's leader
    // gets SIGHUP and SIGCONT and the terminal controls no session.
    void hang_up();
    bool hung_up() const { return __atomic_load_n(&hung_up_, __ATOMIC_ACQUIRE); }
    // Every open of the other side closed: a read that finds no input fails
    // with EIO, poll adds POLLHUP. An open of the other side clears it.
    void set_other_closed(bool closed);
    // A pty pair taken again: fresh settings, window, no session, no input.
    void reset(const Termios& settings, const WinSize& window);
    // A master's packet mode (TIOCPKT, docs/tty.md "Pseudo-terminals"):
    // each read starts with a control byte, kTIOCPKT_DATA before data, or
    // alone the status bits the slave's flushes gathered (poll: POLLPRI).
    // Turning it on forgets older status.
    void set_packet_mode(bool on);
    bool packet_mode();
    // The slave flushed (kTIOCPKT_FLUSH* bits): noted if in packet mode.
    void packet_status(uint8_t bits);

    // ---- File side (thread context).
    // An open of the device: the driver's first open, then (unless
    // O_NOCTTY is in `flags` or the node may not become one, as
    // /dev/console) the terminal becomes the controlling terminal of a
    // calling session leader that has none, if no session has it and the
    // open allows reading (Linux's tty_open).
    lib::Expected<void> open(uint32_t flags = 0, bool may_control = false);
    lib::Expected<size_t> read(fs::IoBuffer& buffer, bool nonblocking);
    lib::Expected<size_t> write(fs::IoBuffer& buffer, bool nonblocking);
    uint32_t poll(fs::PollTable* table);
    // `file_flags`: the open file's (TIOCSCTTY needs it open for reading).
    // `from_master`: a pty master's ioctl acting on its slave (Linux's
    // real_tty): TIOCGPGRP and TIOCGSID answer without it being the
    // caller's controlling terminal.
    lib::Expected<int64_t> ioctl(uint32_t command, uint64_t argument, uint32_t file_flags = uapi::kO_RDWR,
                                 bool from_master = false);

    // Waits (at most until `deadline_ns`) for queued output to be sent: the
    // last close of a description, so that a program's last lines are out
    // before, say, the machine powers off after init ends.
    void drain(uint64_t deadline_ns);

    Termios termios();
    WinSize window_size();
    // The session whose controlling terminal this is (0: none) and its
    // foreground process group.
    int32_t session() const { return __atomic_load_n(&session_, __ATOMIC_RELAXED); }
    int32_t foreground_group() const { return __atomic_load_n(&pgrp_, __ATOMIC_RELAXED); }
    // Session `sid`'s leader ended: if this is its controlling terminal,
    // the foreground group gets SIGHUP and the terminal is free again.
    void end_session(int32_t sid);
    // For in-kernel tests (their pointers are not user memory, so they
    // cannot go through ioctl).
    void set_termios_for_test(const Termios& settings);
    void set_foreground_group_for_test(int32_t pgrp) { __atomic_store_n(&pgrp_, pgrp, __ATOMIC_RELAXED); }

private:
    void deliver_signal(int signal);
    bool is_callers_controlling_tty() const;
    // Linux's __tty_check_change: a caller in a background group of the
    // session that controls this terminal gets `signal` (SIGTTIN for a
    // read, SIGTTOU for a write under TOSTOP or a settings change) and
    // ERESTARTSYS, or EIO where it would not act on it.
    lib::Expected<void> check_background(int signal);
    // TIOCSCTTY, TIOCNOTTY, TIOCSPGRP.
    lib::Expected<int64_t> set_controlling(uint32_t flags, uint64_t argument);
    lib::Expected<int64_t> give_up_controlling();
    lib::Expected<int64_t> set_foreground(uint64_t argument);
    bool input_changed_since(uint64_t seen);

    const char* name_;
    uint32_t device_ = 0;
    Driver& driver_;
    fs::IrqSpinlock lock_;  // the discipline; the receive interrupt takes it
    LineDiscipline discipline_;
    uint64_t input_events_ = 0;  // bumped by every receive (readers' wake-up test)
    bool hung_up_ = false, other_closed_ = false;
    bool packet_ = false;        // lock_
    uint8_t packet_status_ = 0;  // lock_: kTIOCPKT_FLUSH* bits not read yet
    WinSize window_{};
    int32_t session_ = 0, pgrp_ = 0;
    bool opened_ = false;
    fs::Mutex open_mutex_{"tty open"};
    fs::WaitQueue read_wait_{"tty read"};
    fs::WaitQueue write_wait_{"tty write"};
    fs::PollHead poll_;
};

// The open file of a tty device node.
class TtyFile : public fs::File {
public:
    TtyFile(const fs::Path& path, fs::Inode* inode, uint32_t flags, Tty& tty) : File(path, inode, flags), tty_(tty) {}
    uint32_t poll(fs::PollTable* table) override { return tty_.poll(table); }
    bool pollable() const override { return true; }
    lib::Expected<int64_t> ioctl(uint32_t command, uint64_t argument) override {
        return tty_.ioctl(command, argument, flags());
    }
    lib::Expected<int64_t> seek(int64_t, int) override { return fs::fail(lib::Errno::kESPIPE, "a terminal"); }
    Tty& tty() const { return tty_; }

protected:
    bool seekable() const override { return false; }
    void on_close() override { tty_.drain(fs::now_ns() + 2000000000ULL); }
    lib::Expected<size_t> read_at(fs::IoBuffer& buffer, uint64_t*) override { return tty_.read(buffer, nonblocking()); }
    lib::Expected<size_t> write_at(fs::IoBuffer& buffer, uint64_t*) override {
        return tty_.write(buffer, nonblocking());
    }

private:
    Tty& tty_;
};

// An open of a terminal's device node: Tty::open, then its TtyFile.
lib::Expected<fs::File*> open_file(Tty& tty, const fs::Path& path, fs::Inode* inode, uint32_t flags,
                                   bool may_control);

// The terminals at boot: ttyS0 (COM1, interrupt-driven once opened), tty1,
// /dev/console (the serial terminal; never a controlling terminal, as in
// Linux), /dev/tty (the caller's controlling terminal, ENXIO without one),
// their nodes in /dev, and the job-control hooks. After fs::init and
// proc::init.
void init();
Tty* serial_tty();
// tty1, the framebuffer console with the keyboard (vt.cpp), and its nodes
// /dev/tty1 (4, 1) and /dev/tty0 (4, 0, the current virtual terminal: the
// same one). Called by init().
void init_vt();
Tty* vt_tty();
// Pseudo-terminals (pty.cpp): /dev/ptmx (5, 2) and the slaves /dev/pts/N
// (136, N) in devpts, at most kMaxPtys pairs at once. Called by init().
constexpr size_t kMaxPtys = 128;
void init_pty();

// Every terminal, for the controlling-terminal lookup (a session's is the
// one whose session() it is).
void register_tty(Tty& tty);
// The calling process's controlling terminal, or nullptr.
Tty* controlling_tty();
// A session leader ended (proc's session-end handler): each terminal it
// controlled lets go.
void end_session(int32_t sid);
// Session `sid`'s controlling terminal: its device number and foreground
// process group (/proc/<pid>/stat's tty_nr and tpgid; proc's lookup hook).
// False when the session has none.
bool session_terminal(int32_t sid, uint32_t& device, int32_t& foreground);

}  // namespace tty
