// ezmlm/lib/env.h — the environment an ezmlm program runs in, read once.
//
// qmail-local hands a pipe line its context in environment variables
// (SENDER, LOCAL, HOST, DEFAULT, DTLINE ...); ezmlm adds its own install
// paths (EZMLM_BIN, EZMLM_ETC, EZMLM_LIB) that override the compiled-in
// defaults (CMake cache variables LETTERSHOP_EZMLM_BIN/ETC, normally
// /usr/local/bin/ezmlm and /etc/ezmlm). Env reads all of them in one place,
// so nothing else calls getenv and tests build an Env by hand.
//
// An unset variable is nullopt; a set but empty one is "" (ezmlm tells them
// apart: an empty SENDER is a bounce, a missing one an error).
// Reference: ezmlm.md 3.1.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ezmlm {

struct Env {
  std::string bin;  // $EZMLM_BIN or the compiled default: <#B#>, sibling programs
  std::string etc;  // $EZMLM_ETC or the compiled default: <etc>/default/F lookups
  std::string lib;  // $EZMLM_LIB or /usr/local/lib/ezmlm (SQL plugins, later)
  std::optional<std::string> sender;      // SENDER (raw, not decoded: see sender.h)
  std::optional<std::string> local;       // LOCAL
  std::optional<std::string> host;        // HOST
  std::optional<std::string> deflt;       // DEFAULT
  std::optional<std::string> dtline;      // DTLINE
  std::optional<std::string> qmailqueue;  // QMAILQUEUE
  std::optional<std::string> qmailhome;   // QMAILHOME

  // Reads the process environment.
  static Env from_environ();
  // The compiled defaults and nothing else set (for tests and ezmlm-make).
  static Env defaults();
};

// The compiled defaults (LETTERSHOP_EZMLM_BIN / LETTERSHOP_EZMLM_ETC).
std::string_view compiled_bin();
std::string_view compiled_etc();

}  // namespace ezmlm
