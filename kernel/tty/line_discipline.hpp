// The N_TTY line discipline as a pure state machine: what Linux's n_tty does
// between a terminal's hardware and read(2)/write(2), without locks, waits or
// timers. The tty device layer owns those: it serializes calls on one
// LineDiscipline, puts readers and writers on wait queues, runs the VTIME
// timer, and turns the events returned here into signals and wake-ups
// (docs/tty.md describes the whole TTY layer).
//
// Input (receive): ISTRIP, IUCLC, IGNCR/ICRNL/INLCR, IXON/IXANY flow control,
// ISIG (VINTR, VQUIT, VSUSP: reported to the caller, input flushed unless
// NOFLSH), canonical editing (VERASE, VKILL, VWERASE, VLNEXT, VREPRINT, VEOF,
// VEOL, VEOL2) with echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL,
// ECHOPRT), PARMRK doubling of 0xFF, IUTF8-aware erasing, breaks (BRKINT).
// Output (write and echo): OPOST with ONLCR, OCRNL, ONOCR, ONLRET, OLCUC and
// XTABS tab expansion, with the column kept for tab erasing.
// Reading: canonical lines (EOF returns what precedes it), and non-canonical
// VMIN/VTIME as a decision each time a read(2) looks at the buffer
// (ReadRequest/ReadStep). FIONREAD counts, poll readiness, TCFLSH, tcflow.
//
// The rules follow Linux's drivers/tty/n_tty.c and termios(3); the host
// tests compare byte for byte with a real Linux pty on the build machine.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/tty/termios.hpp"
#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace tty {

// Where output goes: a driver's transmit buffer (serial), the terminal
// emulator (console), or the other side of a pty.
class OutputSink {
public:
    // Bytes put() can take now. write() never gives more; echoes wait in the
    // discipline (up to kEchoBufferSize bytes of them) until there is room.
    virtual size_t room() const = 0;
    virtual void put(const uint8_t* bytes, size_t count) = 0;

protected:
    ~OutputSink() = default;
};

// What one receive() call did.
struct ReceiveResult {
    size_t accepted = 0;  // input bytes consumed; offer the rest again later
    // A signal for the foreground process group (kSIGINT, kSIGQUIT, kSIGTSTP),
    // or 0. receive() stops right after the byte that raised it.
    int signal = 0;
    // ISIG without NOFLSH: the driver must also drop output it has queued but
    // not yet sent (the discipline has already dropped input and echoes).
    bool flush_output = false;
};

// One read(2) in progress: made when the call starts, handed to
// LineDiscipline::read() each time the caller looks at the buffer.
class ReadRequest {
public:
    explicit ReadRequest(lib::Span<uint8_t> destination) : destination_(destination) {}

    size_t copied() const { return copied_; }
    // The timer a ReadStep asked for has run out.
    void timer_expired() { timer_expired_ = true; }

private:
    friend class LineDiscipline;
    lib::Span<uint8_t> destination_;
    size_t copied_ = 0;
    bool started_ = false;
    bool canonical_ = false;
    uint8_t minimum_ = 0;      // VMIN as read at the start (non-canonical)
    uint8_t deciseconds_ = 0;  // VTIME as read at the start
    bool timer_armed_ = false;
    bool timer_expired_ = false;
};

// The decision after a read() step.
struct ReadStep {
    enum class Action : uint8_t {
        kReturn,  // the read(2) returns copied() bytes now (0 is end of file or VMIN/VTIME's "nothing")
        kWait,    // wait for more input (O_NONBLOCK: return copied() if > 0, else EAGAIN)
    };
    enum class Timer : uint8_t {
        kNone,   // wait without a time limit
        kStart,  // (re)start a timer of `deciseconds` tenths of a second, then wait
        kKeep,   // keep the timer already running
    };
    Action action = Action::kReturn;
    Timer timer = Timer::kNone;
    uint8_t deciseconds = 0;
};

class LineDiscipline {
public:
    static constexpr size_t kBufferSize = 4096;      // N_TTY_BUF_SIZE
    static constexpr size_t kEchoBufferSize = 4096;  // echoes waiting for room in the sink

    LineDiscipline() : LineDiscipline(standard_termios()) {}
    explicit LineDiscipline(const Termios& settings);

    const Termios& termios() const { return termios_; }
    // TCSETS*: switching ICANON makes what is buffered readable (off: as raw
    // bytes; on: as one line). Clearing IXON restarts stopped output.
    void set_termios(const Termios& settings);

    // Bytes from the hardware (or a pty master). Echoes go to `echo`.
    ReceiveResult receive(lib::Span<const uint8_t> bytes, OutputSink& echo);
    // A break condition (serial): ignored, SIGINT (BRKINT), or a NUL byte.
    ReceiveResult receive_break(OutputSink& echo);

    // One step of a read(2): copies what it may into the request's buffer
    // and says whether the call returns or waits.
    ReadStep read(ReadRequest& request);

    // FIONREAD/TIOCINQ: bytes a read could return now (canonical: complete
    // lines, EOF markers not counted).
    size_t readable_bytes() const;
    // POLLIN: a canonical line, or VMIN bytes (when VTIME is 0) / 1 byte.
    bool poll_readable() const;
    // Room left in the input buffer (bytes receive() would accept now).
    size_t receive_room() const;

    // write(2): OPOST processing into `out`, never more than out.room().
    // Returns how many of `bytes` were consumed (0 while output is stopped).
    size_t write(lib::Span<const uint8_t> bytes, OutputSink& out);
    // Sends echoes that waited for room or for output to restart; the driver
    // calls it when its transmit buffer drains.
    void flush_echoes(OutputSink& out);

    // TCFLSH's TCIFLUSH: drops all input (lines, partial line, pending echoes).
    void flush_input();

    // Flow control: ^S/^Q with IXON, and tcflow() (TCXONC); EINVAL for an
    // unknown action, as Linux's n_tty_ioctl_helper.
    bool output_stopped() const { return stopped_; }
    lib::Expected<void> tcflow(int action, OutputSink& out);

    // The output column (for tab erasing), as n_tty keeps it.
    uint32_t column() const { return column_; }

private:
    bool lflag(TcFlag f) const { return termios_.c_lflag & f; }
    bool iflag(TcFlag f) const { return termios_.c_iflag & f; }
    bool oflag(TcFlag f) const { return termios_.c_oflag & f; }
    Cc cc(size_t index) const { return termios_.c_cc[index]; }
    bool is_special(uint8_t c) const { return special_[c / 64] >> (c % 64) & 1; }
    bool is_continuation(uint8_t c) const { return iflag(kIUTF8) && (c & 0xc0) == 0x80; }

    // The input buffer: indexes grow without bound and are masked to use.
    uint8_t at(size_t index) const { return buffer_[index % kBufferSize]; }
    size_t used() const { return read_head_ - read_tail_; }
    void put_input(uint8_t c) { buffer_[read_head_++ % kBufferSize] = c; }
    bool line_end(size_t index) const;
    void set_line_end(size_t index, bool on);
    void reset_input();
    void compute_special_characters();

    // Input processing (n_tty_receive_*).
    void receive_char(uint8_t c, ReceiveResult& result, OutputSink& echo);
    void receive_special(uint8_t c, ReceiveResult& result, OutputSink& echo);
    void receive_ordinary(uint8_t c, OutputSink& echo);
    void receive_signal(int signal, uint8_t c, ReceiveResult& result, OutputSink& echo);
    void end_line(uint8_t stored);
    void erase(uint8_t c);
    void erase_tab_echo(size_t erased_from);
    void start_output(OutputSink& out);

    // Echo (echo_char, echo_char_raw, finish_erasing): operations queued now,
    // turned into output (and column changes) when they can be sent, with the
    // settings of that moment (process_echoes).
    void echo_char(uint8_t c);
    void echo_raw(uint8_t c);
    void echo_operation(uint8_t operation, uint8_t argument);
    void echo_queue(const uint8_t* bytes, size_t count);
    void set_canon_column_if_line_empty();
    void finish_erasing();
    // Output processing of one byte (do_output_char): bytes put, -1 without room.
    int output_char(uint8_t c, OutputSink& out, size_t room);

    // Reading.
    void copy_canonical(ReadRequest& request, bool& line_complete);
    void copy_raw(ReadRequest& request);

    Termios termios_;
    uint64_t special_[4] = {};  // bitmap of the bytes receive_special() looks at

    uint8_t buffer_[kBufferSize] = {};
    uint64_t line_ends_[kBufferSize / 64] = {};  // set at the last byte of each line
    size_t read_tail_ = 0;   // next byte a read takes
    size_t canon_head_ = 0;  // end of the complete lines (canonical mode)
    size_t read_head_ = 0;   // end of everything received
    bool canonical_ = true;
    bool literal_next_ = false;  // VLNEXT seen: the next byte is plain data
    bool erasing_ = false;       // inside an ECHOPRT "\...": erased text
    bool stopped_ = false;       // output stopped by VSTOP or tcflow
    bool stopped_by_tcflow_ = false;

    uint32_t column_ = 0;        // where the output cursor is
    uint32_t canon_column_ = 0;  // column where the current line's echo began

    // Pending echo: plain bytes, and operations that start with 0xFF (see
    // line_discipline.cpp).
    uint8_t echo_[kEchoBufferSize] = {};
    size_t echo_length_ = 0;
};

}  // namespace tty
