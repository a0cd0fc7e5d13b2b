// The terminal's state machine: text, controls, cursor, editing, modes and
// damage; see terminal.hpp. SGR and the colour palette are in
// terminal_sgr.cpp.
#include "kernel/console/terminal.hpp"

#include "lib/memory.hpp"
#include "lib/utility.hpp"

namespace console {
namespace {

constexpr uint32_t kTabWidth = 8;

// Code points the font has no cell for and that take none: combining marks,
// zero-width spaces and joiners, variation selectors, the BOM.
bool zero_width(uint32_t c) {
    return (c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f) || (c >= 0x20d0 && c <= 0x20ff) ||
           (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff;
}

// The DEC special graphics set (VT100 User Guide, table 3-9) for 0x5F-0x7E,
// as Unicode: the line-drawing characters curses programs use.
uint32_t special_graphic(uint32_t c) {
    static constexpr uint16_t kTable[32] = {
        0x00a0, 0x25c6, 0x2592, 0x2409, 0x240c, 0x240d, 0x240a, 0x00b0, 0x00b1, 0x2424, 0x240b,
        0x2518, 0x2510, 0x250c, 0x2514, 0x253c, 0x23ba, 0x23bb, 0x2500, 0x23bc, 0x23bd, 0x251c,
        0x2524, 0x2534, 0x252c, 0x2502, 0x2264, 0x2265, 0x03c0, 0x2260, 0x00a3, 0x00b7,
    };
    return (c >= 0x5f && c <= 0x7e) ? kTable[c - 0x5f] : c;
}

// Decimal digits of `value` into `out`; returns the count.
size_t put_decimal(char* out, uint32_t value) {
    char digits[10];
    size_t count = 0;
    do {
        digits[count++] = char('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (size_t i = 0; i < count; ++i) out[i] = digits[count - 1 - i];
    return count;
}

}  // namespace

lib::Expected<void> Terminal::init(uint32_t columns, uint32_t rows, lib::Span<Cell> primary,
                                   lib::Span<Cell> alternate) {
    columns_ = rows_ = 0;
    if (columns == 0 || rows == 0 || columns > kMaxColumns || rows > kMaxRows)
        return lib::Error::make(lib::Errno::kEINVAL, "terminal size out of range").with(uint64_t(columns) << 32 | rows);
    const size_t cells = size_t(columns) * rows;
    if (primary.size() < cells || alternate.size() < cells)
        return lib::Error::make(lib::Errno::kEINVAL, "too few cells for the terminal size").with(cells);
    columns_ = columns;
    rows_ = rows;
    primary_ = primary.data();
    alternate_ = alternate.data();
    parser_ = VtParser{};
    reset_state();
    return {};
}

void Terminal::write(lib::StringView text) {
    write(lib::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void Terminal::write(lib::Span<const uint8_t> bytes) {
    if (columns_ == 0) return;
    for (uint8_t byte : bytes) parser_.feed(byte, *this);
}

void Terminal::reply(const char* bytes, size_t length) {
    if (reply_) reply_(reply_context_, bytes, length);
}

// --- damage -------------------------------------------------------------------

void Terminal::damage(uint32_t row, uint32_t begin, uint32_t end) {
    if (begin >= end) return;
    if (damage_begin_[row] >= damage_end_[row]) {
        damage_begin_[row] = uint16_t(begin);
        damage_end_[row] = uint16_t(end);
        return;
    }
    damage_begin_[row] = uint16_t(lib::min<uint32_t>(damage_begin_[row], begin));
    damage_end_[row] = uint16_t(lib::max<uint32_t>(damage_end_[row], end));
}

void Terminal::damage_rows(uint32_t first, uint32_t last) {
    for (uint32_t row = first; row <= last; ++row) damage(row, 0, columns_);
}

bool Terminal::row_damage(uint32_t row, uint32_t& begin, uint32_t& end) const {
    if (redraw_all_) {
        begin = 0, end = columns_;
        return true;
    }
    begin = damage_begin_[row];
    end = damage_end_[row];
    return begin < end;
}

void Terminal::clear_damage() {
    for (uint32_t row = 0; row < rows_; ++row) damage_begin_[row] = damage_end_[row] = 0;
    scroll_count_ = 0;
    redraw_all_ = false;
}

// A region moved: the renderer will move its pixels, so damage not drawn yet
// moves along, and the rows it uncovered are damaged whole. Moves of one
// region in one direction merge; too many moves make a full redraw.
void Terminal::record_scroll(uint32_t top, uint32_t bottom, int32_t lines) {
    if (redraw_all_) return;
    // A region that is to be redrawn whole anyway has no pixels worth moving.
    bool all_damaged = true;
    for (uint32_t row = top; row <= bottom && all_damaged; ++row)
        all_damaged = damage_begin_[row] == 0 && damage_end_[row] == columns_;
    if (all_damaged) return;
    const uint32_t height = bottom - top + 1;
    Scroll* last = scroll_count_ ? &scrolls_[scroll_count_ - 1] : nullptr;
    const bool merges = last && last->top == top && last->bottom == bottom && (last->lines > 0) == (lines > 0);
    const int32_t total = merges ? last->lines + lines : lines;
    if (uint32_t(total < 0 ? -total : total) >= height) {
        // Everything in the region is new: no pixels to move.
        if (merges) --scroll_count_;
        damage_rows(top, bottom);
        return;
    }
    if (merges) {
        last->lines = int16_t(total);
    } else if (scroll_count_ == kMaxScrolls) {
        redraw_all_ = true;
        return;
    } else {
        scrolls_[scroll_count_++] = Scroll{uint16_t(top), uint16_t(bottom), int16_t(lines)};
    }
    const uint32_t count = uint32_t(lines < 0 ? -lines : lines);
    if (lines > 0) {
        for (uint32_t row = top; row + count <= bottom; ++row) {
            damage_begin_[row] = damage_begin_[row + count];
            damage_end_[row] = damage_end_[row + count];
        }
        for (uint32_t row = bottom + 1 - count; row <= bottom; ++row) damage_begin_[row] = damage_end_[row] = 0;
        damage_rows(bottom + 1 - count, bottom);
    } else {
        for (uint32_t row = bottom; row >= top + count; --row) {
            damage_begin_[row] = damage_begin_[row - count];
            damage_end_[row] = damage_end_[row - count];
        }
        for (uint32_t row = top; row < top + count; ++row) damage_begin_[row] = damage_end_[row] = 0;
        damage_rows(top, top + count - 1);
    }
}

// --- state ------------------------------------------------------------------

Cell Terminal::blank() const {
    Cell cell;
    cell.pen.background = pen_.background;
    return cell;
}

void Terminal::reset_state() {
    screen_ = primary_;
    pen_ = Pen{};
    for (size_t i = 0; i < size_t(columns_) * rows_; ++i) primary_[i] = alternate_[i] = Cell{};
    x_ = y_ = 0;
    wrap_pending_ = false;
    top_ = 0;
    bottom_ = rows_ - 1;
    for (uint64_t& word : tab_stops_) word = 0;
    for (uint32_t column = 0; column < columns_; column += kTabWidth) tab_stops_[column / 64] |= uint64_t(1) << (column % 64);
    charsets_[0] = charsets_[1] = 'B';
    shift_ = 0;
    last_printed_ = 0;
    saved_[0] = saved_[1] = SavedCursor{};
    autowrap_ = true;
    origin_mode_ = insert_mode_ = newline_mode_ = false;
    cursor_visible_ = true;
    application_cursor_keys_ = application_keypad_ = bracketed_paste_ = reverse_video_ = false;
    scroll_count_ = 0;
    redraw_all_ = true;
}

// DECSTR: modes and the pen to their defaults, the screen left as it is.
void Terminal::soft_reset() {
    cursor_visible_ = true;
    insert_mode_ = origin_mode_ = false;
    autowrap_ = true;
    application_cursor_keys_ = application_keypad_ = false;
    top_ = 0;
    bottom_ = rows_ - 1;
    pen_ = Pen{};
    charsets_[0] = charsets_[1] = 'B';
    shift_ = 0;
    saved_[screen_ == alternate_ ? 1 : 0] = SavedCursor{};
    wrap_pending_ = false;
}

void Terminal::move_to(int64_t x, int64_t y) {
    x_ = uint32_t(lib::max<int64_t>(0, lib::min<int64_t>(x, columns_ - 1)));
    y_ = uint32_t(lib::max<int64_t>(0, lib::min<int64_t>(y, rows_ - 1)));
    wrap_pending_ = false;
}

// CUP, HVP, VPA with DECOM: rows count from the top margin and stay inside
// the scrolling region.
void Terminal::move_to_origin_relative(int64_t x, int64_t y) {
    if (!origin_mode_) return move_to(x, y);
    move_to(x, lib::max<int64_t>(top_, lib::min<int64_t>(y + top_, bottom_)));
}

void Terminal::index() {
    if (y_ == bottom_)
        scroll_up(top_, bottom_, 1);
    else if (y_ + 1 < rows_)
        ++y_;
}

void Terminal::reverse_index() {
    if (y_ == top_)
        scroll_down(top_, bottom_, 1);
    else if (y_ > 0)
        --y_;
}

void Terminal::erase(uint32_t row, uint32_t begin, uint32_t end) {
    end = lib::min(end, columns_);
    if (begin >= end) return;
    const Cell cell = blank();
    Cell* cells = row_cells(row);
    for (uint32_t column = begin; column < end; ++column) cells[column] = cell;
    damage(row, begin, end);
}

// Rows [top, bottom] up by `lines`; the bottom ones become blank.
void Terminal::scroll_up(uint32_t top, uint32_t bottom, uint32_t lines) {
    const uint32_t height = bottom - top + 1;
    lines = lib::min(lines, height);
    if (lines == 0) return;
    if (lines < height)
        lib::move_bytes(row_cells(top), row_cells(top + lines), size_t(height - lines) * columns_ * sizeof(Cell));
    record_scroll(top, bottom, int32_t(lines));
    for (uint32_t row = bottom + 1 - lines; row <= bottom; ++row) erase(row, 0, columns_);
}

void Terminal::scroll_down(uint32_t top, uint32_t bottom, uint32_t lines) {
    const uint32_t height = bottom - top + 1;
    lines = lib::min(lines, height);
    if (lines == 0) return;
    if (lines < height)
        lib::move_bytes(row_cells(top + lines), row_cells(top), size_t(height - lines) * columns_ * sizeof(Cell));
    record_scroll(top, bottom, -int32_t(lines));
    for (uint32_t row = top; row < top + lines; ++row) erase(row, 0, columns_);
}

void Terminal::erase_display(uint16_t mode) {
    wrap_pending_ = false;
    switch (mode) {
        case 0:  // cursor to end
            erase(y_, x_, columns_);
            for (uint32_t row = y_ + 1; row < rows_; ++row) erase(row, 0, columns_);
            break;
        case 1:  // start to cursor
            for (uint32_t row = 0; row < y_; ++row) erase(row, 0, columns_);
            erase(y_, 0, x_ + 1);
            break;
        case 2:  // everything
            for (uint32_t row = 0; row < rows_; ++row) erase(row, 0, columns_);
            break;
        default: break;  // 3 clears the scrollback, of which there is none
    }
}

void Terminal::erase_line(uint16_t mode) {
    wrap_pending_ = false;
    if (mode == 0) erase(y_, x_, columns_);
    if (mode == 1) erase(y_, 0, x_ + 1);
    if (mode == 2) erase(y_, 0, columns_);
}

void Terminal::insert_cells(uint32_t count) {
    count = lib::min(count, columns_ - x_);
    Cell* cells = row_cells(y_);
    lib::move_bytes(cells + x_ + count, cells + x_, size_t(columns_ - x_ - count) * sizeof(Cell));
    damage(y_, x_, columns_);
    erase(y_, x_, x_ + count);
}

void Terminal::delete_cells(uint32_t count) {
    count = lib::min(count, columns_ - x_);
    Cell* cells = row_cells(y_);
    lib::move_bytes(cells + x_, cells + x_ + count, size_t(columns_ - x_ - count) * sizeof(Cell));
    damage(y_, x_, columns_);
    erase(y_, columns_ - count, columns_);
}

void Terminal::tab_forward(uint32_t count) {
    wrap_pending_ = false;
    while (count-- > 0 && x_ + 1 < columns_) {
        do {
            ++x_;
        } while (x_ + 1 < columns_ && !(tab_stops_[x_ / 64] >> (x_ % 64) & 1));
    }
}

void Terminal::tab_backward(uint32_t count) {
    wrap_pending_ = false;
    while (count-- > 0 && x_ > 0) {
        do {
            --x_;
        } while (x_ > 0 && !(tab_stops_[x_ / 64] >> (x_ % 64) & 1));
    }
}

// DECSC: position, pen, charsets, the wrap flag and origin mode.
void Terminal::save_cursor() {
    SavedCursor& saved = saved_[screen_ == alternate_ ? 1 : 0];
    saved.x = x_, saved.y = y_;
    saved.pen = pen_;
    saved.wrap_pending = wrap_pending_;
    saved.origin_mode = origin_mode_;
    saved.charsets[0] = charsets_[0], saved.charsets[1] = charsets_[1];
    saved.shift = shift_;
}

// DECRC: what DECSC saved, or the home position and defaults if nothing was.
void Terminal::restore_cursor() {
    const SavedCursor& saved = saved_[screen_ == alternate_ ? 1 : 0];
    move_to(saved.x, saved.y);
    pen_ = saved.pen;
    wrap_pending_ = saved.wrap_pending && x_ == columns_ - 1;
    origin_mode_ = saved.origin_mode;
    charsets_[0] = saved.charsets[0], charsets_[1] = saved.charsets[1];
    shift_ = saved.shift;
}

void Terminal::switch_screen(bool alternate) {
    Cell* target = alternate ? alternate_ : primary_;
    if (screen_ == target) return;
    screen_ = target;
    redraw_all_ = true;
    scroll_count_ = 0;
}

// --- the parser's calls -----------------------------------------------------------

void Terminal::print(uint32_t code_point) {
    if (zero_width(code_point)) return;
    if (charsets_[shift_] == '0') code_point = special_graphic(code_point);
    if (wrap_pending_ && autowrap_) {
        x_ = 0;
        index();
    }
    wrap_pending_ = false;
    if (insert_mode_) insert_cells(1);
    Cell& cell = row_cells(y_)[x_];
    cell.code_point = code_point;
    cell.pen = pen_;
    damage(y_, x_, x_ + 1);
    last_printed_ = code_point;
    if (x_ + 1 < columns_)
        ++x_;
    else
        wrap_pending_ = autowrap_;
}

void Terminal::execute(uint8_t control) {
    switch (control) {
        case '\b':  // from the last column with a wrap pending, xterm goes back from that column
            if (x_ > 0) --x_;
            wrap_pending_ = false;
            break;
        case '\t': tab_forward(1); break;
        case '\n':
        case '\v':
        case '\f':
            index();
            if (newline_mode_) x_ = 0;
            wrap_pending_ = false;
            break;
        case '\r':
            x_ = 0;
            wrap_pending_ = false;
            break;
        case 0x0e: shift_ = 1; break;  // SO: G1
        case 0x0f: shift_ = 0; break;  // SI: G0
        default: break;                // BEL, NUL, ...: nothing to show
    }
}

void Terminal::esc_dispatch(const ControlSequence& s) {
    const uint8_t intermediate = s.intermediate();
    if (intermediate == '(' || intermediate == ')') {  // SCS: designate G0/G1
        charsets_[intermediate == ')'] = s.final == '0' ? '0' : 'B';
        return;
    }
    if (intermediate == '#') {
        if (s.final == '8') {  // DECALN: the screen full of E, margins reset
            top_ = 0;
            bottom_ = rows_ - 1;
            origin_mode_ = false;
            for (uint32_t row = 0; row < rows_; ++row) {
                for (uint32_t column = 0; column < columns_; ++column) row_cells(row)[column] = Cell{'E', Pen{}};
                damage(row, 0, columns_);
            }
            move_to(0, 0);
        }
        return;
    }
    if (intermediate != 0) return;
    switch (s.final) {
        case '7': save_cursor(); break;
        case '8': restore_cursor(); break;
        case 'D': index(); wrap_pending_ = false; break;
        case 'E': index(); x_ = 0; wrap_pending_ = false; break;
        case 'M': reverse_index(); wrap_pending_ = false; break;
        case 'H': tab_stops_[x_ / 64] |= uint64_t(1) << (x_ % 64); break;
        case 'c': reset_state(); break;
        case '=': application_keypad_ = true; break;
        case '>': application_keypad_ = false; break;
        default: break;
    }
}

void Terminal::csi_dispatch(const ControlSequence& s) {
    if (s.private_marker == '?') {
        if (s.final == 'h' || s.final == 'l') set_mode(s, s.final == 'h');
        if (s.final == 'n') report(s);
        return;
    }
    if (s.private_marker == '>') {
        if (s.final == 'c' && s.raw(0) == 0) reply("\x1b[>0;10;0c", 10);  // DA2: a VT100, firmware 10
        return;
    }
    if (s.private_marker != 0) return;
    if (s.intermediate_count != 0) {
        if (s.intermediate() == '!' && s.final == 'p') soft_reset();
        return;  // DECSCUSR (cursor style) and others: nothing to do
    }
    const uint32_t n = s.get(0, 1);
    const int64_t x = x_, y = y_;
    switch (s.final) {
        case '@': wrap_pending_ = false, insert_cells(n); break;
        case 'A': move_to(x, lib::max<int64_t>(y - n, y >= top_ ? top_ : 0)); break;
        case 'B': move_to(x, lib::min<int64_t>(y + n, y <= bottom_ ? bottom_ : rows_ - 1)); break;
        case 'C':
        case 'a': move_to(x + n, y); break;
        case 'D': move_to(x - n, y); break;
        case 'E': move_to(0, lib::min<int64_t>(y + n, y <= bottom_ ? bottom_ : rows_ - 1)); break;
        case 'F': move_to(0, lib::max<int64_t>(y - n, y >= top_ ? top_ : 0)); break;
        case 'G':
        case '`': move_to(int64_t(n) - 1, y); break;
        case 'H':
        case 'f': move_to_origin_relative(int64_t(s.get(1, 1)) - 1, int64_t(n) - 1); break;
        case 'I': tab_forward(n); break;
        case 'J': erase_display(s.raw(0)); break;
        case 'K': erase_line(s.raw(0)); break;
        case 'L':
        case 'M':
            // IL/DL: only inside the scrolling region; the lines below the
            // cursor move within it, and the cursor goes to the margin.
            if (!in_margins()) break;
            if (s.final == 'L')
                scroll_down(y_, bottom_, n);
            else
                scroll_up(y_, bottom_, n);
            move_to(0, y);
            break;
        case 'P': wrap_pending_ = false, delete_cells(n); break;
        case 'S': scroll_up(top_, bottom_, n); break;
        case 'T':
            if (s.count <= 1) scroll_down(top_, bottom_, n);  // with more parameters: xterm's mouse tracking
            break;
        case 'X': wrap_pending_ = false, erase(y_, x_, x_ + n); break;
        case 'Z': tab_backward(n); break;
        case 'b':
            if (last_printed_ != 0)
                for (uint32_t i = 0; i < lib::min<uint32_t>(n, columns_ * rows_); ++i) print(last_printed_);
            break;
        case 'c':
            if (s.raw(0) == 0) reply("\x1b[?6c", 5);  // DA: a VT102, as the Linux console answers
            break;
        case 'd': move_to_origin_relative(x, int64_t(n) - 1); break;
        case 'e': move_to(x, y + n); break;
        case 'g':
            if (s.raw(0) == 0) tab_stops_[x_ / 64] &= ~(uint64_t(1) << (x_ % 64));
            if (s.raw(0) == 3)
                for (uint64_t& word : tab_stops_) word = 0;
            break;
        case 'h':
        case 'l': set_mode(s, s.final == 'h'); break;
        case 'm': select_graphic_rendition(s); break;
        case 'n': report(s); break;
        case 'r': {
            // DECSTBM: at least two lines; the cursor goes home.
            const uint32_t top = s.get(0, 1) - 1;
            const uint32_t bottom = lib::min<uint32_t>(s.get(1, uint16_t(rows_)), rows_) - 1;
            if (top < bottom) {
                top_ = top;
                bottom_ = bottom;
                move_to_origin_relative(0, 0);
            }
            break;
        }
        case 's': save_cursor(); break;
        case 'u': restore_cursor(); break;
        default: break;
    }
}

// SM/RM (ANSI modes) and DECSET/DECRST (CSI ? ... h/l), several at once.
void Terminal::set_mode(const ControlSequence& s, bool on) {
    for (size_t i = 0; i < s.count; ++i) {
        const uint16_t mode = s.parameters[i];
        if (s.private_marker == '?') {
            set_dec_mode(mode, on);
        } else if (mode == 4) {
            insert_mode_ = on;
        } else if (mode == 20) {
            newline_mode_ = on;
        }
    }
}

void Terminal::set_dec_mode(uint16_t mode, bool on) {
    switch (mode) {
        case 1: application_cursor_keys_ = on; break;
        case 5:
            if (reverse_video_ != on) redraw_all_ = true;
            reverse_video_ = on;
            break;
        case 6:
            origin_mode_ = on;
            move_to_origin_relative(0, 0);
            break;
        case 7: autowrap_ = on; if (!on) wrap_pending_ = false; break;
        case 25: cursor_visible_ = on; break;
        case 47: switch_screen(on); break;
        case 1047:
            if (!on && screen_ == alternate_) erase_display(2);
            switch_screen(on);
            break;
        case 1048: on ? save_cursor() : restore_cursor(); break;
        case 1049:
            if (on) {
                save_cursor();
                switch_screen(true);
                erase_display(2);
            } else {
                switch_screen(false);
                restore_cursor();
            }
            break;
        case 2004: bracketed_paste_ = on; break;
        default: break;  // mouse reporting, cursor blink, 132 columns, ...
    }
}

// DSR: CSI 5n (status: OK), CSI 6n (cursor position, CPR), CSI ?6n (DECXCPR).
// With DECOM the row counts from the top margin.
void Terminal::report(const ControlSequence& s) {
    const uint16_t what = s.raw(0);
    if (what == 5 && s.private_marker == 0) return reply("\x1b[0n", 4);
    if (what != 6) return;
    char text[32];
    size_t length = 0;
    text[length++] = '\x1b';
    text[length++] = '[';
    if (s.private_marker == '?') text[length++] = '?';
    length += put_decimal(text + length, (origin_mode_ ? y_ - top_ : y_) + 1);
    text[length++] = ';';
    length += put_decimal(text + length, x_ + 1);
    text[length++] = 'R';
    reply(text, length);
}

}  // namespace console
