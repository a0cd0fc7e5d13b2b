// The list of everything wrong with the firmware's tables: each problem names
// the table (its signature, or "RSDP") and says what is wrong. Parsing never
// stops at a problem it can step around; it records it here, ignores the bad
// part and goes on. The boot log prints the list (acpi::print_summary).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/acpi/signature.hpp"

namespace acpi {

struct Problem {
    Signature::Printable table;
    const char* message;  // static text
    uint64_t detail;      // the first offending address, offset or value (see message)
    uint32_t repeats;     // further reports of the same problem in the same table
};

class Diagnostics {
public:
    static constexpr size_t kCapacity = 32;

    // The same message for the same table is kept once and counted, so a
    // table with a thousand bad entries cannot crowd out everything else.
    void report(Signature table, const char* message, uint64_t detail = 0) {
        Signature::Printable name = table.printable();
        for (size_t i = 0; i < count_; ++i) {
            if (problems_[i].message == message && same_name(problems_[i].table, name)) {
                ++problems_[i].repeats;
                return;
            }
        }
        if (count_ == kCapacity) {
            ++dropped_;
            return;
        }
        problems_[count_++] = Problem{name, message, detail, 0};
    }

    void clear() {
        count_ = 0;
        dropped_ = 0;
    }

    size_t count() const { return count_; }
    const Problem& operator[](size_t index) const { return problems_[index]; }
    // Problems beyond the capacity: counted, not kept.
    size_t dropped() const { return dropped_; }
    bool empty() const { return count_ == 0 && dropped_ == 0; }

private:
    static bool same_name(const Signature::Printable& a, const Signature::Printable& b) {
        for (size_t i = 0; i < 4; ++i)
            if (a.text[i] != b.text[i]) return false;
        return true;
    }

    Problem problems_[kCapacity] = {};
    size_t count_ = 0;
    size_t dropped_ = 0;
};

}  // namespace acpi
