#include "loader/menu.hpp"

#include "loader/console.hpp"
#include "loader/uefi.hpp"

namespace loader {
namespace {

void show(const Config& config, size_t selected) {
    console::print("\nBoot entries (Up/Down to choose, Enter to boot):\n");
    for (size_t i = 0; i < config.entry_count; ++i)
        console::print("  {} {}. {}\n", i == selected ? "=>" : "  ", i + 1, config.entries[i].title);
}

}  // namespace

size_t choose_entry(const Config& config) {
    size_t selected = config.default_entry < config.entry_count ? config.default_entry : 0;
    if (config.timeout_seconds == 0 || config.entry_count == 0) return selected;

    efi::SimpleTextInputProtocol* input = uefi::system_table()->con_in;
    show(config, selected);
    bool counting = true;
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
        if (key.scan_code == efi::kScanUp && selected > 0) {
            --selected;
            show(config, selected);
        } else if (key.scan_code == efi::kScanDown && selected + 1 < config.entry_count) {
            ++selected;
            show(config, selected);
        }
    }
}

}  // namespace loader
