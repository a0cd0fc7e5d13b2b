// Benchmarks of the memory manager on simulated physical memory, with glibc
// malloc and mimalloc measured in the same run. After the table it prints
// one line per comparison: ours divided by theirs (lower is better).
//
// The kernel headers come first: lib/format.hpp uses clang's __is_pointer
// builtin, which libstdc++ headers shadow with a template of that name.
// clang-format off
#include "kernel/mm/frame_allocator.hpp"
#include "kernel/mm/heap.hpp"
#include "kernel/mm/page_mapper.hpp"
#include "kernel/mm/simulated_memory.hpp"

#include <benchmark/benchmark.h>
#include <mimalloc.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>
// clang-format on

extern "C" void* __libc_malloc(size_t size);
extern "C" void __libc_free(void* pointer);

namespace {

constexpr uint64_t kMiB = 1ULL << 20;

// A frame allocator over `bytes` of simulated memory (one usable region
// above the first page), built once per size.
struct Machine {
    explicit Machine(uint64_t bytes) : memory(bytes) {
        map = {mm::testing::region(0x1000, bytes - 0x1000)};
        if (!frames.init(lib::Span<const boot::MemoryRegion>(map.data(), map.size()), memory.window())) std::abort();
    }
    mm::testing::SimulatedMemory memory;
    std::vector<boot::MemoryRegion> map;
    mm::FrameAllocator frames;
};

Machine& machine(uint64_t bytes) {
    static std::map<uint64_t, std::unique_ptr<Machine>> machines;
    auto& slot = machines[bytes];
    if (!slot) slot = std::make_unique<Machine>(bytes);
    return *slot;
}

void BM_FrameAllocFree(benchmark::State& state) {
    auto& frames = machine(uint64_t(state.range(0)) * kMiB).frames;
    for (auto _ : state) {
        auto frame = frames.allocate();
        benchmark::DoNotOptimize(frame);
        frames.free(*frame);
    }
}
BENCHMARK(BM_FrameAllocFree)->Arg(64)->Arg(64 * 1024)->Name("frame_alloc_free/MiB");

// 256 frames out, then back: past the front cache, through the buddy lists.
void BM_FrameBatch(benchmark::State& state) {
    auto& frames = machine(uint64_t(state.range(0)) * kMiB).frames;
    uint64_t held[256];
    for (auto _ : state) {
        for (auto& frame : held) frame = *frames.allocate();
        for (auto frame : held) frames.free(frame);
    }
    state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_FrameBatch)->Arg(64)->Arg(64 * 1024)->Name("frame_batch256/MiB");

void BM_Frame2MiBAllocFree(benchmark::State& state) {
    auto& frames = machine(uint64_t(state.range(0)) * kMiB).frames;
    for (auto _ : state) {
        auto run = frames.allocate_run(512, 2 * kMiB);
        benchmark::DoNotOptimize(run);
        frames.free_run(*run, 512);
    }
}
BENCHMARK(BM_Frame2MiBAllocFree)->Arg(64)->Arg(64 * 1024)->Name("frame_2mib_alloc_free/MiB");

void invalidate_nothing(uint64_t) {}

// One 4 KiB page mapped and unmapped next to a page that stays, so the
// tables above it stay too (the steady state of a kernel address space).
void BM_MapUnmap4KiB(benchmark::State& state) {
    auto& frames = machine(256 * kMiB).frames;
    mm::PageMapper mapper(frames.window(), frames, *mm::PageMapper::create_root(frames), {},
                          {&invalidate_nothing, nullptr});
    constexpr uint64_t kVirt = 0xffffc00000000000ULL;
    constexpr mm::PageFlags kFlags{.writable = true, .global = true};
    if (!mapper.map(kVirt, 0x100000, mm::PageSize::k4KiB, kFlags)) std::abort();
    for (auto _ : state) {
        if (!mapper.map(kVirt + mm::kPageSize, 0x200000, mm::PageSize::k4KiB, kFlags)) std::abort();
        if (!mapper.unmap(kVirt + mm::kPageSize)) std::abort();
    }
    mapper.destroy();
}
BENCHMARK(BM_MapUnmap4KiB)->Name("map_unmap_4kib");

// A mix of small sizes, typical of kernel objects; 64 blocks live at once,
// freed in a different order than allocated.
constexpr size_t kMix[16] = {16, 24, 32, 48, 64, 64, 96, 128, 128, 160, 200, 256, 320, 512, 40, 80};
constexpr size_t kBatch = 64;

template <typename Allocate, typename Free>
void heap_mix(benchmark::State& state, Allocate allocate, Free free) {
    void* blocks[kBatch];
    for (auto _ : state) {
        for (size_t i = 0; i < kBatch; ++i) {
            blocks[i] = allocate(kMix[i % 16]);
            *static_cast<char*>(blocks[i]) = char(i);
        }
        for (size_t i = 0; i < kBatch; ++i) free(blocks[(i * 7) % kBatch]);
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
}

mm::Heap& heap() {
    static mm::Heap heap;
    static bool ready = false;
    if (!ready) {
        heap.init(machine(1024 * kMiB).frames);
        ready = true;
    }
    return heap;
}

void BM_HeapMixOurs(benchmark::State& state) {
    auto& h = heap();
    heap_mix(
        state, [&](size_t size) { return h.allocate(size); }, [&](void* p) { h.free(p); });
}
void BM_HeapMixGlibc(benchmark::State& state) {
    heap_mix(state, __libc_malloc, __libc_free);
}
void BM_HeapMixMimalloc(benchmark::State& state) {
    heap_mix(state, mi_malloc, mi_free);
}
BENCHMARK(BM_HeapMixOurs)->Name("heap_mix/ours");
BENCHMARK(BM_HeapMixGlibc)->Name("heap_mix/glibc");
BENCHMARK(BM_HeapMixMimalloc)->Name("heap_mix/mimalloc");

template <typename Allocate, typename Free>
void heap_pair(benchmark::State& state, Allocate allocate, Free free) {
    size_t size = size_t(state.range(0));
    for (auto _ : state) {
        void* p = allocate(size);
        benchmark::DoNotOptimize(p);
        free(p);
    }
}
void BM_HeapPairOurs(benchmark::State& state) {
    auto& h = heap();
    heap_pair(
        state, [&](size_t size) { return h.allocate(size); }, [&](void* p) { h.free(p); });
}
void BM_HeapPairGlibc(benchmark::State& state) {
    heap_pair(state, __libc_malloc, __libc_free);
}
void BM_HeapPairMimalloc(benchmark::State& state) {
    heap_pair(state, mi_malloc, mi_free);
}
BENCHMARK(BM_HeapPairOurs)->Arg(64)->Name("heap_pair/ours");
BENCHMARK(BM_HeapPairGlibc)->Arg(64)->Name("heap_pair/glibc");
BENCHMARK(BM_HeapPairMimalloc)->Arg(64)->Name("heap_pair/mimalloc");

// Keeps the per-item CPU time of every run for the ratio lines (CPU, not
// wall time: on a shared machine wall time includes other processes).
class RecordingReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs) {
            if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
            double nanoseconds = run.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(run.time_unit) * 1e9;
            auto items = run.counters.find("items_per_second");
            if (items != run.counters.end() && items->second.value > 0) nanoseconds = 1e9 / items->second.value;
            times[run.benchmark_name()] = nanoseconds;
        }
        ConsoleReporter::ReportRuns(runs);
    }
    std::map<std::string, double> times;
};

void ratio(const RecordingReporter& reporter, const char* label, const std::string& ours, const std::string& theirs) {
    auto a = reporter.times.find(ours), b = reporter.times.find(theirs);
    if (a == reporter.times.end() || b == reporter.times.end() || b->second <= 0) return;
    std::printf("%s: %.2fx\n", label, a->second / b->second);
}

void figure(const RecordingReporter& reporter, const char* label, const std::string& name) {
    auto it = reporter.times.find(name);
    if (it != reporter.times.end()) std::printf("%s: %.1f ns\n", label, it->second);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    std::printf("\n");
    figure(reporter, "frame alloc+free (64 MiB)", "frame_alloc_free/MiB/64");
    figure(reporter, "frame alloc+free (64 GiB)", "frame_alloc_free/MiB/65536");
    figure(reporter, "frame alloc+free, batch of 256 (64 MiB), per frame", "frame_batch256/MiB/64");
    figure(reporter, "frame alloc+free, batch of 256 (64 GiB), per frame", "frame_batch256/MiB/65536");
    figure(reporter, "2 MiB run alloc+free (64 MiB)", "frame_2mib_alloc_free/MiB/64");
    figure(reporter, "2 MiB run alloc+free (64 GiB)", "frame_2mib_alloc_free/MiB/65536");
    figure(reporter, "map+unmap 4 KiB page", "map_unmap_4kib");
    figure(reporter, "heap mix, per alloc+free: ours", "heap_mix/ours");
    figure(reporter, "heap mix, per alloc+free: glibc", "heap_mix/glibc");
    figure(reporter, "heap mix, per alloc+free: mimalloc", "heap_mix/mimalloc");
    ratio(reporter, "heap vs mimalloc", "heap_mix/ours", "heap_mix/mimalloc");
    ratio(reporter, "heap vs glibc", "heap_mix/ours", "heap_mix/glibc");
    ratio(reporter, "heap pair (64 B) vs mimalloc", "heap_pair/ours/64", "heap_pair/mimalloc/64");
    ratio(reporter, "heap pair (64 B) vs glibc", "heap_pair/ours/64", "heap_pair/glibc/64");
    ratio(reporter, "frame 64 GiB vs 64 MiB", "frame_alloc_free/MiB/65536", "frame_alloc_free/MiB/64");
    ratio(reporter, "frame batch 64 GiB vs 64 MiB", "frame_batch256/MiB/65536", "frame_batch256/MiB/64");
    ratio(reporter, "2 MiB run 64 GiB vs 64 MiB", "frame_2mib_alloc_free/MiB/65536", "frame_2mib_alloc_free/MiB/64");
    benchmark::Shutdown();
    return 0;
}
