// Fuzz target: the control-file parsers (first_line, parse_number,
// parse_list) on arbitrary bytes, with the invariants their callers rely on:
// a line has no LF and no trailing blank; a list entry is never empty, never
// a comment and never ends in space or tab; a number is the leading digits.
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mta/core/control.h"

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
bool is_trailing_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  std::string line = mta::control::first_line(bytes);
  check(line.find('\n') == std::string::npos);
  check(line.empty() || !is_trailing_blank(line.back()));
  check(bytes.substr(0, line.size()) == line);  // a prefix of the input

  auto number = mta::control::parse_number(bytes);
  bool starts_with_digit = !bytes.empty() && bytes[0] >= '0' && bytes[0] <= '9';
  if (number) {
    check(starts_with_digit);
    // The digits it read, formatted again, are the input's leading digits
    // without leading zeros.
    std::string_view digits = bytes.substr(0, bytes.find_first_not_of("0123456789"));
    while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *number);
    check(ec == std::errc());
    check(std::string_view(buf, static_cast<std::size_t>(end - buf)) == digits);
  } else if (starts_with_digit) {
    // Only an overflow refuses leading digits.
    check(bytes.substr(0, bytes.find_first_not_of("0123456789")).size() >= 20);
  }

  std::size_t total = 0;
  for (const auto& entry : mta::control::parse_list(bytes)) {
    check(!entry.empty());
    check(entry[0] != '#');
    check(entry.back() != ' ' && entry.back() != '\t');
    check(entry.find('\n') == std::string::npos);
    check(bytes.find(entry) != std::string_view::npos);
    total += entry.size();
  }
  check(total <= bytes.size());
  return 0;
}
