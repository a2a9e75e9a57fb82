#include "ezmlm/lib/getconf.h"

#include <cctype>

namespace ezmlm {

namespace {
std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f for each '\n'-separated line (the last one may lack its '\n').
template <typename F>
void each_line(std::string_view text, F f) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    f(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}
}  // namespace

std::vector<std::string> getconf_lines(std::string_view text) {
  std::vector<std::string> out;
  each_line(text, [&](std::string_view line) {
    line = trim_right(line);
    if (line.empty() || line[0] == '#') return;
    out.emplace_back(line);
  });
  return out;
}

std::optional<std::string> getconf_first(std::string_view text) {
  std::optional<std::string> out;
  each_line(text, [&](std::string_view line) {
    if (out) return;
    line = trim_right(line);
    if (line.empty() || line[0] == '#') return;
    out = std::string(line);
  });
  return out;
}

LetterFlags flags_from_line(std::string_view letters) {
  LetterFlags flags{};
  for (char c : letters) {
    if (c >= 'a' && c <= 'z') flags[c - 'a'] = true;
    else if (c >= 'A' && c <= 'Z') flags[c - 'A'] = false;
  }
  return flags;
}

std::optional<std::string> config_flags(std::string_view config_text) {
  std::optional<std::string> out;
  each_line(config_text, [&](std::string_view line) {
    if (out) return;
    if (line.size() >= 2 && line[0] == 'F' && line[1] == ':') out = std::string(trim_right(line.substr(2)));
  });
  return out;
}

std::map<std::string, std::string, std::less<>> parse_messages(std::string_view text) {
  std::map<std::string, std::string, std::less<>> out;
  each_line(text, [&](std::string_view line) {
    line = trim_right(line);
    if (line.empty() || line[0] == '#') return;
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return;
    out[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  });
  return out;
}

}  // namespace ezmlm
