// mta/pop/pop3d.cpp — see pop3d.h.
#include "mta/pop/pop3d.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <ctime>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/maildir.h"
#include "mta/pop/pop3_command.h"

namespace mta::pop {

// ---- Blaster ----

void Blaster::end_line(std::string& out) {
  if (!last_cr_) out.push_back('\r');
  out.push_back('\n');
  const bool blank = line_len_ == 0 || (line_len_ == 1 && last_cr_);
  line_start_ = true;
  last_cr_ = false;
  line_len_ = 0;
  if (!remaining_) return;
  if (in_headers_) {
    if (blank) {
      in_headers_ = false;
      if (*remaining_ == 0) done_ = true;
    }
  } else if (--*remaining_ == 0) {
    done_ = true;
  }
}

bool Blaster::feed(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size() + chunk.size() / 16 + 8);
  for (char ch : chunk) {
    if (done_) return false;
    if (ch == '\n') {
      end_line(out);
      continue;
    }
    if (line_start_ && ch == '.') out.push_back('.');
    line_start_ = false;
    out.push_back(ch);
    last_cr_ = ch == '\r';
    ++line_len_;
  }
  return !done_;
}

void Blaster::finish(std::string& out) {
  if (!line_start_) {
    if (!last_cr_) out.push_back('\r');
    out.push_back('\n');
  }
  out.append(".\r\n");
}

// ---- the Maildir ----

std::vector<Message> scan_maildir(const fs::path& dir) {
  std::vector<Message> out;
  for (const maildir::Entry& e : maildir::list_messages(dir)) {
    struct stat st {};
    if (::stat(e.path.c_str(), &st) == -1) continue;  // gone since the listing
    Message m;
    m.path = (e.seen ? "cur/" : "new/") + e.name;
    m.uid = e.name.substr(0, e.name.find(':'));
    m.size = st.st_size;
    out.push_back(std::move(m));
  }
  return out;
}

std::chrono::milliseconds session_timeout() {
  if (const char* v = std::getenv("POP3TIMEOUT")) {
    if (auto n = parse_number(v); n && *n > 0) return std::chrono::seconds(*n);
  }
  return std::chrono::seconds(1200);
}

namespace {

class Session {
 public:
  Session(net::Stream& io, fs::path dir, std::vector<Message> messages)
      : io_(io), dir_(std::move(dir)), m_(std::move(messages)) {}

  int run() {
    reply_ok();
    while (std::optional<Command> c = read_command(io_)) {
      if (!dispatch(*c)) break;
    }
    return 0;  // after QUIT; an end without QUIT changed nothing
  }

 private:
  void reply_ok(std::string_view text = {}) { io_.write(cat("+OK ", text, "\r\n")); }
  void err(std::string_view text) { io_.write(cat("-ERR ", text, "\r\n")); }

  // False after QUIT.
  bool dispatch(const Command& c) {
    const std::string& v = c.verb;
    if (v == "QUIT") return quit();
    if (v == "STAT") stat();
    else if (v == "LIST") list(c.arg, false);
    else if (v == "UIDL") list(c.arg, true);
    else if (v == "DELE") dele(c.arg);
    else if (v == "RETR") top(c.arg, false);
    else if (v == "TOP") top(c.arg, true);
    else if (v == "RSET") rset();
    else if (v == "LAST") reply_ok(std::to_string(last_));
    else if (v == "NOOP") reply_ok();
    else if (v == "CAPA") capa();
    else err("unimplemented");
    return true;
  }

  // qmail's msgno(): the index of a live message, or nullopt after -ERR.
  std::optional<std::size_t> msgno(std::string_view arg) {
    auto n = parse_number(arg);
    if (!n) {
      err("syntax error");
      return std::nullopt;
    }
    if (*n == 0) {
      err("messages are counted from 1");
      return std::nullopt;
    }
    if (*n > m_.size()) {
      err("not that many messages");
      return std::nullopt;
    }
    if (m_[*n - 1].deleted) {
      err("already deleted");
      return std::nullopt;
    }
    return *n - 1;
  }

  void stat() {
    std::size_t count = 0;
    unsigned long long bytes = 0;
    for (const Message& m : m_)
      if (!m.deleted) {
        ++count;
        bytes += static_cast<unsigned long long>(m.size);
      }
    reply_ok(cat(std::to_string(count), " ", std::to_string(bytes)));
  }

  std::string list_line(std::size_t i, bool uidl) const {
    return cat(std::to_string(i + 1), " ", uidl ? m_[i].uid : std::to_string(m_[i].size));
  }

  void list(const std::string& arg, bool uidl) {
    if (!arg.empty()) {
      if (auto i = msgno(arg)) reply_ok(list_line(*i, uidl));
      return;
    }
    reply_ok();
    for (std::size_t i = 0; i < m_.size(); ++i)
      if (!m_[i].deleted) io_.write(cat(list_line(i, uidl), "\r\n"));
    io_.write(".\r\n");
  }

  void dele(const std::string& arg) {
    auto i = msgno(arg);
    if (!i) return;
    m_[*i].deleted = true;
    last_ = std::max(last_, *i + 1);
    reply_ok();
  }

  void rset() {
    for (Message& m : m_) m.deleted = false;
    last_ = 0;
    reply_ok();
  }

  void capa() {
    reply_ok("capability list follows");
    io_.write("TOP\r\nUIDL\r\nPIPELINING\r\nRESP-CODES\r\nIMPLEMENTATION Lettershop\r\n.\r\n");
  }

  // RETR n, TOP n lines.
  void top(const std::string& arg, bool is_top) {
    std::string_view a(arg);
    const std::size_t sp = a.find(' ');
    std::optional<unsigned long> limit;
    if (is_top) {
      if (sp == std::string_view::npos) return err("syntax error");
      std::string_view rest = a.substr(sp);
      rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
      limit = parse_number(rest);
      if (!limit) return err("syntax error");
    }
    auto i = msgno(a.substr(0, sp));
    if (!i) return;
    io::Fd fd(::open((dir_ / m_[*i].path).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return err("unable to open that message");
    if (!is_top) last_ = std::max(last_, *i + 1);
    reply_ok();
    Blaster b(limit);
    std::string chunk(64 * 1024, '\0'), out;
    for (;;) {
      ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // a read error ends the message early, as qmail's blast
      out.clear();
      const bool more = b.feed(std::string_view(chunk.data(), static_cast<std::size_t>(n)), out);
      io_.write(out);
      if (!more) break;
    }
    out.clear();
    b.finish(out);
    io_.write(out);
  }

  bool quit() {
    bool unlinked_all = true;
    bool changed = false;
    for (const Message& m : m_) {
      const fs::path from = dir_ / m.path;
      if (m.deleted) {
        if (::unlink(from.c_str()) == -1 && errno != ENOENT) unlinked_all = false;
        changed = true;
      } else if (m.path.starts_with("new/")) {
        const fs::path to = dir_ / cat("cur/", m.path.substr(4), ":2,");
        ::rename(from.c_str(), to.c_str());  // a failure only leaves it unseen
        changed = true;
      }
    }
    if (changed) {
      try {
        io::fsync_dir(dir_ / "new");
        io::fsync_dir(dir_ / "cur");
      } catch (const MailError&) {
        unlinked_all = false;
      }
    }
    if (unlinked_all) reply_ok();
    else err("unable to unlink all deleted messages");
    flush_quietly(io_);
    return false;
  }

  net::Stream& io_;
  fs::path dir_;
  std::vector<Message> m_;
  std::size_t last_ = 0;
};

}  // namespace

int serve_maildir(net::Stream& io, const fs::path& dir, std::vector<Message> messages) {
  return Session(io, dir, std::move(messages)).run();
}

int pop3d_main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  auto die = [](std::string_view text) {
    io::write_all(1, cat("-ERR ", text, "\r\n"));
    return 1;
  };
  if (argc < 2 || argv[1][0] == '\0') return die("usage: qmail-pop3d maildir");
  // Reading mail as root means a checkpassword that forgot to drop
  // privileges: fail like a bad login rather than serve with root's rights.
  if (::getuid() == 0 || ::geteuid() == 0) return die("refusing to run as root");
  const fs::path dir = argv[1];
  if (::chdir(dir.c_str()) == -1) return die("this user has no $HOME/Maildir");
  std::vector<Message> messages;
  try {
    maildir::clean_tmp(".", std::time(nullptr));
    messages = scan_maildir(".");
  } catch (const MailError&) {
    return die("unable to scan $HOME/Maildir");
  }
  net::Stream io(0, 1, session_timeout());
  try {
    return serve_maildir(io, ".", std::move(messages));
  } catch (const MailError&) {
    return 0;  // the connection broke: the Maildir is unchanged
  }
}

}  // namespace mta::pop
