// Spec notes: cr.yp.to/proto/maildir.html and qmail-local.c maildir_child
// (reference 7.9). Deviations, both for speed and both invisible to readers:
// the unique name carries microseconds, a per-process counter and random
// bits, so qmail's "sleep 2 seconds and retry" on EEXIST is never needed;
// and the delivery runs in the caller's process (no child, no 24 h alarm):
// qmail-local itself runs under qmail-lspawn's supervision.
#include "mta/core/maildir.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "mta/core/exitcodes.h"

namespace mta::maildir {

namespace {

constexpr std::string_view text_chdir = "Unable to chdir to maildir.";
constexpr std::string_view text_temp = "Temporary error on maildir delivery.";
constexpr std::string_view text_read = "Unable to read message.";

std::atomic<std::uint64_t> delivery_counter{0};

std::uint64_t random64() {
  std::uint64_t r = 0;
  if (::getrandom(&r, sizeof r, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof r)) return r;
  static std::mt19937_64 fallback{std::random_device{}()};
  return fallback();
}

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) == -1) return "localhost";
  std::string h(buf, ::strnlen(buf, 64));  // qmail keeps at most 64 bytes
  return h.empty() ? std::string("localhost") : h;
}

// Removes the tmp/ file unless the delivery got as far as new/.
class TmpGuard {
 public:
  explicit TmpGuard(fs::path path) : path_(std::move(path)) {}
  ~TmpGuard() {
    if (armed_) ::unlink(path_.c_str());
  }
  TmpGuard(const TmpGuard&) = delete;
  TmpGuard& operator=(const TmpGuard&) = delete;
  void disarm() { armed_ = false; }

 private:
  fs::path path_;
  bool armed_ = true;
};

// Copies prepend + the rest of message to fd; read errors and write errors
// get their own texts.
void write_message(int fd, io::Reader& message, std::string_view prepend) {
  io::Writer out(fd, 65536);
  out.write(prepend);
  std::string buf(65536, '\0');
  for (;;) {
    std::size_t n = 0;
    try {
      n = message.read(buf.data(), buf.size());
    } catch (const MailError&) {
      throw TempError(std::string(text_read), "4.3.0");
    }
    if (n == 0) break;
    out.write(std::string_view(buf.data(), n));
  }
  try {
    out.flush();
  } catch (const MailError&) {
    throw TempError(std::string(text_temp), "4.3.0");
  }
}

}  // namespace

std::string format_name(const NameParts& p) {
  std::string host;
  for (char c : p.host) {
    if (c == '/') host += "\\057";
    else if (c == ':') host += "\\072";
    else host += c;
  }
  char rand[17];
  std::snprintf(rand, sizeof rand, "%016llx", static_cast<unsigned long long>(p.random));
  return cat(std::to_string(p.sec), ".M", std::to_string(p.usec), "P", std::to_string(p.pid), "Q",
             std::to_string(p.count), "R", rand, ".", host);
}

NameParts next_name_parts() {
  static const std::string host = hostname();
  NameParts p;
  struct timeval tv {};
  ::gettimeofday(&tv, nullptr);
  p.sec = tv.tv_sec;
  p.usec = tv.tv_usec;
  p.pid = ::getpid();
  p.count = ++delivery_counter;
  p.random = random64();
  p.host = host;
  return p;
}

std::string deliver(const fs::path& dir, int message_fd, std::string_view prepend) {
  io::Reader in(message_fd);
  return deliver(dir, in, prepend);
}

std::string deliver(const fs::path& dir, io::Reader& message, std::string_view prepend) {
  // Sanity check: qmail-local chdirs into the Maildir and calls every failure
  // there "Unable to chdir"; a missing Maildir is temporary, as in qmail.
  struct stat st {};
  if (::stat((dir / "tmp").c_str(), &st) == -1 || !S_ISDIR(st.st_mode))
    throw TempError(std::string(text_chdir), "4.2.1");

  // Create the tmp/ file under a name nobody else can be using.
  NameParts parts = next_name_parts();
  std::string name;
  fs::path tmp;
  io::Fd fd;
  for (int attempt = 0; attempt < 3 && !fd; ++attempt) {
    if (attempt) parts.random = random64();
    name = format_name(parts);
    tmp = dir / "tmp" / name;
    fd.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd && errno != EEXIST) break;
  }
  if (!fd) throw TempError(std::string(text_temp), "4.3.0");
  TmpGuard guard(tmp);

  // Write, then make it durable before it becomes visible.
  write_message(fd.get(), message, prepend);
  try {
    io::fsync_or_throw(fd.get(), "maildir");
    fd.close();
  } catch (const MailError&) {
    throw TempError(std::string(text_temp), "4.3.0");
  }

  // The delivery instant: the link into new/. File systems without hard
  // links (some FUSE and SMB mounts) get a rename, which is as atomic.
  const fs::path dest = dir / "new" / name;
  if (::link(tmp.c_str(), dest.c_str()) == 0) {
    ::unlink(tmp.c_str());
  } else if (errno == EPERM || errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EMLINK) {
    if (::rename(tmp.c_str(), dest.c_str()) == -1) throw TempError(std::string(text_temp), "4.3.0");
  } else {
    throw TempError(std::string(text_temp), "4.3.0");
  }
  guard.disarm();

  // The name in new/ must survive a crash before we report success; if it
  // cannot be made durable, take it back so that a retry is no duplicate.
  try {
    io::fsync_dir(dir / "new");
  } catch (const MailError&) {
    ::unlink(dest.c_str());
    throw TempError(std::string(text_temp), "4.3.0");
  }
  return name;
}

void make(const fs::path& dir) {
  for (const fs::path& p : {dir, dir / "tmp", dir / "new", dir / "cur"})
    if (::mkdir(p.c_str(), 0700) == -1) throw_errno(cat("unable to mkdir ", p.native()));
}

std::vector<Entry> list_messages(const fs::path& dir) {
  std::vector<Entry> out;
  for (const char* sub : {"new", "cur"}) {
    const fs::path folder = dir / sub;
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) throw TempError(cat("unable to scan ", folder.native(), ": ", ec.message()));
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().native();
      if (name.empty() || name[0] == '.') continue;
      struct stat st {};
      if (::stat(it->path().c_str(), &st) == -1) continue;  // taken by another reader meanwhile
      if (!S_ISREG(st.st_mode)) continue;
      out.push_back(Entry{it->path(), std::move(name), std::string_view(sub) == "cur", st.st_mtime});
    }
    if (ec) throw TempError(cat("unable to scan ", folder.native(), ": ", ec.message()));
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name;
  });
  return out;
}

std::size_t clean_tmp(const fs::path& dir, std::time_t now, std::time_t max_age) {
  const fs::path folder = dir / "tmp";
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) throw TempError(cat("unable to scan ", folder.native(), ": ", ec.message()));
  std::size_t removed = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::stat(it->path().c_str(), &st) == -1 || !S_ISREG(st.st_mode)) continue;
    if (st.st_atime + max_age < now && ::unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace mta::maildir
