// ezmlm/lib/make.cpp — ezmlm-make's work: options, recovery, the template
// run on the real file system, the key and the subscriber dbs.
#include "ezmlm/lib/make.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "ezmlm/lib/ezmlmrc.h"
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/io.h"

namespace ezmlm::make {

namespace {

using mta::cat;
namespace fs = std::filesystem;
namespace io = mta::io;

constexpr std::size_t key_bytes = 200;  // ezmlm-idx's key is about this long

// first_line - the first line of DIR/name, nullopt when absent.
std::optional<std::string> first_line(const fs::path& path) {
  auto text = io::read_file(path);
  if (!text) return std::nullopt;
  return text->substr(0, text->find('\n'));
}

// The marker file that tells whether a switch is on in a list made by the
// 7.2 template (no flags/config file). c and e are never sticky.
std::string marker_of(char letter) {
  if (letter == 'c' || letter == 'e') return "";
  if (letter == 'd') return "digested";  // digest/ always exists
  if (letter == 'k' || letter == 'q') return "";
  return std::string(ListDir::flag_file(letter));
}

// The real file system under DIR, for the template run.
class DirTarget : public rc::Target {
 public:
  DirTarget(fs::path dir, std::string dot, bool editing)
      : dir_(std::move(dir)), dot_(std::move(dot)), editing_(editing) {}

  bool exists(const std::string& file) override {
    struct stat st;
    if (::lstat((dir_ / file).c_str(), &st) == 0) return true;
    if (errno != ENOENT) mta::throw_errno(cat("unable to stat ", (dir_ / file).string()));
    return false;
  }
  void open(const std::string& file) override {
    open_ = file;
    contents_.clear();
  }
  void write(std::string_view text) override { contents_.append(text); }
  void close() override {
    fs::path path = dir_ / open_;
    if (contents_.empty() && exists(open_)) {
      // Same inode: a lock file somebody holds stays the same lock.
      io::Fd fd = io::open_or_throw(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
      io::fsync_or_throw(fd.get(), path.string());
      fd.close();
    } else {
      io::replace_file(path, contents_, 0600);
    }
  }
  void remove(const std::string& file) override {
    fs::path path = dir_ / file;
    if (::unlink(path.c_str()) == -1 && errno != ENOENT) mta::throw_errno(cat("unable to delete ", path.string()));
  }
  void mkdir(const std::string& dir) override {
    fs::path path = dir_ / dir;
    if (::mkdir(path.c_str(), 0755) == -1 && !(errno == EEXIST && editing_))
      mta::throw_errno(cat("unable to create ", path.string()));
  }
  void symlink(const std::string& ext, const std::string& file) override {
    std::string link = dot_ + ext;
    std::string target = (dir_ / file).string();
    if (editing_ && ::unlink(link.c_str()) == -1 && errno != ENOENT)
      mta::throw_errno(cat("unable to delete ", link));
    if (::symlink(target.c_str(), link.c_str()) == -1) mta::throw_errno(cat("unable to create ", link));
  }

 private:
  fs::path dir_;
  std::string dot_;
  bool editing_;
  std::string open_;
  std::string contents_;
};

// random_key - the list's secret.
std::string random_key() {
  std::string key(key_bytes, '\0');
  std::size_t got = 0;
  while (got < key.size()) {
    ssize_t n = ::getrandom(key.data() + got, key.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      mta::throw_errno("unable to read random bytes");
    }
    got += static_cast<std::size_t>(n);
  }
  return key;
}

// template_file - where the template is read from.
fs::path template_file(bool dot_template, const std::string& dot, const std::string& cfname, const Env& env) {
  fs::path path;
  if (dot_template)
    path = fs::path(dot).parent_path() / ".ezmlmrc";
  else if (!cfname.empty())
    path = cfname;
  else
    path = fs::path(env.etc) / "default";
  struct stat st;
  if (::stat(path.c_str(), &st) == -1) {
    if (errno == ENOENT) throw mta::PermError(cat("template ", path.string(), " does not exist"), "");
    mta::throw_errno(cat("unable to stat ", path.string()));
  }
  if (S_ISDIR(st.st_mode)) path /= "ezmlmrc";
  return path;
}

void check_no_newline(std::string_view what, std::string_view value) {
  if (value.find('\n') != std::string_view::npos)
    throw mta::PermError(cat(what, " may not contain a newline"), "");
}

}  // namespace

Options from_command_line(const CommandLine& cl) {
  Options o;
  for (const auto& opt : cl.options) {
    char c = opt.letter;
    if (c == 'C') {
      o.template_arg = opt.value.value_or("");  // -C FILE, not the switch C
    } else if (c >= 'a' && c <= 'z') {
      o.flags[static_cast<std::size_t>(c - 'a')] = true;
      if (c == 'e') ++o.edits;
    } else if (c >= 'A' && c <= 'Z') {
      o.flags[static_cast<std::size_t>(c - 'A')] = false;
    } else if (c >= '0' && c <= '9') {
      o.args[static_cast<std::size_t>(c - '0')] = opt.value.value_or("");
    } else if (c == '+') {
      ++o.pluses;
    }
  }
  if (cl.operands.empty() || cl.operands.size() > 5) throw mta::UsageError("");
  o.dir = cl.operands[0];
  o.rest.assign(cl.operands.begin() + 1, cl.operands.end());
  return o;
}

Recovered recover(const std::string& dir, bool with_template) {
  Recovered r;
  fs::path d = dir;
  auto flags = first_line(d / "flags");
  if (!flags) {
    // The legacy DIR/config: "X:value" lines.
    if (auto config = io::read_file(d / "config")) {
      std::string_view rest = *config;
      while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (line.empty() || line[0] == '#') continue;
        if (line.size() < 2 || line[1] != ':') break;
        std::string value(line.substr(2));
        switch (line[0]) {
          case 'F': flags = value; break;
          case 'T': r.dot = value; break;
          case 'L': r.local = value; break;
          case 'H': r.host = value; break;
          case 'C': r.code = value; break;
          case 'X': if (with_template) r.template_path = value; break;
          case 'D': break;
          default:
            if (line[0] == '0' || (line[0] >= '3' && line[0] <= '9'))
              r.args[static_cast<std::size_t>(line[0] - '0')] = value;
        }
      }
    }
  }
  if (flags) {
    for (char c : *flags)
      if (c >= 'a' && c <= 'z' && c != 'e') r.flags.push_back(c);
  } else {
    for (char c = 'a'; c <= 'z'; ++c) {
      std::string marker = marker_of(c);
      if (!marker.empty() && fs::exists(fs::symlink_status(d / marker))) r.flags.push_back(c);
    }
  }
  // The 7.2 files win over config for the names (ezmlm-idx reads them first).
  auto take = [&](std::optional<std::string>& slot, const char* name) {
    if (auto v = first_line(d / name)) slot = *v;
  };
  take(r.dot, "dot");
  take(r.local, "outlocal");
  take(r.host, "outhost");
  take(r.code, "digestcode");
  if (with_template) take(r.template_path, "ezmlmrc");
  take(r.args[0], "sublist");
  take(r.args[3], "fromheader");
  take(r.args[4], "tstdigopts");
  take(r.args[5], "owner");
  if (auto subdb = first_line(d / "subdb"))
    r.args[6] = *subdb;
  else if (auto sql = first_line(d / "sql"))
    r.args[6] = "sql:" + *sql;
  take(r.args[7], "modpost");
  take(r.args[8], "modsub");
  take(r.args[9], "remote");
  return r;
}

std::pair<std::string, std::string> dot_parts(const std::string& dot) {
  std::size_t slash = dot.rfind('/');
  std::string_view name = slash == std::string::npos ? std::string_view(dot) : std::string_view(dot).substr(slash + 1);
  std::size_t dash = name.find('-');
  if (dash == std::string_view::npos) return {};
  std::string_view tail = name.substr(dash + 1);
  std::size_t d1 = tail.find('-');
  if (d1 == std::string_view::npos || d1 == 0) return {};
  std::string first(tail.substr(0, d1));
  std::string_view after = tail.substr(d1 + 1);
  std::size_t d2 = after.find('-');
  std::string second = d2 == std::string_view::npos || d2 == 0 ? "" : std::string(after.substr(0, d2));
  return {first, second};
}

void run(const Options& o, const Env& env) {
  // Sanity checks on DIR: absolute, and safe inside the quotes of pipe lines.
  if (o.dir.empty() || o.dir[0] != '/') throw mta::PermError("dir must start with a slash", "");
  if (o.dir.find('\'') != std::string::npos) throw mta::PermError("dir may not contain a quote", "");
  check_no_newline("dir", o.dir);

  bool editing = o.editing();
  bool dot_template = o.flags['c' - 'a'].value_or(false);
  bool force = o.edits > 1 || o.pluses > 1;

  // Edit mode: lock the list, then read what it says about itself.
  io::Fd lock_fd;
  if (editing)
    lock_fd = io::open_or_throw(fs::path(o.dir) / "lock", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  auto lock = editing ? io::FileLock::exclusive(lock_fd.get(), false) : std::nullopt;
  Recovered old;
  if (editing) old = recover(o.dir, ::geteuid() != 0 && !dot_template);

  std::string dot = old.dot.value_or(""), local = old.local.value_or(""), host = old.host.value_or("");
  std::string code = old.code.value_or("");
  if (o.rest.size() > 0) dot = o.rest[0];
  if (o.rest.size() > 1) {
    if (local.empty() || local != o.rest[1]) force = true;  // renamed: rewrite everything
    local = o.rest[1];
  }
  if (o.rest.size() > 2) {
    if (host.empty() || host != o.rest[2]) force = true;
    host = o.rest[2];
  }
  if (o.rest.size() > 3) code = o.rest[3];
  if (dot.empty() || local.empty() || host.empty()) throw mta::UsageError("");
  if (dot[0] != '/') throw mta::PermError("dot must start with a slash", "");
  check_no_newline("local", local);
  check_no_newline("host", host);

  // The switches: command line, then (with -+) the list's own, else defaults.
  rc::Context ctx;
  for (std::size_t i = 0; i < 26; ++i) ctx.flags[i] = o.flags[i].value_or(false);
  if (o.pluses > 0) {
    for (char c : old.flags)
      if (!o.flags[static_cast<std::size_t>(c - 'a')]) ctx.flags[static_cast<std::size_t>(c - 'a')] = true;
  } else {
    for (char c : default_flags)
      if (!o.flags[static_cast<std::size_t>(c - 'a')]) ctx.flags[static_cast<std::size_t>(c - 'a')] = true;
  }
  ctx.flags['e' - 'a'] = editing;
  for (std::size_t i = 0; i < 10; ++i) {
    if (o.args[i]) ctx.args[i] = *o.args[i];
    else if (old.args[i]) ctx.args[i] = *old.args[i];
  }
  auto [ext1, ext2] = dot_parts(dot);
  ctx.args[1] = ext1;
  ctx.args[2] = ext2;
  ctx.bin = env.bin;
  ctx.digestcode = code;
  ctx.dir = o.dir;
  ctx.host = host;
  ctx.local = local;
  ctx.dot = dot;
  ctx.template_path = o.template_arg ? *o.template_arg : old.template_path.value_or("");
  ctx.force = force;

  // The template first, so that a bad one leaves no half-made DIR behind.
  fs::path tfile = template_file(dot_template, dot, dot_template ? "" : ctx.template_path, env);
  auto text = io::read_file(tfile);
  if (!text) throw mta::PermError(cat("template ", tfile.string(), " does not exist"), "");
  auto [version, body] = rc::split_version(*text);
  if (!rc::version_matches(version, "ezmlm-idx-7.2.2"))
    mta::warn("ezmlm-make", cat("template ", tfile.string(), " is for another version (", version, ")"));

  if (::mkdir(o.dir.c_str(), 0755) == -1 && !(errno == EEXIST && editing))
    mta::throw_errno(cat("unable to create ", o.dir));

  DirTarget target(o.dir, dot, editing);
  rc::run(body, ctx, target);

  if (!editing) io::replace_file(fs::path(o.dir) / "key", random_key(), 0600);

  // The subscriber dbs (std: the subscribers/ directories).
  Env list_env = env;
  ListDir list(o.dir, list_env);
  for (const char* sub : {"", "allow", "deny", "digest", "mod"}) open_store(list, sub)->create();
  io::fsync_dir(o.dir);
}

}  // namespace ezmlm::make
