// ezmlm/lib/ezmlmrc.h — the ezmlmrc template language that ezmlm-make runs.
//
// An ezmlmrc file (ezmlmrc(5)) describes a list directory: its first line is
// a version ("7.2.2"), '#' lines are comments, and a line that starts with
// "</" is a tag that says what the following lines are for:
//   </file#FLAGS/>        write the lines into DIR/file ("</#FLAGS/>" keeps the
//                         file of the previous tag; naming the file that is
//                         open appends to it, naming another closes the open
//                         one, and opening a closed file again truncates it)
//   </-file#FLAGS/>       delete DIR/file
//   </+dir#FLAGS/>        create directory DIR/dir
//   </:ext/target#FLAGS/> symlink <dot><ext> -> DIR/target
// FLAGS is optional: a lowercase letter must be on, an uppercase one off, a
// digit N needs a -N argument, '^' negates the next flag, and "E" (or "^e")
// means "when editing, leave an existing file alone" (unless forced). Other
// characters are ignored. A tag may not contain '.', so nothing outside DIR
// can be named. Text lines get the make-time substitutions <#B#> bin dir,
// <#C#> digest code, <#D#> DIR, <#F#> "-" and the 26 flag letters, <#H#> host,
// <#L#> local, <#T#> dot, <#X#> template path, <#0#>..<#9#> the -N arguments
// (<#1#>/<#2#> the dot file's first and second dash parts); every other <#x#>
// is copied as it is for the programs to expand at run time. "<=x=>" lines in
// texts are plain text here: the run-time text reader selects them.
//
// run() interprets a template against a Target, which does the file-system
// work (ezmlm-make's real one, or MemoryTarget for tests and fuzzing), in
// exactly the order the template gives. Errors: TemplateError (a PermError,
// exit 100) for a malformed tag, with the offending line; whatever the
// Target throws (TempError for file-system trouble) passes through.
//
// Compatibility: ezmlm-idx drops a last line that has no newline; we keep it.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/exitcodes.h"

namespace ezmlm::rc {

class TemplateError : public mta::PermError {
 public:
  explicit TemplateError(std::string what) : mta::PermError(std::move(what), "") {}
};

// What ezmlm-make knows when it runs a template.
struct Context {
  std::array<bool, 26> flags{};            // 'a'..'z' on/off, final values
  std::array<std::string, 10> args;        // -0..-9; 1 and 2 come from dot
  std::string bin;                         // <#B#>
  std::string digestcode;                  // <#C#>
  std::string dir;                         // <#D#>
  std::string host;                        // <#H#>
  std::string local;                       // <#L#>
  std::string dot;                         // <#T#>
  std::string template_path;               // <#X#>
  bool force = false;                      // -ee / -++ / list renamed: "E" ignored

  // Flag 'e' is edit mode (-e, -+): "E" tags then skip existing files.

  bool flag(char letter) const { return flags[static_cast<unsigned char>(letter - 'a')]; }
  // "-aBcD..." as <#F#> shows it.
  std::string flag_string() const;
};

// The file-system side of a template run; paths are relative to DIR.
class Target {
 public:
  virtual ~Target() = default;
  virtual bool exists(const std::string& file) = 0;          // for "E"
  virtual void open(const std::string& file) = 0;            // create or truncate
  virtual void write(std::string_view text) = 0;             // into the open file
  virtual void close() = 0;                                  // the open file, durably
  virtual void remove(const std::string& file) = 0;          // absent is fine
  virtual void mkdir(const std::string& dir) = 0;            // existing is the caller's call
  virtual void symlink(const std::string& ext, const std::string& file) = 0;  // <dot>ext -> DIR/file
};

// True when the template's version line matches the program's version
// ("ezmlm-idx-7.2.2" or "7.2.2"): the same major number and the same first
// digit of the minor one. ezmlm-make only warns on a mismatch.
bool version_matches(std::string_view template_line, std::string_view program_version);

// The make-time substitutions of one text line.
std::string substitute(std::string_view line, const Context& ctx);

// Runs the template body (everything after the version line). Throws
// TemplateError for a malformed tag.
void run(std::string_view body, const Context& ctx, Target& target);

// Splits a whole template into its version line and its body; an empty
// template throws TemplateError.
std::pair<std::string_view, std::string_view> split_version(std::string_view text);

// A Target in memory: the files, directories and links a run produced, and a
// log of the operations in order ("open editor", "rm prefix", ...).
class MemoryTarget : public Target {
 public:
  std::map<std::string, std::string> files;
  std::vector<std::string> dirs;
  std::map<std::string, std::string> links;  // ext -> file
  std::vector<std::string> log;

  bool exists(const std::string& file) override { return files.count(file) > 0; }
  void open(const std::string& file) override;
  void write(std::string_view text) override;
  void close() override;
  void remove(const std::string& file) override;
  void mkdir(const std::string& dir) override;
  void symlink(const std::string& ext, const std::string& file) override;

 private:
  std::optional<std::string> open_;
};

}  // namespace ezmlm::rc
