// ezmlm/lib/dispatch.h — ezmlm-dispatch: one .qmail-default for many lists.
//
// A user's .qmail-default holds "|ezmlm-dispatch DIR" (or .qmail-list-default
// "|ezmlm-dispatch DIR list"); the list directories are DIR/<list>/. The
// address (DEFAULT) picks the list and the command file that qmail-local
// would have run through the list's own dot-qmail links:
//   ""                        editor          (DEFAULT unset for it)
//   owner, digest-owner       owner
//   digest-return-*           digest/bouncer  (DEFAULT = the part after it)
//   return-*                  bouncer
//   confirm-*, discard-*      confirmer
//   accept-*, reject-*        moderator
//   anything else             manager         (DEFAULT = the whole rest)
// Without a list argument the list is the longest dash-separated prefix of
// DEFAULT that names a subdirectory of DIR. A '/' in DEFAULT, or a list
// name starting with '.', is refused (100).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ezmlm::dispatch {

struct Route {
  std::string file;                    // "editor", "digest/bouncer", ...
  std::optional<std::string> deflt;    // DEFAULT for the command file; nullopt = unset
};

// The command file for the part of the address after "list-" (nullopt: the
// list's own address).
Route route(const std::optional<std::string>& rest);

// Splits DEFAULT into list name and rest using the subdirectories of dir.
// nullopt when no prefix names a list.
struct Target {
  std::string list;
  std::optional<std::string> rest;  // after "list-"; nullopt for "list" alone
};
std::optional<Target> find_list(const std::filesystem::path& dir, std::string_view deflt);

}  // namespace ezmlm::dispatch
