#include "loader/paths.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace loader {
namespace {

std::string join(const std::string& kernel, const std::string& module, size_t capacity = 256) {
    char out[512];
    auto length = kernel_relative_path(lib::StringView(kernel.data(), kernel.size()),
                                       lib::StringView(module.data(), module.size()), out, capacity);
    if (!length) return "<fail>";
    EXPECT_EQ(*length, std::strlen(out));
    return out;
}

TEST(Paths, RelativeToKernelDirectory) {
    EXPECT_EQ(join("/boot/kernel", "initrd.tar"), "/boot/initrd.tar");
    EXPECT_EQ(join("/kernel", "m"), "/m");
    EXPECT_EQ(join("/a/b/c/kernel.elf", "sub/m.bin"), "/a/b/c/sub/m.bin");
    EXPECT_EQ(join("/boot/kernel", "/abs/m"), "/abs/m");
}

std::string normalised(std::string path) {
    std::vector<char> buffer(path.begin(), path.end());
    buffer.push_back(0);
    size_t length = normalise_path(buffer.data());
    EXPECT_EQ(length, std::strlen(buffer.data()));
    return buffer.data();
}

TEST(Paths, NormalisedAsLimineReportsThem) {
    EXPECT_EQ(join("/boot/kernel", "./limine.conf"), "/boot/limine.conf");
    EXPECT_EQ(join("/boot/sub/kernel", "../mod"), "/boot/mod");
    EXPECT_EQ(normalised("/boot//kernel"), "/boot/kernel");
    EXPECT_EQ(normalised("/boot/./x/../kernel"), "/boot/kernel");
    EXPECT_EQ(normalised("/../../a"), "/a");
    EXPECT_EQ(normalised("/a/b/.."), "/a");
    EXPECT_EQ(normalised("/.."), "/");
    EXPECT_EQ(normalised("/a/.b/..c/..."), "/a/.b/..c/...");
    EXPECT_EQ(normalised("/plain/path"), "/plain/path");
}

TEST(Paths, BadInputFails) {
    EXPECT_EQ(join("/boot/kernel", ""), "<fail>");
    EXPECT_EQ(join("boot/kernel", "m"), "<fail>");
    EXPECT_EQ(join("/boot/kernel", std::string("a\0b", 3)), "<fail>");
    EXPECT_EQ(join("/boot/kernel", "0123456789", 16), "<fail>");  // "/boot/" + 10 + NUL = 17
    EXPECT_EQ(join("/boot/kernel", "012345678", 16), "/boot/012345678");
    EXPECT_EQ(join("/boot/kernel", "m", 0), "<fail>");
    // What was wrong, as an errno.
    char out[16];
    EXPECT_EQ(kernel_relative_path("/boot/kernel", "", out, sizeof out).error().code, lib::Errno::kEINVAL);
    EXPECT_EQ(kernel_relative_path("boot/kernel", "m", out, sizeof out).error().code, lib::Errno::kEINVAL);
    EXPECT_EQ(kernel_relative_path("/boot/kernel", "0123456789", out, sizeof out).error().code,
              lib::Errno::kENAMETOOLONG);
}

TEST(Paths, RandomInputsStayInBounds) {
    std::mt19937 random(11);
    for (int i = 0; i < 5000; ++i) {
        std::string kernel = "/", module;
        for (unsigned n = random() % 40; n > 0; --n) kernel += "ab/"[random() % 3];
        for (unsigned n = random() % 40; n > 0; --n) module += "cd/\0"[random() % 4];
        size_t capacity = 1 + random() % 64;
        char out[80];
        std::memset(out, 'X', sizeof out);
        auto ok = kernel_relative_path(lib::StringView(kernel.data(), kernel.size()),
                                       lib::StringView(module.data(), module.size()), out, capacity);
        EXPECT_EQ(out[capacity], 'X');  // never writes past capacity
        if (ok) EXPECT_LT(std::strlen(out), capacity);
    }
}

}  // namespace
}  // namespace loader
