// Host tests of the line discipline. Most cases are differential: the same
// settings and keystrokes go to our LineDiscipline and to a real Linux pty on
// this machine (input injected with TIOCSTI, which runs the kernel's n_tty
// synchronously), and the echo, every read(2), FIONREAD and poll readiness
// must agree byte for byte. A few cases spell the expected bytes out, and
// the VMIN/VTIME decisions (which need a clock) are checked against termios(3).
#include "kernel/tty/line_discipline.hpp"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <functional>
#include <utility>
#include <string>
#include <vector>

namespace {

using tty::LineDiscipline;
using tty::ReadRequest;
using tty::ReadStep;
using tty::Termios;

// A sink that takes everything (or `limit` bytes) and keeps it.
class StringSink final : public tty::OutputSink {
public:
    size_t room() const override { return limit - bytes.size(); }
    void put(const uint8_t* data, size_t count) override {
        ASSERT_LE(count, room());
        bytes.append(reinterpret_cast<const char*>(data), count);
    }
    std::string take() { return std::exchange(bytes, {}); }

    std::string bytes;
    size_t limit = 1 << 20;
};

lib::Span<const uint8_t> span_of(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// --- what happened, on either side ------------------------------------------

// One observable result of a step: kind letter + value, so a mismatch reads
// well in the failure message ("R:ab\n" is a read that returned "ab\n").
using Trace = std::vector<std::string>;
const std::string kEndOfStep = "\n";

std::string read_result(ssize_t n, const char* data) {
    if (n < 0) return "R:EAGAIN";
    return "R:" + std::string(data, size_t(n));
}

// The steps of a session: the same list runs against both terminals.
struct Step {
    enum Kind { kType, kRead, kWrite, kSettings, kFlushInput } kind;
    std::string bytes;
    size_t count = 0;
    std::function<void(Termios&)> change;
};
Step type(std::string bytes) { return {Step::kType, std::move(bytes), 0, {}}; }
Step read_up_to(size_t count) { return {Step::kRead, {}, count, {}}; }
Step write_out(std::string bytes) { return {Step::kWrite, std::move(bytes), 0, {}}; }
Step settings(std::function<void(Termios&)> change) { return {Step::kSettings, {}, 0, std::move(change)}; }
Step flush_input() { return {Step::kFlushInput, {}, 0, {}}; }

// Our side.
class Model {
public:
    explicit Model(const Termios& t) : discipline_(t) {}

    Trace run(const std::vector<Step>& steps) {
        Trace trace;
        for (const Step& step : steps) {
            switch (step.kind) {
                case Step::kType:
                    for (char c : step.bytes) {
                        const uint8_t byte = uint8_t(c);
                        tty::ReceiveResult result = discipline_.receive({&byte, 1}, sink_);
                        EXPECT_EQ(result.accepted, 1u);
                    }
                    break;
                case Step::kRead: {
                    std::vector<uint8_t> buffer(step.count);
                    ReadRequest request({buffer.data(), buffer.size()});
                    ReadStep decision = discipline_.read(request);
                    // O_NONBLOCK: a wait becomes EAGAIN unless something was copied.
                    const bool eagain = decision.action == ReadStep::Action::kWait && request.copied() == 0;
                    trace.push_back(read_result(eagain ? -1 : ssize_t(request.copied()),
                                                reinterpret_cast<const char*>(buffer.data())));
                    break;
                }
                case Step::kWrite: {
                    size_t written = discipline_.write(span_of(step.bytes), sink_);
                    trace.push_back(written == 0 && !step.bytes.empty() ? "W:EAGAIN" : "W:" + std::to_string(written));
                    break;
                }
                case Step::kSettings: {
                    Termios t = discipline_.termios();
                    step.change(t);
                    discipline_.set_termios(t);
                    discipline_.flush_echoes(sink_);
                    break;
                }
                case Step::kFlushInput: discipline_.flush_input(); break;
            }
            trace.push_back("E:" + sink_.take());
            trace.push_back("N:" + std::to_string(discipline_.readable_bytes()));
            trace.push_back(std::string("P:") + (discipline_.poll_readable() ? "1" : "0"));
            trace.push_back(kEndOfStep);
        }
        return trace;
    }

    LineDiscipline& discipline() { return discipline_; }

private:
    LineDiscipline discipline_;
    StringSink sink_;
};

// Linux's side: a pty whose slave gets the settings; typed bytes go in with
// TIOCSTI on the slave (the n_tty receive path, run synchronously), echoes and
// writes come out of the master (in raw mode, unchanged).
class LinuxPty {
public:
    LinuxPty() {
        master_ = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
        if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) return;
        slave_ = open(ptsname(master_), O_RDWR | O_NOCTTY | O_NONBLOCK);
    }
    ~LinuxPty() {
        if (slave_ >= 0) close(slave_);
        if (master_ >= 0) close(master_);
    }

    // Whether TIOCSTI works here (it needs CAP_SYS_ADMIN, or the pty as the
    // controlling terminal on kernels that still allow it).
    bool usable() {
        if (slave_ < 0) return false;
        Termios t = tty::standard_termios();
        t.c_lflag &= ~tty::kECHO;
        if (ioctl(slave_, tty::kTCSETS, &t) != 0) return false;
        char c = 'x';
        if (ioctl(slave_, tty::kTIOCSTI, &c) != 0) return false;
        ioctl(slave_, tty::kTCFLSH, tty::kTCIFLUSH);
        return true;
    }

    Trace run(const Termios& initial, const std::vector<Step>& steps) {
        Trace trace;
        Termios current = initial;
        EXPECT_EQ(ioctl(slave_, tty::kTCSETS, &current), 0);
        ioctl(slave_, tty::kTCFLSH, tty::kTCIOFLUSH);
        drain_master();
        for (const Step& step : steps) {
            switch (step.kind) {
                case Step::kType:
                    for (char c : step.bytes) {
                        EXPECT_EQ(ioctl(slave_, tty::kTIOCSTI, &c), 0) << strerror(errno);
                        echo_ += drain_master();  // never lets the echo back up
                    }
                    break;
                case Step::kRead: {
                    std::vector<char> buffer(step.count + 1);
                    ssize_t n = ::read(slave_, buffer.data(), step.count);
                    if (n < 0) EXPECT_EQ(errno, EAGAIN);
                    trace.push_back(read_result(n, buffer.data()));
                    break;
                }
                case Step::kWrite: {
                    ssize_t n = ::write(slave_, step.bytes.data(), step.bytes.size());
                    if (n < 0) EXPECT_EQ(errno, EAGAIN);
                    trace.push_back(n < 0 ? "W:EAGAIN" : "W:" + std::to_string(n));
                    break;
                }
                case Step::kSettings:
                    step.change(current);
                    EXPECT_EQ(ioctl(slave_, tty::kTCSETS, &current), 0);
                    break;
                case Step::kFlushInput: EXPECT_EQ(ioctl(slave_, tty::kTCFLSH, tty::kTCIFLUSH), 0); break;
            }
            echo_ += drain_master();
            trace.push_back("E:" + std::exchange(echo_, {}));
            int available = -1;
            EXPECT_EQ(ioctl(slave_, tty::kFIONREAD, &available), 0);
            trace.push_back("N:" + std::to_string(available));
            pollfd p{slave_, POLLIN, 0};
            EXPECT_GE(poll(&p, 1, 0), 0);
            trace.push_back(std::string("P:") + ((p.revents & POLLIN) ? "1" : "0"));
            trace.push_back(kEndOfStep);
        }
        return trace;
    }

private:
    // Everything the master can read now. A read that finds nothing first
    // waits for the pty's pending buffer work (n_tty_read flushes it), so an
    // EAGAIN here means the echo is complete.
    std::string drain_master() {
        std::string out;
        char buffer[4096];
        for (;;) {
            ssize_t n = ::read(master_, buffer, sizeof buffer);
            if (n <= 0) break;
            out.append(buffer, size_t(n));
        }
        return out;
    }

    int master_ = -1, slave_ = -1;
    std::string echo_;
};

std::string printable(const std::string& bytes) {
    std::string out;
    for (unsigned char c : bytes) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += char(c);
        } else {
            char hex[8];
            snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out;
}

// The trace of step after step, one line each.
std::vector<std::string> by_step(const Trace& trace) {
    std::vector<std::string> steps(1);
    for (const std::string& entry : trace) {
        if (entry == kEndOfStep)
            steps.emplace_back();
        else
            steps.back() += printable(entry) + " ";
    }
    return steps;
}

std::string describe(const Step& step) {
    switch (step.kind) {
        case Step::kType: return "type \"" + printable(step.bytes) + "\"";
        case Step::kRead: return "read " + std::to_string(step.count);
        case Step::kWrite: return "write \"" + printable(step.bytes) + "\"";
        case Step::kSettings: return "settings";
        case Step::kFlushInput: return "flush input";
    }
    return "?";
}

std::string describe(const Termios& t) {
    char text[128];
    snprintf(text, sizeof text, "iflag=%#x oflag=%#x lflag=%#x VMIN=%u VTIME=%u", t.c_iflag, t.c_oflag, t.c_lflag,
             t.c_cc[tty::kVMIN], t.c_cc[tty::kVTIME]);
    return text;
}

// Runs `steps` on both from `initial` and compares what each step showed;
// a failure lists the session up to the first difference.
void expect_same_as_linux(const Termios& initial, const std::vector<Step>& steps) {
    LinuxPty linux_pty;
    if (!linux_pty.usable()) GTEST_SKIP() << "TIOCSTI is not permitted here (needs CAP_SYS_ADMIN)";
    const std::vector<std::string> expected = by_step(linux_pty.run(initial, steps));
    Model model(initial);
    const std::vector<std::string> ours = by_step(model.run(steps));
    ASSERT_EQ(ours.size(), expected.size());
    for (size_t i = 0; i < ours.size(); ++i) {
        if (ours[i] == expected[i]) continue;
        std::string session = "from " + describe(initial) + "\n";
        Termios current = initial;
        for (size_t j = 0; j <= i && j < steps.size(); ++j) {
            if (steps[j].kind == Step::kSettings) steps[j].change(current);
            session += "  " + describe(steps[j]) +
                       (steps[j].kind == Step::kSettings ? " " + describe(current) : std::string()) + "\n    -> " +
                       expected[j] + "\n";
        }
        ADD_FAILURE() << session << "ours: " << ours[i] << "\nLinux: " << expected[i];
        return;
    }
}

Termios cooked() {
    return tty::standard_termios();
}
Termios with(std::function<void(Termios&)> change) {
    Termios t = tty::standard_termios();
    change(t);
    return t;
}

// --- canonical mode -----------------------------------------------------------

TEST(LineDisciplineVsLinux, CookedLineWithEcho) {
    expect_same_as_linux(cooked(), {type("hello"), read_up_to(100), type("\r"), read_up_to(100), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, SeveralLinesAndShortReads) {
    expect_same_as_linux(cooked(), {type("one\rtwo\rthr"), read_up_to(2), read_up_to(10), read_up_to(10),
                                    read_up_to(10), type("ee\r"), read_up_to(10)});
}

TEST(LineDisciplineVsLinux, EraseCharacters) {
    expect_same_as_linux(cooked(), {type("abc\x7f\x7f" "d\r"), read_up_to(100), type("\x7f\x7fx\x7f\r"),
                                    read_up_to(100)});
}

TEST(LineDisciplineVsLinux, EraseControlCharacterEchoedAsTwoColumns) {
    expect_same_as_linux(cooked(), {type("a\x01\x7f\x7f" "b\r"), read_up_to(100)});
    expect_same_as_linux(with([](Termios& t) { t.c_lflag &= ~tty::kECHOCTL; }),
                         {type("a\x01\x7f" "b\r"), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, EraseWithoutEchoeEchoesTheEraseCharacter) {
    expect_same_as_linux(with([](Termios& t) { t.c_lflag &= ~tty::kECHOE; }),
                         {type("abc\x7f\x7f\r"), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, KillLineEachEchoStyle) {
    const std::vector<Step> steps = {type("abc\x01\t\x15xy\r"), read_up_to(100)};
    expect_same_as_linux(cooked(), steps);  // ECHOKE: wiped visually
    expect_same_as_linux(with([](Termios& t) { t.c_lflag &= ~tty::kECHOKE; }), steps);  // ^U and a newline
    expect_same_as_linux(with([](Termios& t) { t.c_lflag &= ~(tty::kECHOKE | tty::kECHOK); }), steps);
    expect_same_as_linux(with([](Termios& t) { t.c_lflag &= ~tty::kECHO; }), steps);
}

TEST(LineDisciplineVsLinux, WordErase) {
    expect_same_as_linux(cooked(), {type("foo bar_baz  \x17\r"), read_up_to(100), type("one two\x17\x17x\r"),
                                    read_up_to(100), type("a.b-c\x17\x17\r"), read_up_to(100)});
    // Without IEXTEN, ^W is ordinary data.
    expect_same_as_linux(with([](Termios& t) { t.c_lflag &= ~tty::kIEXTEN; }), {type("ab\x17\r"), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, TabEraseReturnsToTheTabStart) {
    expect_same_as_linux(cooked(), {type("ab\tc\x7f\x7f\x7f\r"), read_up_to(100)});
    // After a prompt written by the program, and after an earlier tab.
    expect_same_as_linux(cooked(), {write_out("$ "), type("x\t\x7f\r"), read_up_to(100), write_out("prompt>"),
                                    type("\tab\t\x7f\x7f\x7f\x7f\r"), read_up_to(100)});
    expect_same_as_linux(cooked(), {type("\x01\x02\t\x7f\r"), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, LiteralNext) {
    expect_same_as_linux(cooked(), {type("a\x16\x03\x16\x7f\x16\x15" "b\r"), read_up_to(100)});
    expect_same_as_linux(cooked(), {type("\x16\r\x16\n\r"), read_up_to(100), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, Reprint) {
    expect_same_as_linux(cooked(), {type("abc\x7f\x01\x12" "d\r"), read_up_to(100)});
    expect_same_as_linux(cooked(), {type("first\rsec\x12\r"), read_up_to(100), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, EndOfFile) {
    expect_same_as_linux(cooked(), {type("abc\x04"), read_up_to(100), type("\x04"), read_up_to(100),
                                    read_up_to(100), type("x\x04\x04"), read_up_to(100), read_up_to(100)});
    // Partial reads across a line ended by EOF.
    expect_same_as_linux(cooked(), {type("abcd\x04"), read_up_to(3), read_up_to(3), read_up_to(3)});
}

TEST(LineDisciplineVsLinux, ExtraLineEnds) {
    auto eol = [](Termios& t) {
        t.c_cc[tty::kVEOL] = ';';
        t.c_cc[tty::kVEOL2] = '|';
    };
    expect_same_as_linux(with(eol), {type("ab;cd|ef\r"), read_up_to(100), read_up_to(100), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, NewlineEchoOnlyWithEchonl) {
    expect_same_as_linux(with([](Termios& t) { t.c_lflag = (t.c_lflag & ~tty::kECHO) | tty::kECHONL; }),
                         {type("secret\r"), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, EchoprtHardcopyErase) {
    expect_same_as_linux(with([](Termios& t) { t.c_lflag |= tty::kECHOPRT; }),
                         {type("abc\x7f\x7f" "d\x7f\r"), read_up_to(100), type("xy\x17z\r"), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, Utf8ErasesWholeCharacters) {
    const std::vector<Step> steps = {type("a\xc3\xa9\xe2\x82\xac\x7f\x7f\r"), read_up_to(100)};
    expect_same_as_linux(with([](Termios& t) { t.c_iflag |= tty::kIUTF8; }), steps);
    expect_same_as_linux(cooked(), steps);  // without IUTF8: byte by byte
    expect_same_as_linux(with([](Termios& t) { t.c_iflag |= tty::kIUTF8; }),
                         {type("w\xc3\xa9rd x\x17\x17\r"), read_up_to(100)});
}

// --- input translation -------------------------------------------------------

TEST(LineDisciplineVsLinux, CarriageReturnAndNewlineMapping) {
    expect_same_as_linux(with([](Termios& t) { t.c_iflag &= ~tty::kICRNL; }),
                         {type("a\rb\n"), read_up_to(100)});
    expect_same_as_linux(with([](Termios& t) { t.c_iflag |= tty::kIGNCR; }), {type("a\rb\n"), read_up_to(100)});
    expect_same_as_linux(with([](Termios& t) { t.c_iflag = (t.c_iflag & ~tty::kICRNL) | tty::kINLCR; }),
                         {type("a\nb\r"), read_up_to(100), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, StripAndLowercase) {
    expect_same_as_linux(with([](Termios& t) { t.c_iflag |= tty::kISTRIP; }),
                         {type("\xe9\x8d" "b\r"), read_up_to(100)});
    expect_same_as_linux(with([](Termios& t) { t.c_iflag |= tty::kIUCLC; }), {type("AbC\xc9\r"), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, ParmrkDoublesFF) {
    auto raw_parmrk = [](Termios& t) {
        t.c_lflag &= ~(tty::kICANON | tty::kECHO);
        t.c_iflag |= tty::kPARMRK;
    };
    expect_same_as_linux(with(raw_parmrk), {type("a\xff" "b"), read_up_to(100)});
}

// --- signals ----------------------------------------------------------------

TEST(LineDisciplineVsLinux, SignalCharactersFlushInputAndEcho) {
    expect_same_as_linux(cooked(), {type("one\rabc\x03"), read_up_to(100), type("x\x1c" "y\x1a" "z\r"),
                                    read_up_to(100)});
    expect_same_as_linux(with([](Termios& t) { t.c_lflag |= tty::kNOFLSH; }),
                         {type("one\rabc\x03" "def\r"), read_up_to(100), read_up_to(100)});
    // Without ISIG they are data, echoed as ^C.
    expect_same_as_linux(with([](Termios& t) { t.c_lflag &= ~tty::kISIG; }),
                         {type("a\x03\x1a\r"), read_up_to(100)});
}

TEST(LineDiscipline, SignalCharactersAreReported) {
    LineDiscipline ld;
    StringSink sink;
    const std::string input = "ab\x03" "cd\x1c\x1a";
    tty::ReceiveResult r = ld.receive(span_of(input), sink);
    EXPECT_EQ(r.accepted, 3u);  // stops right after ^C
    EXPECT_EQ(r.signal, tty::kSIGINT);
    EXPECT_TRUE(r.flush_output);
    r = ld.receive(span_of(input).subspan(3), sink);
    EXPECT_EQ(r.accepted, 3u);
    EXPECT_EQ(r.signal, tty::kSIGQUIT);
    r = ld.receive(span_of(input).subspan(6), sink);
    EXPECT_EQ(r.signal, tty::kSIGTSTP);
    // Echoes still pending when a signal flushes are lost, as in n_tty,
    // which sends the echoes of one batch of input at its end.
    EXPECT_EQ(sink.take(), "^C^\\^Z");
    EXPECT_EQ(ld.readable_bytes(), 0u);

    // NOFLSH: the signal is reported, nothing is flushed.
    Termios t = ld.termios();
    t.c_lflag |= tty::kNOFLSH;
    ld.set_termios(t);
    r = ld.receive(span_of("x\x03"), sink);
    EXPECT_EQ(r.signal, tty::kSIGINT);
    EXPECT_FALSE(r.flush_output);
    ld.receive(span_of("\r"), sink);
    EXPECT_EQ(ld.readable_bytes(), 2u);  // "x\n"
}

TEST(LineDiscipline, BreakConditions) {
    StringSink sink;
    LineDiscipline brkint(with([](Termios& t) { t.c_iflag |= tty::kBRKINT; }));
    brkint.receive(span_of("abc"), sink);
    tty::ReceiveResult r = brkint.receive_break(sink);
    EXPECT_EQ(r.signal, tty::kSIGINT);
    EXPECT_TRUE(r.flush_output);
    EXPECT_EQ(brkint.readable_bytes(), 0u);

    LineDiscipline marked(with([](Termios& t) {
        t.c_iflag |= tty::kPARMRK;
        t.c_lflag &= ~tty::kICANON;
    }));
    EXPECT_EQ(marked.receive_break(sink).signal, 0);
    EXPECT_EQ(marked.readable_bytes(), 3u);  // \377 \0 \0

    LineDiscipline ignored(with([](Termios& t) { t.c_iflag |= tty::kIGNBRK; }));
    EXPECT_EQ(ignored.receive_break(sink).signal, 0);
    EXPECT_EQ(ignored.readable_bytes(), 0u);
}

// --- flow control ------------------------------------------------------------

TEST(LineDisciplineVsLinux, StopAndStartOutput) {
    expect_same_as_linux(cooked(), {type("\x13"), write_out("held"), type("ab"), type("\x11"), write_out("go"),
                                    type("\r"), read_up_to(100)});
    // IXANY: any character restarts.
    expect_same_as_linux(with([](Termios& t) { t.c_iflag |= tty::kIXANY; }),
                         {type("\x13"), write_out("x"), type("q"), write_out("y")});
    // Clearing IXON restarts stopped output.
    expect_same_as_linux(cooked(), {type("\x13z"), settings([](Termios& t) { t.c_iflag &= ~tty::kIXON; }),
                                    write_out("w")});
}

TEST(LineDiscipline, Tcflow) {
    LineDiscipline ld;
    StringSink sink;
    EXPECT_TRUE(ld.tcflow(tty::kTCOOFF, sink));
    EXPECT_TRUE(ld.output_stopped());
    EXPECT_EQ(ld.write(span_of("x"), sink), 0u);
    ld.receive(span_of("\x11"), sink);  // ^Q does not undo tcflow(TCOOFF)
    EXPECT_TRUE(ld.output_stopped());
    EXPECT_TRUE(ld.tcflow(tty::kTCOON, sink));
    EXPECT_FALSE(ld.output_stopped());
    EXPECT_EQ(sink.take(), "");
    EXPECT_TRUE(ld.tcflow(tty::kTCIOFF, sink));
    EXPECT_TRUE(ld.tcflow(tty::kTCION, sink));
    EXPECT_EQ(sink.take(), "\x13\x11");
    EXPECT_EQ(ld.tcflow(7, sink).error().code, lib::Errno::kEINVAL);
}

// --- non-canonical mode ------------------------------------------------------

auto raw_mode(uint8_t vmin, uint8_t vtime) {
    return [=](Termios& t) {
        t.c_lflag &= ~tty::kICANON;
        t.c_cc[tty::kVMIN] = vmin;
        t.c_cc[tty::kVTIME] = vtime;
    };
}

TEST(LineDisciplineVsLinux, NonCanonicalReads) {
    expect_same_as_linux(with(raw_mode(1, 0)), {type("ab\x7f\rc"), read_up_to(2), read_up_to(10), read_up_to(10)});
    expect_same_as_linux(with(raw_mode(0, 0)), {read_up_to(10), type("xy"), read_up_to(10)});
    expect_same_as_linux(with(raw_mode(3, 0)), {type("xy"), read_up_to(10), type("z"), type("uvw"),
                                                read_up_to(10)});
    expect_same_as_linux(with(raw_mode(0, 5)), {read_up_to(10), type("q"), read_up_to(10)});
}

TEST(LineDisciplineVsLinux, SwitchingCanonicalModeKeepsInput) {
    expect_same_as_linux(cooked(), {type("line\rpart"), settings(raw_mode(1, 0)), read_up_to(100),
                                    type("more"), settings([](Termios& t) { t.c_lflag |= tty::kICANON; }),
                                    read_up_to(100), type("x\x7f" "y\r"), read_up_to(100)});
}

TEST(LineDisciplineVsLinux, FlushInput) {
    expect_same_as_linux(cooked(), {type("abc\rde"), flush_input(), type("f\r"), read_up_to(100)});
}

// A full buffer: canonical mode keeps editing the last slot so that the line
// can still end; raw mode stops taking input.
TEST(LineDisciplineVsLinux, FullBuffer) {
    expect_same_as_linux(with([](Termios& t) { t.c_lflag &= ~tty::kECHO; }),
                         {type(std::string(4200, 'a') + "\x7f" "b\r"), read_up_to(5000)});
}

TEST(LineDiscipline, FullBufferInRawModeRefusesInput) {
    LineDiscipline ld(with(raw_mode(1, 0)));
    StringSink sink;
    const std::string input(5000, 'x');
    tty::ReceiveResult r = ld.receive(span_of(input), sink);
    EXPECT_EQ(r.accepted, LineDiscipline::kBufferSize - 1);
    EXPECT_EQ(ld.receive_room(), 0u);
    std::vector<uint8_t> buffer(100);
    ReadRequest request({buffer.data(), buffer.size()});
    ld.read(request);
    EXPECT_EQ(ld.receive_room(), 100u);
}

// The VMIN/VTIME rules of termios(3) "Noncanonical mode", as decisions.
TEST(LineDiscipline, VminVtimeDecisions) {
    StringSink sink;
    uint8_t buffer[16];
    using Action = ReadStep::Action;
    using Timer = ReadStep::Timer;

    {  // MIN 0, TIME 0: polling read, returns at once.
        LineDiscipline ld(with(raw_mode(0, 0)));
        ReadRequest r({buffer, sizeof buffer});
        EXPECT_EQ(ld.read(r).action, Action::kReturn);
        EXPECT_EQ(r.copied(), 0u);
    }
    {  // MIN 0, TIME 5: one timer for the whole read; any byte ends it.
        LineDiscipline ld(with(raw_mode(0, 5)));
        ReadRequest r({buffer, sizeof buffer});
        ReadStep s = ld.read(r);
        EXPECT_EQ(s.action, Action::kWait);
        EXPECT_EQ(s.timer, Timer::kStart);
        EXPECT_EQ(s.deciseconds, 5);
        s = ld.read(r);  // woken with nothing new: the same timer runs on
        EXPECT_EQ(s.timer, Timer::kKeep);
        r.timer_expired();
        EXPECT_EQ(ld.read(r).action, Action::kReturn);
        EXPECT_EQ(r.copied(), 0u);

        ReadRequest r2({buffer, sizeof buffer});
        EXPECT_EQ(ld.read(r2).action, Action::kWait);
        ld.receive(span_of("k"), sink);
        EXPECT_EQ(ld.read(r2).action, Action::kReturn);
        EXPECT_EQ(r2.copied(), 1u);
    }
    {  // MIN 3, TIME 0: waits without a timer for three bytes.
        LineDiscipline ld(with(raw_mode(3, 0)));
        ReadRequest r({buffer, sizeof buffer});
        ld.receive(span_of("ab"), sink);
        ReadStep s = ld.read(r);
        EXPECT_EQ(s.action, Action::kWait);
        EXPECT_EQ(s.timer, Timer::kNone);
        EXPECT_FALSE(ld.poll_readable());  // poll wants VMIN bytes too
        ld.receive(span_of("cd"), sink);
        EXPECT_EQ(ld.read(r).action, Action::kReturn);
        EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), r.copied()), "abcd");
        // A read smaller than VMIN is satisfied by what it asked for.
        ReadRequest small({buffer, 2});
        ld.receive(span_of("xyz"), sink);
        EXPECT_EQ(ld.read(small).action, Action::kReturn);
        EXPECT_EQ(small.copied(), 2u);
    }
    {  // MIN 3, TIME 2: no timer before the first byte; an inter-byte timer after.
        LineDiscipline ld(with(raw_mode(3, 2)));
        ReadRequest r({buffer, sizeof buffer});
        ReadStep s = ld.read(r);
        EXPECT_EQ(s.action, Action::kWait);
        EXPECT_EQ(s.timer, Timer::kNone);
        ld.receive(span_of("a"), sink);
        s = ld.read(r);
        EXPECT_EQ(s.timer, Timer::kStart);
        EXPECT_EQ(s.deciseconds, 2);
        EXPECT_EQ(ld.read(r).timer, Timer::kKeep);
        ld.receive(span_of("b"), sink);
        EXPECT_EQ(ld.read(r).timer, Timer::kStart);  // restarted by the arrival
        r.timer_expired();
        EXPECT_EQ(ld.read(r).action, Action::kReturn);
        EXPECT_EQ(r.copied(), 2u);
        EXPECT_TRUE(ld.poll_readable() == false);
    }
    {  // Canonical: waits for a whole line whatever VMIN/VTIME say.
        LineDiscipline ld(with([](Termios& t) { t.c_cc[tty::kVMIN] = 0; }));
        ReadRequest r({buffer, sizeof buffer});
        ld.receive(span_of("ab"), sink);
        EXPECT_EQ(ld.read(r).action, Action::kWait);
        ld.receive(span_of("\r"), sink);
        EXPECT_EQ(ld.read(r).action, Action::kReturn);
        EXPECT_EQ(r.copied(), 3u);
    }
}

// --- output -------------------------------------------------------------------

TEST(LineDisciplineVsLinux, OutputProcessing) {
    const std::vector<Step> steps = {write_out("a\nb\tc\r\rd\x08\x08\t!\n\r")};
    expect_same_as_linux(cooked(), steps);
    expect_same_as_linux(with([](Termios& t) { t.c_oflag = tty::kOPOST | tty::kOCRNL; }), steps);
    expect_same_as_linux(with([](Termios& t) { t.c_oflag = tty::kOPOST | tty::kONOCR | tty::kONLCR; }), steps);
    expect_same_as_linux(with([](Termios& t) { t.c_oflag = tty::kOPOST | tty::kONLRET | tty::kOCRNL; }), steps);
    expect_same_as_linux(with([](Termios& t) { t.c_oflag |= tty::kXTABS | tty::kOLCUC; }),
                         {write_out("ab\tcd\xe9\t\x01x\n")});
    expect_same_as_linux(with([](Termios& t) { t.c_oflag &= ~tty::kOPOST; }), steps);
}

TEST(LineDisciplineVsLinux, EchoFollowsOutputColumn) {
    // Tab erase after output that moved the column with tabs and backspaces.
    expect_same_as_linux(cooked(), {write_out("ab\tc\b\b"), type("\tx\x7f\x7f\r"), read_up_to(100)});
    expect_same_as_linux(with([](Termios& t) { t.c_oflag &= ~tty::kOPOST; }),
                         {type("a\tb\x7f\x7f\x01\r"), read_up_to(100)});
}

TEST(LineDiscipline, WriteStopsAtTheSinkRoom) {
    LineDiscipline ld;
    StringSink sink;
    sink.limit = 5;
    EXPECT_EQ(ld.write(span_of("abcd\nef"), sink), 4u);  // "\r\n" needs two
    EXPECT_EQ(sink.bytes, "abcd");
    sink.limit = 10;
    EXPECT_EQ(ld.write(span_of("\nef"), sink), 3u);
    EXPECT_EQ(sink.take(), "abcd\r\nef");
}

TEST(LineDiscipline, EchoWaitsForRoom) {
    LineDiscipline ld;
    StringSink sink;
    sink.limit = 2;
    ld.receive(span_of("abcd"), sink);
    EXPECT_EQ(sink.bytes, "ab");
    sink.limit = 100;
    ld.flush_echoes(sink);
    EXPECT_EQ(sink.take(), "abcd");
}

// --- counts -------------------------------------------------------------------

TEST(LineDisciplineVsLinux, ReadableCountsSkipEofMarkers) {
    expect_same_as_linux(cooked(), {type("ab\x04" "cd\r\x04"), read_up_to(1), read_up_to(10), read_up_to(10),
                                    read_up_to(10)});
}

// Long random sessions of keystrokes, reads and writes under random
// settings: everything observed must agree with Linux.
TEST(LineDisciplineVsLinux, RandomSessions) {
    const char alphabet[] = "ab_ .\t\r\n\x7f\x15\x17\x16\x12\x04\x01\x03\x1c\x1a\x13\x11\x1b[A\xc3\xa9\xff";
    const tty::TcFlag iflags[] = {tty::kICRNL, tty::kINLCR, tty::kIGNCR, tty::kISTRIP, tty::kIXON, tty::kIXANY,
                                  tty::kIUTF8, tty::kIUCLC, tty::kPARMRK};
    const tty::TcFlag oflags[] = {tty::kOPOST, tty::kONLCR, tty::kOCRNL, tty::kONOCR, tty::kONLRET, tty::kXTABS,
                                  tty::kOLCUC};
    const tty::TcFlag lflags[] = {tty::kISIG,   tty::kICANON, tty::kECHO,    tty::kECHOE,  tty::kECHOK, tty::kECHONL,
                                  tty::kNOFLSH, tty::kECHOCTL, tty::kECHOPRT, tty::kECHOKE, tty::kIEXTEN};
    uint32_t seed = 12345;
    auto next = [&] { return seed = seed * 1103515245 + 12345, (seed >> 16) & 0x7fff; };
    auto random_termios = [&] {
        Termios t = tty::standard_termios();
        for (tty::TcFlag f : iflags)
            if (next() % 4 == 0) t.c_iflag ^= f;
        for (tty::TcFlag f : oflags)
            if (next() % 4 == 0) t.c_oflag ^= f;
        for (tty::TcFlag f : lflags)
            if (next() % 4 == 0) t.c_lflag ^= f;
        if (next() % 3 == 0) t.c_cc[tty::kVEOL] = '.';
        t.c_cc[tty::kVMIN] = uint8_t(next() % 3);
        t.c_cc[tty::kVTIME] = uint8_t(next() % 2);
        return t;
    };
    for (int round = 0; round < 200; ++round) {
        std::vector<Step> steps;
        for (int i = 0; i < 40; ++i) {
            std::string keys;
            for (uint32_t k = next() % 6; k > 0; --k) keys += alphabet[next() % (sizeof alphabet - 1)];
            steps.push_back(type(keys));
            if (next() % 3 == 0) steps.push_back(read_up_to(1 + next() % 12));
            if (next() % 9 == 0) steps.push_back(write_out("o\tk\n\r"));
            if (next() % 15 == 0) {
                Termios t = random_termios();
                steps.push_back(settings([t](Termios& s) { s = t; }));
            }
        }
        SCOPED_TRACE(round);
        expect_same_as_linux(round == 0 ? cooked() : random_termios(), steps);
    }
}

}  // namespace
