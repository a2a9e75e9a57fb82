// SURF and PCS as ezmlm.md 1.4 describes them (djb's surf.c and ezmlm's
// surfpcs.c, re-implemented from the description).
#include "ezmlm/lib/cookie.h"

namespace ezmlm {

namespace {
constexpr std::uint32_t rol(std::uint32_t x, int b) { return (x << b) | (x >> (32 - b)); }
}  // namespace

void surf(std::uint32_t out[8], const std::uint32_t in[12], const SurfSeed& seed) {
  std::uint32_t t[12];
  for (int i = 0; i < 12; ++i) t[i] = in[i] ^ seed[12 + i];
  for (int i = 0; i < 8; ++i) out[i] = seed[24 + i];
  std::uint32_t x = t[11];
  std::uint32_t sum = 0;
  static constexpr int rot[4] = {5, 7, 9, 13};
  for (int loop = 0; loop < 2; ++loop) {
    for (int r = 0; r < 16; ++r) {
      sum += 0x9e3779b9u;
      for (int i = 0; i < 12; ++i) {
        t[i] += ((x ^ seed[i]) + sum) ^ rol(x, rot[i % 4]);
        x = t[i];
      }
    }
    for (int j = 0; j < 8; ++j) out[j] ^= t[j + 4];
  }
}

Pcs::Pcs(const SurfSeed& seed) : seed_(seed) {}

// block - one 32-byte block: bump the 128-bit counter, SURF, add to sum.
void Pcs::block() {
  for (int i = 0; i < 8; ++i)
    in_[i] = std::uint32_t(buf_[4 * i]) | std::uint32_t(buf_[4 * i + 1]) << 8 |
             std::uint32_t(buf_[4 * i + 2]) << 16 | std::uint32_t(buf_[4 * i + 3]) << 24;
  for (int i = 8; i < 12; ++i)
    if (++in_[i] != 0) break;
  std::uint32_t out[8];
  surf(out, in_.data(), seed_);
  for (int i = 0; i < 8; ++i) sum_[i] += out[i];
  todo_ = 0;
}

void Pcs::add_byte(unsigned char c) {
  buf_[todo_++] = c;
  if (todo_ == 32) block();
}

void Pcs::add(std::string_view bytes) {
  for (char c : bytes) add_byte(static_cast<unsigned char>(c));
}

std::array<unsigned char, 32> Pcs::finish() {
  add_byte('.');
  while (todo_ != 0) add_byte(0);
  std::uint32_t in[12] = {};
  for (int i = 0; i < 8; ++i) in[i] = sum_[i];
  std::uint32_t out[8];
  surf(out, in, seed_);
  std::array<unsigned char, 32> bytes{};
  for (int i = 0; i < 8; ++i)
    for (int k = 0; k < 4; ++k) bytes[4 * i + k] = static_cast<unsigned char>(out[i] >> (8 * k));
  return bytes;
}

std::string cookie(std::string_view key, std::string_view date, std::string_view addr, char action) {
  // The seed is the key, compressed by four passes of PCS.
  SurfSeed seed{};
  for (int round = 0; round < 4; ++round) {
    Pcs pcs(seed);
    pcs.add(key);
    auto o = pcs.finish();
    for (int i = 0; i < 32; ++i) seed[i] = (seed[i] << 8) + o[i];
  }
  Pcs pcs(seed);
  pcs.add(date);
  pcs.add_byte(0);
  pcs.add(addr);
  pcs.add_byte(0);
  pcs.add_byte(static_cast<unsigned char>(action));
  auto o = pcs.finish();
  std::string out(cookie_length, 'a');
  for (std::size_t i = 0; i < cookie_length; ++i) out[i] = static_cast<char>('a' + (o[i] & 15));
  return out;
}

std::string makehash(std::string_view s) {
  SurfSeed seed{};
  Pcs pcs(seed);
  for (char c : s) {
    if (c == ' ' || c == '\t') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    pcs.add_byte(static_cast<unsigned char>(c));
  }
  auto o = pcs.finish();
  std::string out(cookie_length, 'a');
  for (std::size_t i = 0; i < cookie_length; ++i) out[i] = static_cast<char>('a' + (o[i] & 15));
  return out;
}

bool cookie_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace ezmlm
