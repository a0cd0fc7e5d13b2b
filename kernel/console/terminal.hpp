// A VT100/xterm-compatible terminal as a pure state machine over a grid of
// cells: bytes in (through VtParser), cells, cursor and modes out. It knows
// nothing of pixels; TextRenderer draws it, using the damage it records
// (which cells changed, which regions scrolled) to redraw only what changed.
//
// What it does (xterm's ctlseqs and the VT100/VT220 manuals are the
// references; docs/tty.md lists the sequences):
//   - UTF-8 text, one cell per code point (combining marks dropped), with
//     autowrap (DECAWM) and xterm's deferred wrap: a character written in the
//     last column leaves the cursor there, and only the next one wraps;
//   - CR LF BS HT VT FF, tab stops (HTS, TBC, CHT, CBT), SO/SI with the DEC
//     special graphics (line drawing) set;
//   - cursor movement and addressing: CUU CUD CUF CUB CNL CPL CHA HPA HPR
//     VPA VPR CUP HVP, with origin mode (DECOM) and scrolling regions;
//   - erasing and editing: ED EL ECH ICH DCH IL DL SU SD REP, insert mode
//     (IRM), erased cells in the current background colour (like xterm);
//   - DECSTBM scrolling regions, IND RI NEL, DECSC/DECRC (ESC 7/8, CSI s/u),
//     DECALN, DECSTR, RIS;
//   - SGR: bold, dim, italic, underline, blink, reverse, hidden, strike and
//     their resets; 8/16 colours, 256 colours and 24-bit colour (38/48 with
//     ';' or ':');
//   - modes: DECCKM (application cursor keys, for the keyboard encoder),
//     DECKPAM/DECKPNM, DECSCNM, DECTCEM (cursor visible), the alternate
//     screen (?47, ?1047, ?1049, with ?1048), bracketed paste (?2004), LNM;
//   - replies through a callback: DSR (CSI 5n -> CSI 0n, CSI 6n -> CSI
//     row;col R, CSI ?6n), DA (CSI c) and DA2 (CSI > c);
//   - OSC, DCS, SOS, PM and APC strings swallowed; unknown sequences ignored.
// No input is trusted: every parameter is clamped, the cursor never leaves
// the grid (the fuzz test checks), and nothing allocates.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel/console/vt_parser.hpp"
#include "lib/expected.hpp"
#include "lib/span.hpp"
#include "lib/string_view.hpp"

namespace console {

// A colour as SGR sets it: the terminal's default, one of 256 indexed
// colours (0-15 the classic ones), or 24-bit RGB.
class Colour {
public:
    static constexpr Colour standard() { return Colour(0); }
    static constexpr Colour indexed(uint8_t index) { return Colour(kIndexed | index); }
    static constexpr Colour rgb(uint8_t r, uint8_t g, uint8_t b) {
        return Colour(kRgb | uint32_t(r) << 16 | uint32_t(g) << 8 | b);
    }
    constexpr bool is_standard() const { return bits_ == 0; }
    constexpr bool is_indexed() const { return (bits_ & kKindMask) == kIndexed; }
    constexpr bool is_rgb() const { return (bits_ & kKindMask) == kRgb; }
    constexpr uint8_t index() const { return uint8_t(bits_); }
    constexpr uint8_t red() const { return uint8_t(bits_ >> 16); }
    constexpr uint8_t green() const { return uint8_t(bits_ >> 8); }
    constexpr uint8_t blue() const { return uint8_t(bits_); }
    constexpr bool operator==(const Colour&) const = default;

private:
    static constexpr uint32_t kIndexed = 1u << 24, kRgb = 2u << 24, kKindMask = 3u << 24;
    constexpr explicit Colour(uint32_t bits) : bits_(bits) {}
    uint32_t bits_;
};

namespace attribute {
constexpr uint16_t kBold = 1 << 0, kDim = 1 << 1, kItalic = 1 << 2, kUnderline = 1 << 3, kBlink = 1 << 4,
                   kReverse = 1 << 5, kHidden = 1 << 6, kStrike = 1 << 7;
}

// The colours and attributes text is written with.
struct Pen {
    Colour foreground = Colour::standard();
    Colour background = Colour::standard();
    uint16_t attributes = 0;
    constexpr bool operator==(const Pen&) const = default;
};

struct Cell {
    uint32_t code_point = ' ';
    Pen pen;
    constexpr bool operator==(const Cell&) const = default;
    // A space in the default colours with nothing drawn: what a fresh screen holds.
    constexpr bool is_blank() const { return code_point == ' ' && pen == Pen{}; }
};

class Terminal {
public:
    static constexpr uint32_t kMaxColumns = 512, kMaxRows = 256;
    static constexpr size_t kMaxScrolls = 8;  // scroll damage kept before a full redraw is asked for

    // `primary` and `alternate` each hold at least columns x rows cells
    // (row after row) and outlive the terminal. Fails (EINVAL, and stays
    // unusable) on a size of 0 or above the limits, or storage too small.
    lib::Expected<void> init(uint32_t columns, uint32_t rows, lib::Span<Cell> primary, lib::Span<Cell> alternate);

    void write(lib::StringView text);
    void write(lib::Span<const uint8_t> bytes);

    // Answers to DSR and DA (bytes the terminal "types"): the tty layer
    // feeds them to the line discipline as input.
    using ReplyFunction = void (*)(void* context, const char* bytes, size_t length);
    void set_reply(ReplyFunction function, void* context) {
        reply_ = function;
        reply_context_ = context;
    }

    uint32_t columns() const { return columns_; }
    uint32_t rows() const { return rows_; }
    const Cell& cell(uint32_t column, uint32_t row) const { return screen_[row * columns_ + column]; }
    uint32_t cursor_column() const { return x_; }
    uint32_t cursor_row() const { return y_; }
    bool wrap_pending() const { return wrap_pending_; }
    const Pen& pen() const { return pen_; }
    uint32_t scroll_top() const { return top_; }
    uint32_t scroll_bottom() const { return bottom_; }  // inclusive

    bool cursor_visible() const { return cursor_visible_; }
    bool application_cursor_keys() const { return application_cursor_keys_; }
    bool application_keypad() const { return application_keypad_; }
    bool bracketed_paste() const { return bracketed_paste_; }
    bool reverse_video() const { return reverse_video_; }
    bool alternate_screen_active() const { return screen_ == alternate_; }
    bool autowrap() const { return autowrap_; }
    bool origin_mode() const { return origin_mode_; }
    bool insert_mode() const { return insert_mode_; }

    // --- damage: what changed since clear_damage() -------------------------
    // Rows [top, bottom] (inclusive) moved up by `lines` (down if negative):
    // the renderer moves the pixels the same way, in order, before redrawing
    // the damaged cells. Damage recorded before a scroll moves with it.
    struct Scroll {
        uint16_t top, bottom;
        int16_t lines;
    };
    bool redraw_all() const { return redraw_all_; }
    size_t scroll_count() const { return scroll_count_; }
    const Scroll& scroll(size_t i) const { return scrolls_[i]; }
    // Columns [begin, end) of `row` changed; false if none did.
    bool row_damage(uint32_t row, uint32_t& begin, uint32_t& end) const;
    void clear_damage();
    // Asks for everything to be drawn again (a new renderer, a repaint).
    void damage_all() { redraw_all_ = true; }

    // Parser callbacks (public for VtParser's template; not an API).
    void print(uint32_t code_point);
    void execute(uint8_t control);
    void esc_dispatch(const ControlSequence& sequence);
    void csi_dispatch(const ControlSequence& sequence);

private:
    struct SavedCursor {
        uint32_t x = 0, y = 0;
        Pen pen;
        bool wrap_pending = false, origin_mode = false;
        uint8_t charsets[2] = {'B', 'B'};
        uint8_t shift = 0;
    };

    Cell* row_cells(uint32_t row) { return screen_ + row * columns_; }
    Cell blank() const;  // an erased cell: the current background, no attributes
    void damage(uint32_t row, uint32_t begin, uint32_t end);
    void damage_rows(uint32_t first, uint32_t last);

    void reset_state();  // RIS
    void soft_reset();   // DECSTR
    void move_to(int64_t x, int64_t y);  // clamped to the grid, wrap flag cleared
    void move_to_origin_relative(int64_t x, int64_t y);
    void index();
    void reverse_index();
    void scroll_up(uint32_t top, uint32_t bottom, uint32_t lines);
    void scroll_down(uint32_t top, uint32_t bottom, uint32_t lines);
    void record_scroll(uint32_t top, uint32_t bottom, int32_t lines);
    void erase(uint32_t row, uint32_t begin, uint32_t end);
    void erase_display(uint16_t mode);
    void erase_line(uint16_t mode);
    void insert_cells(uint32_t count);
    void delete_cells(uint32_t count);
    void tab_forward(uint32_t count);
    void tab_backward(uint32_t count);
    void save_cursor();
    void restore_cursor();
    void switch_screen(bool alternate);
    void set_mode(const ControlSequence& sequence, bool on);
    void set_dec_mode(uint16_t mode, bool on);
    void select_graphic_rendition(const ControlSequence& sequence);
    size_t extended_colour(const ControlSequence& sequence, size_t i, Colour& colour);
    void report(const ControlSequence& sequence);
    void reply(const char* bytes, size_t length);
    bool in_margins() const { return y_ >= top_ && y_ <= bottom_; }

    VtParser parser_;
    uint32_t columns_ = 0, rows_ = 0;
    Cell* primary_ = nullptr;
    Cell* alternate_ = nullptr;
    Cell* screen_ = nullptr;

    uint32_t x_ = 0, y_ = 0;
    bool wrap_pending_ = false;
    Pen pen_;
    uint32_t top_ = 0, bottom_ = 0;
    uint64_t tab_stops_[kMaxColumns / 64] = {};
    uint8_t charsets_[2] = {'B', 'B'};  // G0, G1: 'B' ASCII, '0' DEC special graphics
    uint8_t shift_ = 0;                 // which of them is in use (SI: G0, SO: G1)
    uint32_t last_printed_ = 0;         // for REP
    SavedCursor saved_[2];              // DECSC, per screen

    bool autowrap_ = true;
    bool origin_mode_ = false;
    bool insert_mode_ = false;
    bool newline_mode_ = false;
    bool cursor_visible_ = true;
    bool application_cursor_keys_ = false;
    bool application_keypad_ = false;
    bool bracketed_paste_ = false;
    bool reverse_video_ = false;

    ReplyFunction reply_ = nullptr;
    void* reply_context_ = nullptr;

    // Damage.
    uint16_t damage_begin_[kMaxRows] = {};
    uint16_t damage_end_[kMaxRows] = {};
    Scroll scrolls_[kMaxScrolls] = {};
    size_t scroll_count_ = 0;
    bool redraw_all_ = true;
};

// The RGB value of a colour: 0-15 the usual terminal palette, 16-231 the
// 6x6x6 cube, 232-255 the grey ramp (xterm's 256-colour palette), and the
// default foreground/background for Colour::standard().
struct Rgb {
    uint8_t red, green, blue;
    constexpr bool operator==(const Rgb&) const = default;
};
Rgb palette_colour(uint8_t index);
constexpr uint8_t kDefaultForegroundIndex = 7;  // light grey
constexpr uint8_t kDefaultBackgroundIndex = 0;  // black
Rgb resolve_colour(Colour colour, bool foreground);

}  // namespace console
