#include "loader/hhdm.hpp"

#include "loader/paging.hpp"

namespace loader::hhdm {
namespace {
uint64_t g_offset = paging::kHhdmOffset4Level;
}  // namespace

void set_offset(uint64_t offset) {
    g_offset = offset;
}
uint64_t offset() {
    return g_offset;
}

}  // namespace loader::hhdm
