#include "ezmlm/lib/listdir.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>

#include "ezmlm/lib/getconf.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace ezmlm {

namespace {
// stat() that tells "absent" from "cannot look" (the latter is a retry).
bool file_exists(const fs::path& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  mta::throw_errno(mta::cat("unable to stat ", p.string()));
}
}  // namespace

ListDir::ListDir(fs::path dir, const Env& env) : dir_(std::move(dir)), env_(env) {
  struct stat st;
  if (::stat(dir_.c_str(), &st) != 0) mta::throw_errno(mta::cat("unable to switch to ", dir_.string()));
  if (!S_ISDIR(st.st_mode))
    throw mta::TempError(mta::cat("unable to switch to ", dir_.string(), ": Not a directory"));
  // DIR/ezmlmrc names the alt directory (the -C argument of ezmlm-make).
  if (auto text = mta::io::read_file(dir_ / "ezmlmrc"))
    if (auto line = getconf_first(*text)) alt_ = *line;
}

std::optional<fs::path> ListDir::locate(std::string_view name) const {
  fs::path rel(name);
  if (file_exists(dir_ / rel)) return dir_ / rel;
  if (!alt_.empty() && file_exists(fs::path(alt_) / rel)) return fs::path(alt_) / rel;
  fs::path def = fs::path(env_.etc) / "default" / rel;
  if (file_exists(def)) return def;
  return std::nullopt;
}

std::optional<std::string> ListDir::read(std::string_view name) const {
  auto where = locate(name);
  if (!where) return std::nullopt;
  auto text = mta::io::read_file(*where);
  return text;  // nullopt if it vanished between stat and open: absent then
}

std::vector<std::string> ListDir::lines(std::string_view name, const TagValues* tags) const {
  auto text = read(name);
  if (!text) return {};
  if (tags) return getconf_lines(expand(*text, *tags, ExpandMode::header));
  return getconf_lines(*text);
}

std::optional<std::string> ListDir::first_line(std::string_view name) const {
  auto text = read(name);
  if (!text) return std::nullopt;
  return getconf_first(*text);
}

std::optional<unsigned long> ListDir::number(std::string_view name) const {
  auto line = first_line(name);
  if (!line) return std::nullopt;
  unsigned long n = 0;
  auto [p, ec] = std::from_chars(line->data(), line->data() + line->size(), n);
  if (ec != std::errc() || p == line->data()) return std::nullopt;
  return n;
}

std::string_view ListDir::flag_file(char letter) {
  switch (letter) {
    case 'a': return "archived";
    case 'b': return "modgetonly";
    case 'c': return "ezmlmrc";
    case 'd': return "digest";
    case 'f': return "prefix";
    case 'g': return "subgetonly";
    case 'h': return "nosubconfirm";
    case 'i': return "threaded";
    case 'j': return "nounsubconfirm";
    case 'k': return "deny";
    case 'l': return "modcanlist";
    case 'm': return "modpost";
    case 'n': return "modcanedit";
    case 'o': return "modpostonly";
    case 'p': return "public";
    case 'r': return "remote";
    case 's': return "modsub";
    case 't': return "addtrailer";
    case 'u': return "subpostonly";
    case 'w': return "nowarn";
    case 'x': return "mimeremove";
    case 'y': return "confirmpost";
    case '0': return "sublist";
    case '3': return "fromheader";
    case '5': return "owner";
    case '6': return "subdb";
    case '7': return "modpost";
    case '8': return "modsub";
    case '9': return "remote";
    default: return "";
  }
}

// flag - flags file, then config F:, then the marker file (listdir.h).
bool ListDir::flag(char letter) const {
  if (letter >= '0' && letter <= '9') {
    auto file = flag_file(letter);
    return !file.empty() && file_exists(dir_ / file);
  }
  if (letter < 'a' || letter > 'z') return false;
  std::optional<std::string> letters;
  if (auto text = mta::io::read_file(dir_ / "flags")) {
    letters = getconf_first(*text).value_or("");
  } else if (auto config = mta::io::read_file(dir_ / "config")) {
    letters = config_flags(*config);
  }
  if (letters) {
    if (auto state = flags_from_line(*letters)[letter - 'a']) return *state;
  }
  if (letter == 'q') return true;
  auto file = flag_file(letter);
  return !file.empty() && file_exists(dir_ / file);
}

std::string ListDir::outlocal() const {
  auto v = first_line("outlocal");
  if (!v) throw mta::TempError(mta::cat("unable to read ", (dir_ / "outlocal").string()));
  return *v;
}

std::string ListDir::outhost() const {
  auto v = first_line("outhost");
  if (!v) throw mta::TempError(mta::cat("unable to read ", (dir_ / "outhost").string()));
  return *v;
}

std::string ListDir::charset() const { return first_line("charset").value_or("us-ascii"); }

std::string ListDir::charset_name() const {
  std::string cs = charset();
  if (cs.size() >= 2 && cs[cs.size() - 2] == ':') cs.resize(cs.size() - 2);
  return cs;
}

char ListDir::charset_encoding() const {
  std::string cs = charset();
  if (cs.size() >= 2 && cs[cs.size() - 2] == ':') {
    char e = cs.back();
    if (e == 'Q' || e == 'q') return 'Q';
    if (e == 'B' || e == 'b') return 'B';
  }
  return 0;
}

std::string ListDir::text(std::string_view name) const {
  std::string rel = mta::cat("text/", name);
  auto t = read(rel);
  if (!t) throw mta::PermError(mta::cat("unable to open ", rel, ": file not found"), "5.3.0");
  return *t;
}

std::string ListDir::render(std::string_view name, const TagValues& tags) const {
  return render_text(text(name), tags, [this](char c) { return flag(c); });
}

std::string ListDir::message(std::string_view key, const std::vector<std::string>& args) const {
  if (!messages_) {
    // Lowest precedence first, so that later (more local) files overwrite.
    std::map<std::string, std::string, std::less<>> merged;
    auto merge = [&](const fs::path& p) {
      if (auto text = mta::io::read_file(p))
        for (auto& [k, v] : parse_messages(*text)) merged[k] = v;
    };
    merge(fs::path(env_.etc) / "default" / "text" / "messages");
    if (!alt_.empty()) merge(fs::path(alt_) / "text" / "messages");
    merge(dir_ / "text" / "messages");
    messages_ = std::move(merged);
  }
  std::string text;
  if (auto it = messages_->find(key); it != messages_->end()) text = it->second;
  else if (const char* fb = fallback_message(key)) text = fb;
  else text = std::string(key);
  return format_message(text, args);
}

TagValues ListDir::list_tags() const {
  TagValues t;
  std::string local = outlocal(), host = outhost();
  t.set('l', local).set('L', local).set('h', host).set('H', host).set('d', dir_.string());
  return t;
}

std::string ListDir::subdir(std::string_view arg) const {
  if (arg.empty() || arg == ".") return "";
  std::string rel(arg);
  if (arg[0] == '/') {
    // Accepted only inside DIR: the prefix is stripped (ezmlm.md 1.3).
    std::string base = fs::absolute(dir_).lexically_normal().string();
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    std::string a = fs::path(arg).lexically_normal().string();
    while (a.size() > 1 && a.back() == '/') a.pop_back();
    if (a == base) return "";
    if (a.size() <= base.size() + 1 || a.compare(0, base.size(), base) != 0 || a[base.size()] != '/')
      throw mta::TempError(message("ERR_SUBDIR_ABS"));
    rel = a.substr(base.size() + 1);
  }
  while (rel.size() > 1 && rel.back() == '/') rel.pop_back();
  // One component below DIR: no "/", no "..", nothing a file name cannot hold.
  if (rel == "." ) return "";
  if (rel == ".." || rel.find('/') != std::string::npos || rel.find('\n') != std::string::npos ||
      rel.find('\0') != std::string::npos)
    throw mta::TempError(message("ERR_SUBDIR"));
  return rel;
}

}  // namespace ezmlm
