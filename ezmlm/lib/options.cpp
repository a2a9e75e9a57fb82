#include "ezmlm/lib/options.h"

#include <charconv>

#include "mta/core/exitcodes.h"

namespace ezmlm {

std::optional<std::string> CommandLine::last(char letter) const {
  std::optional<std::string> out;
  for (const auto& o : options)
    if (o.letter == letter) out = o.value ? *o.value : std::string();
  return out;
}

unsigned long CommandLine::number(char letter, unsigned long fallback, unsigned long max) const {
  auto v = last(letter);
  return v ? number_value(letter, v, max) : fallback;
}

unsigned long number_value(char letter, const std::optional<std::string>& value, unsigned long max) {
  unsigned long n = 0;
  const std::string v = value.value_or("");
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n > max)
    throw mta::UsageError(mta::cat("-", std::string(1, letter), " needs a number"));
  return n;
}

bool CommandLine::has(char letter) const {
  for (const auto& o : options)
    if (o.letter == letter) return true;
  return false;
}

char CommandLine::last_of(std::string_view letters, char fallback) const {
  char out = fallback;
  for (const auto& o : options)
    if (letters.find(o.letter) != std::string_view::npos) out = o.letter;
  return out;
}

std::string version_text() { return mta::cat("ezmlm-idx-7.2.2 (Lettershop ", LETTERSHOP_VERSION, ")"); }

// parse_command_line - djb's getopt over argv, then the -v/-V rule.
CommandLine parse_command_line(int argc, char** argv, std::string_view spec,
                               std::string_view version_prefix) {
  CommandLine cl;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.size() < 1 || arg[0] != '-') break;          // first operand
    if (arg == "-" || arg == "--") { ++i; break; }        // end of options, consumed
    for (std::size_t k = 1; k < arg.size(); ++k) {
      char c = arg[k];
      auto at = spec.find(c);
      if (c == ':' || at == std::string_view::npos)
        throw mta::UsageError("");
      bool takes_value = at + 1 < spec.size() && spec[at + 1] == ':';
      if (!takes_value) {
        cl.options.push_back({c, std::nullopt});
        continue;
      }
      // "-oVALUE" or "-o VALUE"; the value may start with '-'.
      if (k + 1 < arg.size()) {
        cl.options.push_back({c, std::string(arg.substr(k + 1))});
      } else {
        if (i + 1 >= argc) throw mta::UsageError("");
        cl.options.push_back({c, std::string(argv[++i])});
      }
      break;
    }
  }
  for (; i < argc; ++i) cl.operands.emplace_back(argv[i]);

  bool wants_version = spec.find('v') != std::string_view::npos || spec.find('V') != std::string_view::npos;
  if (wants_version && (cl.has('v') || cl.has('V'))) {
    mta::put_text(2, {version_prefix, " version: ", version_text(), "\n"});
    throw mta::ExitError(0);
  }
  return cl;
}

}  // namespace ezmlm
