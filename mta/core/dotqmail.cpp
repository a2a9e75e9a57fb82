// Spec notes: reference 7.3-7.6 (qmail-local.c qmesearch, qmeexists, the
// environment block of main). Deviation: a NUL byte in a .qmail file is a
// temporary error naming the file, where qmail would hand a truncated line on.
#include "mta/core/dotqmail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "mta/core/address.h"
#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace mta::dotqmail {

namespace {

std::string_view strip_trailing_blanks(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line;
}

// One line (already stripped, not empty, not a comment) as an instruction.
std::optional<Instruction> classify(std::string_view line, std::size_t number) {
  switch (line.front()) {
    case '#':
      return std::nullopt;
    case '+':
      return std::nullopt;  // "+list" is handled by the caller; others are ignored
    case '|':
      return Instruction{Kind::program, std::string(line.substr(1)), number};
    case '.':
    case '/':
      if (line.back() == '/') return Instruction{Kind::maildir, std::string(line), number};
      return Instruction{Kind::mbox, std::string(line), number};
    case '&':
      return Instruction{Kind::forward, std::string(line.substr(1)), number};
    default:
      return Instruction{Kind::forward, std::string(line), number};
  }
}

// qmeexists: open for reading; absent (nullopt) unless it is a regular file.
struct Probe {
  std::string contents;
  bool forward_only = false;
};

std::optional<Probe> probe(const fs::path& home, const std::string& name, mode_t patrn, bool read) {
  const fs::path path = home / name;
  io::Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    if (errno_is_temporary(err) || err == EPERM || err == EACCES)
      throw TempError(cat("Unable to open ", name, ": ", std::strerror(err), "."), "4.3.0");
    return std::nullopt;  // ENOENT, ENOTDIR, ELOOP...: there is no such file
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) == -1)
    throw TempError(cat("Unable to open ", name, ": ", std::strerror(errno), "."), "4.3.0");
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  if (st.st_mode & patrn) throw TempError("Uh-oh: .qmail file is writable.", "4.7.0");
  Probe p;
  p.forward_only = (st.st_mode & 0100) != 0;
  if (read) {
    // Unbounded: a 100 KB line is an ordinary (if odd) line.
    io::Reader in(fd.get());
    try {
      p.contents = in.read_all();
    } catch (const MailError& e) {
      throw TempError(cat("Unable to read ", name, ": ", e.what(), "."), "4.3.0");
    }
  }
  return p;
}

std::string no_newlines(std::string s) {
  for (char& c : s)
    if (c == '\n') c = '_';
  return s;
}

std::optional<std::string> getenv_opt(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

}  // namespace

Parsed parse(std::string_view contents, std::string_view name) {
  if (contents.find('\0') != std::string_view::npos)
    throw TempError(cat("Uh-oh: NUL byte in ", name, "."), "4.2.1");
  Parsed out;
  std::size_t number = 0;
  while (!contents.empty()) {
    ++number;
    std::size_t nl = contents.find('\n');
    std::string_view line = contents.substr(0, nl);  // a missing final newline is implied
    contents.remove_prefix(nl == std::string_view::npos ? contents.size() : nl + 1);
    line = strip_trailing_blanks(line);
    if (line.empty()) {
      if (number == 1) throw TempError("Uh-oh: first line of .qmail file is blank.", "4.2.1");
      continue;
    }
    if (line == "+list" && !out.list) {
      out.list = true;
      out.list_line = number;
    }
    if (auto ins = classify(line, number)) out.instructions.push_back(std::move(*ins));
  }
  return out;
}

std::string safeext(std::string_view ext) {
  std::string s(ext);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '.') c = ':';
  }
  return s;
}

std::vector<Candidate> search_order(std::string_view dash, std::string_view ext) {
  const std::string safe = safeext(ext);
  const std::string base = cat(".qmail", dash);
  std::vector<Candidate> out;

  // The exact name first; if it is itself a -default name, DEFAULT is the
  // tail of ext that "default" covers (qmail keeps its original case).
  Candidate exact{base + safe, std::nullopt};
  constexpr std::string_view dflt = "default";
  if (safe.size() >= dflt.size() && std::string_view(safe).substr(safe.size() - dflt.size()) == dflt)
    exact.default_part = std::string(ext.substr(ext.size() - dflt.size()));
  out.push_back(std::move(exact));

  // Then every prefix that ends after a '-' (or is empty), longest first.
  for (std::size_t p = safe.size() + 1; p-- > 0;) {
    if (p != 0 && safe[p - 1] != '-') continue;
    out.push_back(Candidate{cat(base, std::string_view(safe).substr(0, p), dflt), std::string(ext.substr(p))});
  }
  return out;
}

Found qmesearch(const fs::path& home, std::string_view dash, std::string_view ext, mode_t patrn) {
  Found found;
  for (Candidate& c : search_order(dash, ext)) {
    if (auto p = probe(home, c.name, patrn, true)) {
      found.file = std::move(c);
      found.contents = std::move(p->contents);
      found.forward_only = p->forward_only;
      break;
    }
  }
  return found;
}

std::string dtline(std::string_view local, std::string_view host) {
  return cat("Delivered-To: ", no_newlines(cat(local, "@", host)), "\n");
}

std::string rpline(std::string_view sender) {
  return cat("Return-Path: <", no_newlines(address::quote(sender)), ">\n");
}

std::string ufline(std::string_view sender, std::time_t now) {
  std::string s = sender.empty() ? std::string("MAILER-DAEMON") : std::string(sender);
  for (char& c : s)
    if (c == ' ' || c == '\t' || c == '\n') c = '-';
  return cat("From ", s, " ", date::ctime_style(now), "\n");
}

std::string ext_part(std::string_view ext, int n) {
  for (int i = 1; i < n; ++i) {
    std::size_t dash = ext.find('-');
    ext.remove_prefix(dash == std::string_view::npos ? ext.size() : dash + 1);
  }
  return std::string(ext);
}

std::string host_part(std::string_view host, int n) {
  for (int i = 1; i < n; ++i) {
    std::size_t dot = host.rfind('.');
    if (dot != std::string_view::npos) host = host.substr(0, dot);
  }
  return std::string(host);
}

std::string newsender(const fs::path& home, const Params& p) {
  if (p.sender.empty() || p.sender == "#@[]") return p.sender;
  const std::string owner = cat(".qmail", p.dash, safeext(p.ext), "-owner");
  if (!probe(home, owner, 002, false)) return p.sender;
  if (probe(home, owner + "-default", 002, false)) return cat(p.local, "-owner-@", p.host, "-@[]");
  return cat(p.local, "-owner@", p.host);
}

Env Env::from_environment() {
  Env e;
  e.sender = getenv_opt("SENDER");
  e.newsender = getenv_opt("NEWSENDER");
  e.recipient = getenv_opt("RECIPIENT");
  e.user = getenv_opt("USER");
  e.home = getenv_opt("HOME");
  e.local = getenv_opt("LOCAL");
  e.host = getenv_opt("HOST");
  e.ext = getenv_opt("EXT");
  e.ext2 = getenv_opt("EXT2");
  e.ext3 = getenv_opt("EXT3");
  e.ext4 = getenv_opt("EXT4");
  e.host2 = getenv_opt("HOST2");
  e.host3 = getenv_opt("HOST3");
  e.host4 = getenv_opt("HOST4");
  e.default_ = getenv_opt("DEFAULT");
  e.dtline = getenv_opt("DTLINE");
  e.rpline = getenv_opt("RPLINE");
  e.ufline = getenv_opt("UFLINE");
  return e;
}

Env Env::for_delivery(const Params& p, const std::optional<std::string>& default_part,
                      const std::string& newsender, std::time_t now) {
  Env e;
  e.sender = p.sender;
  e.newsender = newsender;
  e.recipient = cat(p.local, "@", p.host);
  e.user = p.user;
  e.home = p.home;
  e.local = p.local;
  e.host = p.host;
  e.ext = p.ext;
  e.ext2 = ext_part(p.ext, 2);
  e.ext3 = ext_part(p.ext, 3);
  e.ext4 = ext_part(p.ext, 4);
  e.host2 = host_part(p.host, 2);
  e.host3 = host_part(p.host, 3);
  e.host4 = host_part(p.host, 4);
  e.default_ = default_part;
  e.dtline = dotqmail::dtline(p.local, p.host);
  e.rpline = dotqmail::rpline(p.sender);
  e.ufline = dotqmail::ufline(p.sender, now);
  return e;
}

namespace {
// The table that ties environment names to fields, in qmail-local's order.
template <typename E, typename F>
void each_field(E& e, F&& f) {
  f("USER", e.user);
  f("HOME", e.home);
  f("LOCAL", e.local);
  f("HOST", e.host);
  f("RECIPIENT", e.recipient);
  f("SENDER", e.sender);
  f("NEWSENDER", e.newsender);
  f("EXT", e.ext);
  f("EXT2", e.ext2);
  f("EXT3", e.ext3);
  f("EXT4", e.ext4);
  f("HOST2", e.host2);
  f("HOST3", e.host3);
  f("HOST4", e.host4);
  f("DEFAULT", e.default_);
  f("DTLINE", e.dtline);
  f("RPLINE", e.rpline);
  f("UFLINE", e.ufline);
}
}  // namespace

std::vector<std::string> Env::to_environment() const {
  std::vector<std::string> out;
  each_field(*this, [&](std::string_view name, const std::optional<std::string>& v) {
    if (v) out.push_back(cat(name, "=", *v));
  });
  return out;
}

const std::string* Env::get(std::string_view name) const {
  const std::string* found = nullptr;
  each_field(*this, [&](std::string_view n, const std::optional<std::string>& v) {
    if (n == name && v) found = &*v;
  });
  return found;
}

const std::string& Env::need(std::string_view name) const {
  if (const std::string* v = get(name)) return *v;
  throw PermError(cat(name, " not set"), "");
}

Forwarded queue_forward(const Home& home, int message_fd, std::string_view dtline, const Envelope& env) {
  QueueClient qq(home);
  qq.put(dtline);
  // Stream the message: it may be large, and the queue program reads as we go.
  std::string buf(65536, '\0');
  for (;;) {
    ssize_t n = ::read(message_fd, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      throw ReadError(cat("unable to read message: ", std::strerror(err)), err);
    }
    qq.put(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
  return Forwarded{qq.qp(), qq.finish(env)};
}

}  // namespace mta::dotqmail
