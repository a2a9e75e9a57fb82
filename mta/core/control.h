// mta/core/control.h — reading QH/control files the way qmail's control.c does.
//
// Three answers, never confused: a value, "absent" (use the documented
// default: std::nullopt) or "unreadable" (TempError, the caller defers).
//   line  — first line only; trailing spaces, tabs, CR and LF stripped.
//   number — first line as unsigned decimal; absent or not starting with a
//            digit keeps the default; leading space is not skipped.
//   list  — every line, trailing space/tab stripped, empty and #-lines skipped.
// The defaults of every known control file (reference mta.md section 13) are
// in known_controls(), which qmail-showctl prints and the readers use.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/paths.h"

namespace mta::control {

// Parsing, on bytes already read (unit-tested and fuzzed).
std::string first_line(std::string_view contents);
std::optional<unsigned long> parse_number(std::string_view contents);
std::vector<std::string> parse_list(std::string_view contents);

enum class Kind { line, line_me, number, list, list_me, cdb, source };

struct Known {
  std::string_view name;
  Kind kind;
  std::string_view fallback;     // literal default ("" if none)
  std::string_view description;  // what the file does, for qmail-showctl
};
std::span<const Known> known_controls();
const Known* find_known(std::string_view name);

class Control {
 public:
  explicit Control(fs::path dir) : dir_(std::move(dir)) {}
  explicit Control(const Home& home) : dir_(home.control()) {}

  const fs::path& dir() const { return dir_; }
  std::optional<std::string> line(std::string_view name) const;
  // Line, else `me`, else the literal fallback (readline with me-fallback).
  std::string line_or_me(std::string_view name, std::string_view fallback) const;
  unsigned long number(std::string_view name, unsigned long dflt) const;
  std::optional<std::vector<std::string>> list(std::string_view name) const;
  std::optional<std::string> me() const { return line("me"); }

 private:
  std::optional<std::string> raw(std::string_view name) const;
  fs::path dir_;
};

}  // namespace mta::control
