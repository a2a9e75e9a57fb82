// autorespond/state.cpp — see state.h.
#include "autorespond/state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "autorespond/sender.h"
#include "mta/core/exitcodes.h"

namespace autorespond {

namespace {

// Digits at s[k...]: their value and the index after them.
std::optional<std::pair<unsigned long long, std::size_t>> number_at(std::string_view s, std::size_t k) {
  unsigned long long v = 0;
  auto [p, ec] = std::from_chars(s.data() + k, s.data() + s.size(), v);
  if (ec != std::errc() || p == s.data() + k) return std::nullopt;
  return std::make_pair(v, static_cast<std::size_t>(p - s.data()));
}

constexpr std::time_t tmp_lifetime = 86400;

// Closes a DIR* on every path out.
struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

std::optional<StateName> parse_state_name(std::string_view name) {
  StateName out{};
  std::size_t k;
  if (name.rfind("A", 0) == 0) {
    out.kind = StateName::Kind::record;
    k = 1;
  } else if (name.rfind("tmp", 0) == 0) {
    out.kind = StateName::Kind::temp;
    k = 3;
  } else {
    return std::nullopt;
  }
  auto pid = number_at(name, k);
  if (!pid || pid->second >= name.size() || name[pid->second] != '.') return std::nullopt;
  auto time = number_at(name, pid->second + 1);
  if (!time || time->first > static_cast<unsigned long long>(INT64_MAX / 2)) return std::nullopt;
  std::size_t end = time->second;
  if (end != name.size()) {
    // Only our own ".N" uniqueness suffix may follow.
    if (out.kind != StateName::Kind::record || name[end] != '.') return std::nullopt;
    auto n = number_at(name, end + 1);
    if (!n || n->second != name.size()) return std::nullopt;
  }
  out.time = static_cast<std::time_t>(time->first);
  return out;
}

std::optional<std::string> parse_state_record(std::string_view contents) {
  if (contents.size() > max_record_bytes) return std::nullopt;
  if (!contents.empty() && contents.back() == '\n') contents.remove_suffix(1);
  if (contents.empty() || contents.find('\0') != std::string_view::npos ||
      contents.find('\n') != std::string_view::npos)
    return std::nullopt;
  return std::string(contents);
}

StateStore::StateStore(const std::filesystem::path& dir)
    : dir_(dir),
      fd_(mta::io::open_or_throw(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)),
      lock_(mta::io::FileLock::exclusive(fd_.get(), false)) {
  if (!lock_) mta::throw_errno(mta::cat("unable to lock ", dir.string()));
}

unsigned StateStore::count(std::string_view sender, std::time_t now, std::time_t window) {
  int dup = ::dup(fd_.get());
  if (dup < 0) mta::throw_errno("unable to read state directory");
  std::unique_ptr<DIR, DirCloser> d(::fdopendir(dup));
  if (!d) {
    ::close(dup);
    mta::throw_errno(mta::cat("unable to read ", dir_.string()));
  }
  ::rewinddir(d.get());
  const std::string key = normalize_sender(sender);
  const std::time_t cutoff = window >= now ? 0 : now - window;
  unsigned n = 0;
  errno = 0;
  while (dirent* e = ::readdir(d.get())) {
    std::string_view name = e->d_name;
    auto parsed = parse_state_name(name);
    if (!parsed) continue;
    bool expired = parsed->kind == StateName::Kind::temp ? parsed->time + tmp_lifetime < now
                                                         : parsed->time < cutoff;
    if (expired) {
      if (::unlinkat(fd_.get(), e->d_name, 0) != 0 && errno != ENOENT)
        mta::throw_errno(mta::cat("unable to remove ", (dir_ / std::string(name)).string()));
      continue;
    }
    if (parsed->kind != StateName::Kind::record) continue;
    mta::io::Fd f(::openat(fd_.get(), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!f) {
      if (errno == ENOENT) continue;
      mta::throw_errno(mta::cat("unable to read ", (dir_ / std::string(name)).string()));
    }
    std::string contents(max_record_bytes + 1, '\0');
    std::size_t got = 0;
    while (got < contents.size()) {
      ssize_t r = ::read(f.get(), contents.data() + got, contents.size() - got);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) mta::throw_errno(mta::cat("unable to read ", (dir_ / std::string(name)).string()));
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    contents.resize(got);
    if (auto who = parse_state_record(contents); who && normalize_sender(*who) == key) ++n;
    errno = 0;
  }
  if (errno != 0) mta::throw_errno(mta::cat("unable to read ", dir_.string()));
  return n;
}

void StateStore::record(std::string_view sender, std::time_t now) {
  std::string base = mta::cat("A", std::to_string(::getpid()), ".", std::to_string(now));
  std::string name = base;
  mta::io::Fd f;
  for (int n = 1;; ++n) {
    f.reset(::openat(fd_.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (f) break;
    if (errno != EEXIST || n > 1000) mta::throw_errno(mta::cat("unable to create ", (dir_ / name).string()));
    name = mta::cat(base, ".", std::to_string(n));
  }
  try {
    mta::io::write_all(f.get(), sender);
    mta::io::fsync_or_throw(f.get(), (dir_ / name).string());
    f.close();
  } catch (...) {
    ::unlinkat(fd_.get(), name.c_str(), 0);
    throw;
  }
  mta::io::fsync_or_throw(fd_.get(), dir_.string());
}

}  // namespace autorespond
