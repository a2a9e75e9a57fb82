// ezmlm/lib/listdir.h — a list directory and how ezmlm reads it (ezmlm.md 1.1).
//
// Every file F of a list is found in three places, first hit wins:
//   DIR/F, <alt>/F (alt = first line of DIR/ezmlmrc, the -C directory
//   ezmlm-make used), $EZMLM_ETC/default/F.
// So an installation's own ezmlmrc and texts are honoured, and a list needs
// no copy of the texts. "Absent everywhere" is nullopt; an unreadable file
// is a TempError (111), never "absent".
//
// Flags: a letter's state comes from DIR/flags (its first line), else from
// the F: line of DIR/config, else from the presence of its marker file
// (archived, modsub, ...; `digest` for d, `deny` for k; q is always on,
// e v z always off). Digits 0..9 are always "marker file exists". Only DIR
// itself is consulted for flags and markers (not the alt places).
//
// The constructor checks that DIR is a directory (TempError "unable to
// switch to DIR" otherwise, as ezmlm's chdir does) and reads DIR/ezmlmrc.
// Paths stay as given: relative DIRs stay relative to the current directory.
//
// Callers: every ezmlm program. Thread-compatible, no caching of files
// except ezmlmrc and the merged text/messages (read on first message()).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ezmlm/lib/env.h"
#include "ezmlm/lib/texts.h"

namespace ezmlm {

namespace fs = std::filesystem;

class ListDir {
 public:
  explicit ListDir(fs::path dir, const Env& env = Env::from_environ());

  const fs::path& path() const { return dir_; }
  const Env& env() const { return env_; }
  // The alt directory from DIR/ezmlmrc ("" when none).
  const std::string& alt() const { return alt_; }

  // Where F would be read from (the three places), or nullopt.
  std::optional<fs::path> locate(std::string_view name) const;
  // The whole file from the three places, or nullopt.
  std::optional<std::string> read(std::string_view name) const;
  // getconf: tags expanded in header mode (when tags are given), then
  // getconf_lines. Empty when the file is absent.
  std::vector<std::string> lines(std::string_view name, const TagValues* tags = nullptr) const;
  std::optional<std::string> first_line(std::string_view name) const;
  // first_line as a number; nullopt when absent or not a number.
  std::optional<unsigned long> number(std::string_view name) const;

  // 'a'..'z' and '0'..'9' as described above; any other char is false.
  bool flag(char letter) const;
  // The marker file of a flag ("archived" for 'a'), or "" when it has none.
  static std::string_view flag_file(char letter);

  // outlocal / outhost: first lines; TempError when missing.
  std::string outlocal() const;
  std::string outhost() const;

  // The raw charset line ("us-ascii" when no file), maybe with ":Q"/":B".
  std::string charset() const;
  // The charset name without the ":Q"/":B" suffix.
  std::string charset_name() const;
  // 'Q', 'B' or 0.
  char charset_encoding() const;

  // text/<name> from the three places; PermError (100) when absent, as in
  // ezmlm-idx (a missing text is a broken installation the sender cannot fix
  // by retrying).
  std::string text(std::string_view name) const;
  // text/<name> through render_text (sections by this list's flags).
  std::string render(std::string_view name, const TagValues& tags) const;

  // text/messages entry: local, alt, default files merged (in that order of
  // precedence), then the compiled-in table; an unknown name prints as the
  // name itself. <#1#>.. are filled from args.
  // Entries may also hold run-time tags (<#l#>@<#h#>): expand them with
  // list_tags() where the text is shown.
  std::string message(std::string_view key, const std::vector<std::string>& args = {}) const;

  // The tags every text of this list knows: l and L (outlocal), h and H
  // (outhost), d (DIR). Callers add or change the rest (l = local-digest ...).
  TagValues list_tags() const;

  // A subscriber-db subdirectory argument made safe (ezmlm.md 1.3):
  // "" or "." -> "" (main list); "digest" -> "digest"; an absolute path
  // inside DIR -> the relative rest; anything else absolute -> TempError
  // (111, "absolute directory names outside of the list directory are no
  // longer supported"); a relative name must be one component without "..".
  std::string subdir(std::string_view arg) const;

 private:
  fs::path dir_;
  Env env_;
  std::string alt_;
  mutable std::optional<std::map<std::string, std::string, std::less<>>> messages_;
};

}  // namespace ezmlm
