#include "kernel/dev/random.hpp"

#include "kernel/console/log.hpp"
#include "kernel/sync/spinlock.hpp"
#include "lib/random/chacha20.hpp"
#include "lib/x86_64/cpuid.hpp"
#include "lib/x86_64/instructions.hpp"

namespace dev::random {

namespace {

ksync::Spinlock g_lock;
lib::ChaCha20Generator g_generator;
Source g_source = Source::kTscJitter;
bool g_initialized = false;
uint64_t g_requests_since_seed = 0;

// 64 bits from the hardware source; false if it gave nothing in 32 tries.
bool hardware_word(uint64_t& word) {
    for (int attempt = 0; attempt < 32; ++attempt) {
        if (g_source == Source::kRdseed && x86_64::rdseed64(word)) return true;
        if (g_source == Source::kRdrand && x86_64::rdrand64(word)) return true;
        x86_64::pause();
    }
    return false;
}

// The low bits of the time between TSC reads around a little work vary
// with caches, interrupts and (under emulation) the host: a weak source,
// used only where the CPU has no RDRAND.
uint64_t jitter_word() {
    uint64_t word = 0;
    for (int i = 0; i < 64; ++i) {
        uint64_t a = x86_64::rdtsc();
        for (int spin = 0; spin < 16; ++spin) x86_64::pause();
        word = (word << 1 | word >> 63) ^ (x86_64::rdtsc() - a);
    }
    return word;
}

void gather(uint8_t (&key)[lib::kChaCha20KeyBytes]) {
    for (size_t i = 0; i < sizeof key; i += 8) {
        uint64_t word = 0;
        if (g_source == Source::kTscJitter || !hardware_word(word)) word ^= jitter_word();
        word ^= x86_64::rdtsc();
        __builtin_memcpy(key + i, &word, 8);
    }
}

void seed_locked() {
    if (!g_initialized) {
        g_source = x86_64::has(x86_64::feature::kRdseed)   ? Source::kRdseed
                   : x86_64::has(x86_64::feature::kRdrand) ? Source::kRdrand
                                                           : Source::kTscJitter;
    }
    uint8_t key[lib::kChaCha20KeyBytes];
    gather(key);
    if (g_generator.seeded()) {
        g_generator.mix(key);
    } else {
        g_generator.seed(key);
    }
    __builtin_memset(key, 0, sizeof key);
    g_requests_since_seed = 0;
}

}  // namespace

const char* source_name(Source source) {
    switch (source) {
    case Source::kRdseed: return "RDSEED";
    case Source::kRdrand: return "RDRAND";
    case Source::kTscJitter: return "TSC jitter (weak: the CPU has no RDRAND)";
    }
    return "?";
}

void init() {
    bool first = false;
    {
        ksync::Guard guard(g_lock);
        if (!g_initialized) {
            seed_locked();
            g_initialized = true;
            first = true;
        }
    }
    if (first) klog::info("random: ChaCha20 generator seeded from {}", source_name(g_source));
}

Source source() {
    return g_source;
}

void fill(void* out, size_t size) {
    if (!g_initialized) init();
    ksync::Guard guard(g_lock);
    if (++g_requests_since_seed >= kReseedRequests) seed_locked();
    g_generator.fill(out, size);
}

}  // namespace dev::random
