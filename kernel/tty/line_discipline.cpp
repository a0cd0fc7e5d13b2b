// The N_TTY line discipline; see line_discipline.hpp. Each rule cites the
// n_tty function whose behaviour it reproduces (Linux drivers/tty/n_tty.c).
#include "kernel/tty/line_discipline.hpp"

#include "lib/memory.hpp"
#include "lib/utility.hpp"

namespace tty {
namespace {

// Character classes as Linux's lib/ctype.c has them (ISO 8859-1): controls
// are 0-31 and 127 only (128-159 are in no class, so UTF-8 continuation
// bytes echo as themselves); letters include 192-255 but for 215 and 247.
bool is_control(uint8_t c) {
    return c < 0x20 || c == 0x7f;
}
bool is_upper(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7);
}
bool is_lower(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 0xdf && c != 0xf7);
}
bool is_alnum(uint8_t c) {
    return (c >= '0' && c <= '9') || is_upper(c) || is_lower(c);
}
uint8_t to_lower(uint8_t c) {
    return is_upper(c) ? uint8_t(c + 0x20) : c;
}
uint8_t to_upper(uint8_t c) {
    return is_lower(c) ? uint8_t(c - 0x20) : c;
}

// The echo queue's operations, as n_tty encodes them: 0xFF then an opcode
// (and for a tab erase, one more byte). 0xFF 0xFF is a literal 0xFF; 0xFF
// followed by a control character is that character shown as ^X.
constexpr uint8_t kEchoOpStart = 0xff;
constexpr uint8_t kEchoOpMoveBackColumn = 0x80;
constexpr uint8_t kEchoOpSetCanonColumn = 0x81;
constexpr uint8_t kEchoOpEraseTab = 0x82;

}  // namespace

LineDiscipline::LineDiscipline(const Termios& settings) : termios_(settings) {
    // As n_tty_open: an empty buffer, then the settings applied as new.
    canonical_ = lflag(kICANON) && !lflag(kEXTPROC);
    compute_special_characters();
}

// --- settings ---------------------------------------------------------------

// n_tty_set_termios: which bytes need more than storing.
void LineDiscipline::compute_special_characters() {
    for (uint64_t& word : special_) word = 0;
    auto mark = [&](uint8_t c) { special_[c / 64] |= uint64_t(1) << (c % 64); };
    if (iflag(kIGNCR) || iflag(kICRNL)) mark('\r');
    if (iflag(kINLCR)) mark('\n');
    if (lflag(kICANON)) {
        mark(cc(kVERASE)), mark(cc(kVKILL)), mark(cc(kVEOF)), mark('\n'), mark(cc(kVEOL));
        if (lflag(kIEXTEN)) {
            mark(cc(kVWERASE)), mark(cc(kVLNEXT)), mark(cc(kVEOL2));
            if (lflag(kECHO)) mark(cc(kVREPRINT));
        }
    }
    if (iflag(kIXON)) mark(cc(kVSTART)), mark(cc(kVSTOP));
    if (lflag(kISIG)) mark(cc(kVINTR)), mark(cc(kVQUIT)), mark(cc(kVSUSP));
    special_[0] &= ~uint64_t(1);  // a c_cc of 0 means "disabled", so NUL is never special
}

void LineDiscipline::set_termios(const Termios& settings) {
    const Termios old = termios_;
    termios_ = settings;
    if ((old.c_lflag ^ settings.c_lflag) & (kICANON | kEXTPROC)) {
        // Into raw mode, everything buffered becomes readable as it is; into
        // canonical mode, it becomes one line ending at the last byte.
        for (uint64_t& word : line_ends_) word = 0;
        if (!lflag(kICANON) || used() == 0) {
            canon_head_ = read_tail_;
        } else {
            set_line_end(read_head_ - 1, true);
            canon_head_ = read_head_;
        }
        erasing_ = false;
        literal_next_ = false;
    }
    canonical_ = lflag(kICANON) && !lflag(kEXTPROC);
    compute_special_characters();
    // Output stopped by ^S would otherwise stay stopped with no way to restart.
    if (!iflag(kIXON) && (old.c_iflag & kIXON) && !stopped_by_tcflow_) stopped_ = false;
}

// --- the input buffer --------------------------------------------------------

bool LineDiscipline::line_end(size_t index) const {
    index %= kBufferSize;
    return line_ends_[index / 64] >> (index % 64) & 1;
}

void LineDiscipline::set_line_end(size_t index, bool on) {
    index %= kBufferSize;
    const uint64_t bit = uint64_t(1) << (index % 64);
    if (on)
        line_ends_[index / 64] |= bit;
    else
        line_ends_[index / 64] &= ~bit;
}

// reset_buffer_flags.
void LineDiscipline::reset_input() {
    read_head_ = canon_head_ = read_tail_ = 0;
    echo_length_ = 0;
    erasing_ = false;
    for (uint64_t& word : line_ends_) word = 0;
}

void LineDiscipline::flush_input() {
    reset_input();
}

size_t LineDiscipline::receive_room() const {
    // receive_room(): one slot is kept free; with PARMRK a byte may take three.
    const size_t reserved = iflag(kPARMRK) ? used() * 3 : used();
    if (reserved + 1 < kBufferSize) return kBufferSize - reserved - 1;
    // A canonical line that filled the buffer still takes editing characters
    // and its end (each new byte replaces the last one).
    return canonical_ && canon_head_ == read_tail_ ? 1 : 0;
}

size_t LineDiscipline::readable_bytes() const {
    if (!canonical_) return used();
    // inq_canon(): complete lines, without their EOF markers.
    size_t count = canon_head_ - read_tail_;
    for (size_t i = read_tail_; i != canon_head_; ++i)
        if (line_end(i) && at(i) == kDisabledChar) --count;
    return count;
}

bool LineDiscipline::poll_readable() const {
    // input_available_p(tty, poll=1).
    if (canonical_) return canon_head_ != read_tail_;
    const size_t wanted = (cc(kVTIME) == 0 && cc(kVMIN) != 0) ? cc(kVMIN) : 1;
    return used() >= wanted;
}

// --- receiving --------------------------------------------------------------

ReceiveResult LineDiscipline::receive(lib::Span<const uint8_t> bytes, OutputSink& echo) {
    ReceiveResult result;
    for (uint8_t c : bytes) {
        // n_tty_receive_buf_common's room check, one byte at a time.
        size_t room = kBufferSize - used();
        if (iflag(kPARMRK)) room = (room + 2) / 3;
        if (room <= 1) {
            const bool overflow = canonical_ && canon_head_ == read_tail_;
            if (!overflow) break;
            if (room == 0) --read_head_;  // full: the newest byte of the line gives way
        }
        ++result.accepted;
        receive_char(c, result, echo);
        if (result.signal != 0) break;
    }
    flush_echoes(echo);
    return result;
}

ReceiveResult LineDiscipline::receive_break(OutputSink& echo) {
    // n_tty_receive_break.
    ReceiveResult result;
    result.accepted = 1;
    if (iflag(kIGNBRK)) return result;
    if (iflag(kBRKINT)) {
        result.signal = kSIGINT;
        if (!lflag(kNOFLSH)) {
            reset_input();
            result.flush_output = true;
        }
        return result;
    }
    if (used() + 3 > kBufferSize) {
        result.accepted = 0;
        return result;
    }
    if (iflag(kPARMRK)) put_input(0xff), put_input(0);
    put_input(0);
    if (!canonical_) flush_echoes(echo);
    return result;
}

void LineDiscipline::receive_char(uint8_t c, ReceiveResult& result, OutputSink& echo) {
    // n_tty_receive_buf_standard.
    if (literal_next_) {
        literal_next_ = false;
        if (iflag(kISTRIP)) c &= 0x7f;
        if (iflag(kIUCLC) && lflag(kIEXTEN)) c = to_lower(c);
        receive_ordinary(c, echo);
        return;
    }
    if (iflag(kISTRIP)) c &= 0x7f;
    if (iflag(kIUCLC) && lflag(kIEXTEN)) c = to_lower(c);
    if (lflag(kEXTPROC)) {
        put_input(c);
        return;
    }
    if (is_special(c))
        receive_special(c, result, echo);
    else
        receive_ordinary(c, echo);
}

// n_tty_receive_char: plain data, echoed.
void LineDiscipline::receive_ordinary(uint8_t c, OutputSink& echo) {
    if (stopped_ && !stopped_by_tcflow_ && iflag(kIXON) && iflag(kIXANY)) start_output(echo);
    if (lflag(kECHO)) {
        finish_erasing();
        set_canon_column_if_line_empty();
        echo_char(c);
    }
    if (c == 0xff && iflag(kPARMRK)) put_input(c);
    put_input(c);
}

void LineDiscipline::start_output(OutputSink& out) {
    if (!stopped_ || stopped_by_tcflow_) return;
    stopped_ = false;
    flush_echoes(out);
}

// n_tty_receive_signal_char with isig().
void LineDiscipline::receive_signal(int signal, uint8_t c, ReceiveResult& result, OutputSink& echo) {
    result.signal = signal;
    if (!lflag(kNOFLSH)) {
        reset_input();  // input and pending echoes
        result.flush_output = true;
    }
    if (iflag(kIXON)) start_output(echo);
    if (lflag(kECHO)) echo_char(c);
}

// Stores the end of a canonical line (or an EOF marker, stored as NUL).
void LineDiscipline::end_line(uint8_t stored) {
    set_line_end(read_head_, true);
    put_input(stored);
    canon_head_ = read_head_;
}

// n_tty_receive_char_special.
void LineDiscipline::receive_special(uint8_t c, ReceiveResult& result, OutputSink& echo) {
    if (iflag(kIXON) && (c == cc(kVSTART) || c == cc(kVSTOP))) {
        if (c == cc(kVSTART))
            start_output(echo);
        else
            stopped_ = true;
        return;
    }
    if (lflag(kISIG)) {
        const int signal = c == cc(kVINTR) ? kSIGINT : c == cc(kVQUIT) ? kSIGQUIT : c == cc(kVSUSP) ? kSIGTSTP : 0;
        if (signal != 0) return receive_signal(signal, c, result, echo);
    }
    if (stopped_ && !stopped_by_tcflow_ && iflag(kIXON) && iflag(kIXANY)) start_output(echo);

    if (c == '\r') {
        if (iflag(kIGNCR)) return;
        if (iflag(kICRNL)) c = '\n';
    } else if (c == '\n' && iflag(kINLCR)) {
        c = '\r';
    }

    if (canonical_) {
        if (c == cc(kVERASE) || c == cc(kVKILL) || (c == cc(kVWERASE) && lflag(kIEXTEN))) return erase(c);
        if (c == cc(kVLNEXT) && lflag(kIEXTEN)) {
            literal_next_ = true;
            if (lflag(kECHO)) {
                finish_erasing();
                // "^" then back over it: the next character's echo replaces it.
                if (lflag(kECHOCTL)) echo_raw('^'), echo_raw('\b');
            }
            return;
        }
        if (c == cc(kVREPRINT) && lflag(kECHO) && lflag(kIEXTEN)) {
            finish_erasing();
            echo_char(c);
            echo_raw('\n');
            for (size_t i = canon_head_; i != read_head_; ++i) echo_char(at(i));
            return;
        }
        if (c == '\n') {
            if (lflag(kECHO) || lflag(kECHONL)) echo_raw('\n');
            return end_line(c);
        }
        if (c == cc(kVEOF)) return end_line(kDisabledChar);  // not echoed
        if (c == cc(kVEOL) || (c == cc(kVEOL2) && lflag(kIEXTEN))) {
            if (lflag(kECHO)) {
                set_canon_column_if_line_empty();
                echo_char(c);
            }
            if (c == 0xff && iflag(kPARMRK)) put_input(c);
            return end_line(c);
        }
    }

    if (lflag(kECHO)) {
        finish_erasing();
        if (c == '\n') {
            echo_raw('\n');
        } else {
            set_canon_column_if_line_empty();
            echo_char(c);
        }
    }
    if (c == 0xff && iflag(kPARMRK)) put_input(c);
    put_input(c);
}

// eraser(): VERASE removes a character, VWERASE a word, VKILL the line.
void LineDiscipline::erase(uint8_t c) {
    if (read_head_ == canon_head_) return;  // nothing on this line
    enum class Kind { kCharacter, kWord, kLine } kind;
    if (c == cc(kVERASE)) {
        kind = Kind::kCharacter;
    } else if (c == cc(kVWERASE)) {
        kind = Kind::kWord;
    } else {
        if (!lflag(kECHO)) {
            read_head_ = canon_head_;
            return;
        }
        if (!lflag(kECHOK) || !lflag(kECHOKE) || !lflag(kECHOE)) {
            // Without ECHOKE the line is not wiped visually: the kill
            // character is echoed, with a newline under ECHOK.
            read_head_ = canon_head_;
            finish_erasing();
            echo_char(c);
            if (lflag(kECHOK)) echo_raw('\n');
            return;
        }
        kind = Kind::kLine;
    }

    size_t seen_alnums = 0;
    while (read_head_ != canon_head_) {
        // One character: with IUTF8, a lead byte and its continuation bytes.
        size_t head = read_head_;
        uint8_t erased;
        do {
            erased = at(--head);
        } while (is_continuation(erased) && head != canon_head_);
        if (is_continuation(erased)) break;  // never erase half a character

        if (kind == Kind::kWord) {
            // A word is alphanumerics and '_', plus what precedes them up to
            // the previous word (BSD's ALTWERASE).
            if (is_alnum(erased) || erased == '_')
                ++seen_alnums;
            else if (seen_alnums)
                break;
        }
        size_t count = read_head_ - head;
        read_head_ = head;
        if (lflag(kECHO)) {
            if (lflag(kECHOPRT)) {
                // Hard-copy style: "\" then the erased characters, "/" at the end.
                if (!erasing_) {
                    echo_raw('\\');
                    erasing_ = true;
                }
                echo_char(erased);
                while (--count > 0) {
                    echo_raw(at(++head));
                    echo_operation(kEchoOpMoveBackColumn, 0);
                }
            } else if (kind == Kind::kCharacter && !lflag(kECHOE)) {
                echo_char(cc(kVERASE));
            } else if (erased == '\t') {
                erase_tab_echo(read_head_);
            } else {
                static constexpr uint8_t kRubOut[3] = {'\b', ' ', '\b'};
                // A control character echoed as ^X takes two columns.
                if (is_control(erased) && lflag(kECHOCTL)) echo_queue(kRubOut, 3);
                if (!is_control(erased) || lflag(kECHOCTL)) echo_queue(kRubOut, 3);
            }
        }
        if (kind == Kind::kCharacter) break;
    }
    if (read_head_ == canon_head_ && lflag(kECHO)) finish_erasing();
}

// echo_erase_tab and its ECHO_OP_ERASE_TAB: back to where the tab started,
// which depends on the columns the characters before it on the line used.
void LineDiscipline::erase_tab_echo(size_t erased_from) {
    uint32_t columns = 0;
    bool after_tab = false;
    for (size_t i = erased_from; i != canon_head_;) {
        const uint8_t c = at(--i);
        if (c == '\t') {
            after_tab = true;
            break;
        }
        if (is_control(c)) {
            if (lflag(kECHOCTL)) columns += 2;
        } else if (!is_continuation(c)) {
            ++columns;
        }
    }
    // The tab's start is known relative to the line's first column, which
    // only processing knows (canon_column_ then).
    echo_operation(kEchoOpEraseTab, uint8_t((columns & 7) | (after_tab ? 0x80 : 0)));
}

// --- echo -------------------------------------------------------------------

void LineDiscipline::set_canon_column_if_line_empty() {
    if (canon_head_ == read_head_) echo_operation(kEchoOpSetCanonColumn, 0);
}

void LineDiscipline::finish_erasing() {
    if (erasing_) {
        echo_raw('/');
        erasing_ = false;
    }
}

// echo_char: control characters as ^X under ECHOCTL (but for tab).
void LineDiscipline::echo_char(uint8_t c) {
    if (c != kEchoOpStart && lflag(kECHOCTL) && is_control(c) && c != '\t') {
        const uint8_t caret[2] = {kEchoOpStart, c};
        echo_queue(caret, 2);
        return;
    }
    echo_raw(c);
}

// echo_char_raw: the byte itself (0xFF escaped).
void LineDiscipline::echo_raw(uint8_t c) {
    if (c == kEchoOpStart) {
        const uint8_t escaped[2] = {kEchoOpStart, kEchoOpStart};
        echo_queue(escaped, 2);
        return;
    }
    echo_queue(&c, 1);
}

void LineDiscipline::echo_operation(uint8_t operation, uint8_t argument) {
    const uint8_t bytes[3] = {kEchoOpStart, operation, argument};
    echo_queue(bytes, operation == kEchoOpEraseTab ? 3 : 2);
}

// An echo that does not fit whole is dropped (n_tty drops the oldest
// instead; either only happens with output stopped for thousands of keys).
void LineDiscipline::echo_queue(const uint8_t* bytes, size_t count) {
    if (kEchoBufferSize - echo_length_ < count) return;
    lib::copy_bytes(echo_ + echo_length_, bytes, count);
    echo_length_ += count;
}

// process_echoes: as much of the queue as `out` has room for, whole
// operations only, with the output settings and column of now.
void LineDiscipline::flush_echoes(OutputSink& out) {
    if (stopped_ || echo_length_ == 0) return;
    size_t room = out.room();
    size_t done = 0;
    while (done < echo_length_) {
        const uint8_t c = echo_[done];
        if (c != kEchoOpStart) {
            if (!oflag(kOPOST)) {
                if (room == 0) break;
                out.put(&c, 1);
                --room;
            } else {
                const int used = output_char(c, out, room);
                if (used < 0) break;
                room -= size_t(used);
            }
            ++done;
            continue;
        }
        const uint8_t operation = echo_[done + 1];
        if (operation == kEchoOpEraseTab) {
            uint32_t columns = echo_[done + 2];
            if (!(columns & 0x80)) columns += canon_column_;
            uint32_t backspaces = 8 - (columns & 7);
            if (backspaces > room) break;
            room -= backspaces;
            while (backspaces-- > 0) {
                const uint8_t bs = '\b';
                out.put(&bs, 1);
                if (column_ > 0) --column_;
            }
            done += 3;
        } else if (operation == kEchoOpSetCanonColumn) {
            canon_column_ = column_;
            done += 2;
        } else if (operation == kEchoOpMoveBackColumn) {
            if (column_ > 0) --column_;
            done += 2;
        } else if (operation == kEchoOpStart) {
            if (room == 0) break;
            out.put(&operation, 1);
            ++column_;
            --room;
            done += 2;
        } else {
            if (room < 2) break;
            const uint8_t caret[2] = {'^', uint8_t(operation ^ 0x40)};
            out.put(caret, 2);
            column_ += 2;
            room -= 2;
            done += 2;
        }
    }
    lib::move_bytes(echo_, echo_ + done, echo_length_ - done);
    echo_length_ -= done;
}

// --- output -----------------------------------------------------------------

// do_output_char: one byte with OPOST processing. Returns the bytes it put
// out, or -1 (and does nothing) without room for them.
int LineDiscipline::output_char(uint8_t c, OutputSink& out, size_t room) {
    if (room == 0) return -1;
    switch (c) {
        case '\n':
            if (oflag(kONLRET)) column_ = 0;
            if (oflag(kONLCR)) {
                if (room < 2) return -1;
                canon_column_ = column_ = 0;
                static constexpr uint8_t kCrLf[2] = {'\r', '\n'};
                out.put(kCrLf, 2);
                return 2;
            }
            canon_column_ = column_;
            break;
        case '\r':
            if (oflag(kONOCR) && column_ == 0) return 0;  // nothing to return from
            if (oflag(kOCRNL)) {
                c = '\n';
                if (oflag(kONLRET)) canon_column_ = column_ = 0;
                break;
            }
            canon_column_ = column_ = 0;
            break;
        case '\t': {
            const uint32_t spaces = 8 - (column_ & 7);
            if ((termios_.c_oflag & kTABDLY) == kXTABS) {
                if (room < spaces) return -1;
                static constexpr uint8_t kSpaces[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
                column_ += spaces;
                out.put(kSpaces, spaces);
                return int(spaces);
            }
            column_ += spaces;
            break;
        }
        case '\b':
            if (column_ > 0) --column_;
            break;
        default:
            if (!is_control(c)) {
                if (oflag(kOLCUC)) c = to_upper(c);
                if (!is_continuation(c)) ++column_;
            }
            break;
    }
    out.put(&c, 1);
    return 1;
}

size_t LineDiscipline::write(lib::Span<const uint8_t> bytes, OutputSink& out) {
    flush_echoes(out);  // n_tty_write: pending echoes go first
    if (stopped_) return 0;
    if (!oflag(kOPOST)) {
        const size_t count = lib::min(bytes.size(), out.room());
        out.put(bytes.data(), count);
        return count;
    }
    size_t done = 0;
    while (done < bytes.size()) {
        const size_t room = out.room();
        if (room == 0) break;
        // process_output_block: a run of bytes that need no translation
        // goes out in one put(); only the column is tracked.
        size_t end = done;
        while (end < bytes.size() && end - done < room) {
            const uint8_t c = bytes[end];
            if (c == '\t' || (c == '\n' && oflag(kONLCR)) ||
                (c == '\r' && (oflag(kOCRNL) || (oflag(kONOCR) && column_ == 0))) ||
                (!is_control(c) && oflag(kOLCUC)))
                break;
            if (c == '\n') {
                if (oflag(kONLRET)) column_ = 0;
                canon_column_ = column_;
            } else if (c == '\r') {
                canon_column_ = column_ = 0;
            } else if (c == '\b') {
                if (column_ > 0) --column_;
            } else if (!is_control(c) && !is_continuation(c)) {
                ++column_;
            }
            ++end;
        }
        if (end > done) {
            out.put(bytes.data() + done, end - done);
            done = end;
            continue;
        }
        if (output_char(bytes[done], out, room) < 0) break;
        ++done;
    }
    return done;
}

lib::Expected<void> LineDiscipline::tcflow(int action, OutputSink& out) {
    switch (action) {
        case kTCOOFF:
            if (!stopped_by_tcflow_) stopped_by_tcflow_ = stopped_ = true;
            return {};
        case kTCOON:
            if (stopped_by_tcflow_) {
                stopped_by_tcflow_ = false;
                start_output(out);
            }
            return {};
        case kTCIOFF:
        case kTCION: {
            // Ask the other end to stop or resume sending.
            const uint8_t c = cc(action == kTCIOFF ? kVSTOP : kVSTART);
            if (c != kDisabledChar && out.room() > 0) out.put(&c, 1);
            return {};
        }
        default: return lib::Error::make(lib::Errno::kEINVAL, "tcflow: unknown action").with(uint64_t(action));
    }
}

// --- reading ----------------------------------------------------------------

// canon_copy_from_read_buf: up to the end of the first line; an EOF marker
// ends the copy and is consumed but not copied.
void LineDiscipline::copy_canonical(ReadRequest& request, bool& line_complete) {
    const size_t wanted = request.destination_.size() - request.copied_;
    const size_t available = lib::min(wanted, canon_head_ - read_tail_);
    size_t length = 0;
    line_complete = false;
    while (length < available) {
        if (line_end(read_tail_ + length)) {
            line_complete = true;
            break;
        }
        ++length;
    }
    size_t consumed = length;
    size_t copied = length;
    if (line_complete) {
        consumed = length + 1;
        copied = at(read_tail_ + length) == kDisabledChar ? length : length + 1;
        set_line_end(read_tail_ + length, false);
    }
    for (size_t i = 0; i < copied; ++i) request.destination_[request.copied_ + i] = at(read_tail_ + i);
    request.copied_ += copied;
    read_tail_ += consumed;
}

void LineDiscipline::copy_raw(ReadRequest& request) {
    const size_t count = lib::min(request.destination_.size() - request.copied_, used());
    for (size_t i = 0; i < count; ++i) request.destination_[request.copied_ + i] = at(read_tail_ + i);
    request.copied_ += count;
    read_tail_ += count;
}

// n_tty_read's loop, one pass per call.
ReadStep LineDiscipline::read(ReadRequest& request) {
    ReadStep step;
    if (!request.started_) {
        request.started_ = true;
        request.canonical_ = canonical_;
        request.minimum_ = cc(kVMIN);
        request.deciseconds_ = cc(kVTIME);
    }
    if (request.destination_.size() == request.copied_) return step;  // nothing (more) wanted

    if (request.canonical_) {
        if (canon_head_ == read_tail_) {
            step.action = ReadStep::Action::kWait;
            return step;
        }
        bool line_complete;
        copy_canonical(request, line_complete);
        // canon_skip_eof: a read that filled its buffer right before an EOF
        // marker eats the marker, so that the next read does not see an
        // empty "end of file" line.
        if (!line_complete && request.copied_ == request.destination_.size() && read_tail_ != canon_head_ &&
            line_end(read_tail_) && at(read_tail_) == kDisabledChar) {
            set_line_end(read_tail_, false);
            ++read_tail_;
        }
        return step;  // a (part of a) line, or 0 at end of file
    }

    // Non-canonical: VMIN 0 waits for one byte at most VTIME (0: not at all);
    // VMIN > 0 waits for VMIN bytes, and once one came, at most VTIME
    // between bytes (a timer restarted by each arrival).
    const size_t minimum = request.minimum_ == 0 ? 1 : request.minimum_;
    const size_t before = request.copied_;
    copy_raw(request);
    const bool arrived = request.copied_ > before;
    if (request.copied_ >= minimum || request.copied_ == request.destination_.size()) return step;
    if (arrived && request.minimum_ != 0 && request.deciseconds_ != 0) {
        request.timer_expired_ = false;
        request.timer_armed_ = true;
        step.action = ReadStep::Action::kWait;
        step.timer = ReadStep::Timer::kStart;
        step.deciseconds = request.deciseconds_;
        return step;
    }
    if (request.timer_expired_) return step;
    if (request.minimum_ == 0 && request.deciseconds_ == 0) return step;  // poll: whatever is there
    step.action = ReadStep::Action::kWait;
    if (request.minimum_ == 0 && !request.timer_armed_) {
        request.timer_armed_ = true;
        step.timer = ReadStep::Timer::kStart;
        step.deciseconds = request.deciseconds_;
    } else if (request.timer_armed_) {
        step.timer = ReadStep::Timer::kKeep;
    }
    return step;
}

}  // namespace tty
