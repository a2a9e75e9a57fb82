// ezmlm/lib/cookie.h — SURF, the PCS stream hash, cookies and makehash (ezmlm.md 1.4).
//
// surf() is djb's SURF (12 input words, 32 seed words, 8 output words).
// Pcs is ezmlm's "summing" stream mode over it: 32-byte blocks packed
// little-endian, a 128-bit block counter, outputs added word-wise; finish()
// feeds '.', pads with NUL to a block and returns SURF(sum||0..., seed) as
// 32 little-endian bytes.
// cookie(key, date, addr, action): 20 letters 'a'..'p' that prove an
// address or message id was issued by this list (its `key`).
// makehash(s): 20 letters over s with SP/TAB removed and A-Z folded
// (archive subject/author hashes, MIME boundaries).
// All functions are pure; vectors in tests/unit/test_ezmlm_cookie.cpp were
// computed independently (tests/unit/data/ezmlm_surf.py).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ezmlm {

using SurfSeed = std::array<std::uint32_t, 32>;

void surf(std::uint32_t out[8], const std::uint32_t in[12], const SurfSeed& seed);

class Pcs {
 public:
  explicit Pcs(const SurfSeed& seed);
  void add(std::string_view bytes);
  void add_byte(unsigned char c);
  std::array<unsigned char, 32> finish();

 private:
  void block();
  SurfSeed seed_;
  std::array<std::uint32_t, 12> in_{};
  std::array<std::uint32_t, 8> sum_{};
  std::array<unsigned char, 32> buf_{};
  std::size_t todo_ = 0;
};

inline constexpr std::size_t cookie_length = 20;

std::string cookie(std::string_view key, std::string_view date, std::string_view addr, char action);
std::string makehash(std::string_view s);

// Constant-time comparison for checking a received cookie.
bool cookie_equal(std::string_view a, std::string_view b);

}  // namespace ezmlm
