// mta/core/transfer_encoding.cpp — see transfer_encoding.h.
#include "mta/core/transfer_encoding.h"

#include <cstdint>

namespace mta::cte {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                      static_cast<unsigned char>(data[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(v >> shift) & 63];
  }
  if (std::size_t rest = data.size() - i) {
    std::uint32_t v = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    int v = base64_value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::optional<std::string> base64_decode_strict(std::string_view text) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0, pad = 0;
  std::size_t count = 0;
  for (char c : text) {
    if (is_fws(c)) continue;
    if (c == '=') {
      ++pad;
      ++count;
      continue;
    }
    int v = base64_value(c);
    if (v < 0 || pad) return std::nullopt;  // nothing but '=' after padding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    ++count;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (count % 4 != 0 || pad > 2) return std::nullopt;
  // The padding must match the leftover bits, and those must be zero.
  if ((pad == 1 && bits != 2) || (pad == 2 && bits != 4) || (pad == 0 && bits != 0)) return std::nullopt;
  if (bits && (acc & ((1u << bits) - 1))) return std::nullopt;
  return out;
}

std::string qp_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t k = 0; k < text.size(); ++k) {
    if (text[k] != '=') {
      out.push_back(text[k]);
      continue;
    }
    // A soft line break: '=' then optional white space, then (CR)LF.
    std::size_t j = k + 1;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    if (j < text.size() && text[j] == '\r') ++j;
    if (j < text.size() && text[j] == '\n') {
      k = j;
      continue;
    }
    if (j == text.size()) break;
    int hi = k + 1 < text.size() ? hex_value(text[k + 1]) : -1;
    int lo = k + 2 < text.size() ? hex_value(text[k + 2]) : -1;
    if (hi < 0 || lo < 0) {
      out.push_back('=');
      continue;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    k += 2;
  }
  return out;
}

}  // namespace mta::cte
