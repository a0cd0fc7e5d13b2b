#include "loader/menu.hpp"

#include "loader/console.hpp"
#include "loader/uefi.hpp"

namespace loader {
namespace {

// Sub-entries are indented by their depth; directories (which boot nothing)
// are listed with a trailing '/' and never selected.
void show(const Config& config, size_t selected) {
    console::print("\nBoot entries (Up/Down to choose, Enter to boot):\n");
    static constexpr const char* kIndent[] = {"", "", "  ", "    ", "      "};
    for (size_t i = 0; i < config.entry_count; ++i) {
        const ConfigEntry& entry = config.entries[i];
        console::print("  {} {}. {}{}{}\n", i == selected ? "=>" : "  ", i + 1, kIndent[entry.depth < 5 ? entry.depth : 4],
                       entry.title, entry.directory ? "/" : "");
    }
}

// The nearest bootable entry from `from` in direction `step` (+1 or -1), or
// `from` itself when there is none.
size_t next_bootable(const Config& config, size_t from, int step) {
    for (size_t i = from + step; i < config.entry_count; i += step)
        if (!config.entries[i].directory) return i;
    return from;
}

}  // namespace

size_t choose_entry(const Config& config) {
    size_t selected = config.default_entry < config.entry_count ? config.default_entry : 0;
    // A default that is a directory boots nothing by itself: the menu waits
    // on the first bootable entry below it (as Limine disables its autoboot).
    bool autoboot = config.default_is_bootable();
    if (!autoboot && config.entries[selected].directory) selected = next_bootable(config, selected, +1);
    if (autoboot && (config.timeout_seconds == 0 || config.entry_count == 0)) return selected;

    efi::SimpleTextInputProtocol* input = uefi::system_table()->con_in;
    show(config, selected);
    bool counting = autoboot && config.timeout_seconds != kTimeoutForever;
    // Poll the keyboard every 10 ms (UEFI 2.10 §12.3.3 ReadKeyStroke returns
    // EFI_NOT_READY when no key is waiting); count down in whole seconds.
    constexpr uint64_t kPollMicroseconds = 10000;
    uint64_t remaining_polls = config.timeout_seconds * (1000000 / kPollMicroseconds);
    uint64_t last_shown_second = ~0ULL;
    for (;;) {
        if (counting) {
            uint64_t second = (remaining_polls + 99) / 100;
            if (second != last_shown_second && second != 0) {
                console::print("Booting '{}' in {} s...\n", config.entries[selected].title, second);
                last_shown_second = second;
            }
            if (remaining_polls == 0) return selected;
            --remaining_polls;
        }
        efi::InputKey key{};
        if (!input || efi::is_error(input->read_key_stroke(input, &key))) {
            uefi::stall_microseconds(kPollMicroseconds);
            continue;
        }
        if (counting) {
            counting = false;  // any key stops the countdown
            console::print("Countdown stopped.\n");
        }
        if (key.unicode_char == u'\r' || key.unicode_char == u'\n') return selected;
        if (key.scan_code == efi::kScanUp && next_bootable(config, selected, -1) != selected) {
            selected = next_bootable(config, selected, -1);
            show(config, selected);
        } else if (key.scan_code == efi::kScanDown && next_bootable(config, selected, +1) != selected) {
            selected = next_bootable(config, selected, +1);
            show(config, selected);
        }
    }
}

}  // namespace loader
