// Spec notes: Maildir++ (Courier's maildirquota, as summarised in reference
// 2b). Deviation: over quota defers (4.2.2) instead of bouncing; see quota.h.
#include "filters/quota.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <charconv>
#include <system_error>

#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/maildir.h"
#include "mta/core/text.h"

namespace filters::quota {

namespace io = mta::io;
using mta::cat;

namespace {

// Unsigned decimal, all of s, no overflow.
std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Signed decimal ("-123"), all of s, no overflow.
std::optional<std::int64_t> parse_i64(std::string_view s) {
  if (s.empty() || (s[0] == '-' && s.size() == 1)) return std::nullopt;
  for (std::size_t i = s[0] == '-' ? 1 : 0; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  return mta::text::trim_right(mta::text::trim_left(s, mta::text::blanks), " \t\r");
}

// One "<bytes> <count>" line added to usage; false when it does not parse
// or the sum overflows.
bool add_line(std::string_view line, Usage& usage) {
  line = trim(line);
  std::size_t sp = line.find_first_of(" \t");
  if (sp == std::string_view::npos) return false;
  auto bytes = parse_i64(line.substr(0, sp));
  auto count = parse_i64(trim(line.substr(sp)));
  if (!bytes || !count) return false;
  return !__builtin_add_overflow(usage.bytes, *bytes, &usage.bytes) &&
         !__builtin_add_overflow(usage.count, *count, &usage.count);
}

// The size a message file counts for: ",S=<n>" in its name, else stat.
std::optional<std::uint64_t> message_size(const fs::path& file) {
  const std::string name = file.filename().native();
  std::size_t s = name.find(",S=");
  if (s != std::string::npos) {
    std::size_t end = name.find_first_not_of("0123456789", s + 3);
    if (auto n = parse_u64(std::string_view(name).substr(s + 3, end == std::string::npos ? end : end - s - 3)))
      return n;
  }
  struct stat st {};
  if (::stat(file.c_str(), &st) == -1) {
    if (errno == ENOENT) return std::nullopt;  // expunged meanwhile
    mta::throw_errno(cat("unable to stat ", file.native()));
  }
  return static_cast<std::uint64_t>(st.st_size);
}

void scan_folder(const fs::path& folder, Usage& usage) {
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    fs::directory_iterator it(folder / sub, ec);
    if (ec == std::errc::no_such_file_or_directory) continue;
    if (ec) throw mta::TempError(cat("unable to scan ", (folder / sub).native(), ": ", ec.message()));
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().native();
      if (name.empty() || name[0] == '.') continue;
      if (auto n = message_size(it->path())) {
        usage.bytes += static_cast<std::int64_t>(*n);
        usage.count += 1;
      }
    }
    if (ec) throw mta::TempError(cat("unable to scan ", (folder / sub).native(), ": ", ec.message()));
  }
}

// Rewrites maildirsize from a scan: a temp file in tmp/, fsync, rename.
Usage recalculate(const fs::path& maildir, const Limits& limits) {
  Usage usage = scan(maildir);
  const std::string text =
      cat(format_spec(limits), "\n", std::to_string(usage.bytes), " ", std::to_string(usage.count), "\n");
  const fs::path tmp = maildir / "tmp" / cat(mta::maildir::format_name(mta::maildir::next_name_parts()), ".size");
  {
    io::Fd fd = io::open_or_throw(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    try {
      io::write_all(fd.get(), text);
      io::fsync_or_throw(fd.get(), "maildirsize");
      fd.close();
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  if (::rename(tmp.c_str(), (maildir / "maildirsize").c_str()) == -1) {
    int e = errno;
    ::unlink(tmp.c_str());
    mta::throw_errno(cat("unable to rename ", tmp.native()), e);
  }
  return usage;
}

// The Maildir and its three folders, each left alone when it exists.
void ensure_maildir(const fs::path& dir) {
  for (const fs::path& p : {dir, dir / "tmp", dir / "new", dir / "cur"})
    if (::mkdir(p.c_str(), 0700) == -1 && errno != EEXIST)
      throw mta::TempError(cat("Unable to create maildir ", p.native(), ": ", std::strerror(errno), "."), "4.2.1");
}

// The remaining bytes of the message plus what we prepend; 0 when unknown.
std::uint64_t incoming_size(int fd, std::string_view prepend) {
  struct stat st {};
  off_t pos = ::lseek(fd, 0, SEEK_CUR);
  if (::fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || pos == -1 || pos > st.st_size) return prepend.size();
  return static_cast<std::uint64_t>(st.st_size - pos) + prepend.size();
}

// Delivers the warning unless one went out within warn_interval. Never throws
// for the warning itself: the mail it is about matters more.
void maybe_warn(const fs::path& maildir, std::string_view address, const State& state, bool refused,
                std::time_t now) {
  const fs::path stamp = maildir / "quotawarn";
  struct stat st {};
  if (::stat(stamp.c_str(), &st) == 0 && now - st.st_mtime < warn_interval && now >= st.st_mtime) return;
  try {
    auto text = io::Reader::from_string(warning_text(address, state, refused, now));
    mta::maildir::deliver(maildir, text, "");
    io::Fd fd = io::open_or_throw(stamp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    // The stamp carries our clock's time, so the next check compares like with like.
    const struct timespec times[2] = {{now, 0}, {now, 0}};
    ::futimens(fd.get(), times);
  } catch (const mta::MailError& e) {
    mta::warn("quota", cat("unable to deliver the quota warning: ", e.what()));
  }
}

}  // namespace

std::optional<Limits> parse_spec(std::string_view spec) {
  spec = trim(spec);
  if (spec.empty() || spec == "NOQUOTA") return Limits{};
  if (auto n = parse_u64(spec)) return Limits{*n, std::nullopt};
  Limits out;
  while (true) {
    std::size_t comma = spec.find(',');
    std::string_view part = spec.substr(0, comma);
    if (part.size() < 2) return std::nullopt;
    auto n = parse_u64(part.substr(0, part.size() - 1));
    if (!n) return std::nullopt;
    auto& slot = part.back() == 'S' ? out.bytes : part.back() == 'C' ? out.count : out.bytes;
    if ((part.back() != 'S' && part.back() != 'C') || slot) return std::nullopt;
    slot = *n;
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  return out;
}

std::string format_spec(const Limits& limits) {
  std::string out;
  if (limits.bytes) out = cat(std::to_string(*limits.bytes), "S");
  if (limits.count) out += cat(out.empty() ? "" : ",", std::to_string(*limits.count), "C");
  return out;
}

std::optional<SizeFile> parse_maildirsize(std::string_view contents) {
  std::size_t nl = contents.find('\n');
  std::string_view first = contents.substr(0, nl);
  if (trim(first).empty() || trim(first) == "NOQUOTA") return std::nullopt;
  auto limits = parse_spec(first);
  if (!limits) return std::nullopt;
  SizeFile out{*limits, {}, true};
  contents.remove_prefix(nl == std::string_view::npos ? contents.size() : nl + 1);
  while (!contents.empty()) {
    nl = contents.find('\n');
    std::string_view line = contents.substr(0, nl);
    contents.remove_prefix(nl == std::string_view::npos ? contents.size() : nl + 1);
    if (trim(line).empty()) continue;
    if (!add_line(line, out.usage)) out.ok = false;
  }
  if (out.usage.bytes < 0 || out.usage.count < 0) out.ok = false;
  return out;
}

bool over_quota(const Limits& limits, const Usage& usage, std::uint64_t msg_bytes) {
  // Usage is never negative here (load recalculates first); compare unsigned.
  const auto bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(usage.bytes, 0));
  const auto count = static_cast<std::uint64_t>(std::max<std::int64_t>(usage.count, 0));
  if (limits.bytes && (bytes > *limits.bytes || msg_bytes > *limits.bytes - bytes)) return true;
  if (limits.count && count >= *limits.count) return true;
  return false;
}

int percent_used(const Limits& limits, const Usage& usage) {
  auto pct = [](std::int64_t used, std::uint64_t limit) -> int {
    if (limit == 0) return 100;
    if (used <= 0) return 0;
    const long double p = static_cast<long double>(used) * 100 / static_cast<long double>(limit);
    return p >= 100 ? 100 : static_cast<int>(p);
  };
  int out = 0;
  if (limits.bytes) out = std::max(out, pct(usage.bytes, *limits.bytes));
  if (limits.count) out = std::max(out, pct(usage.count, *limits.count));
  return out;
}

Usage scan(const fs::path& maildir) {
  Usage usage;
  scan_folder(maildir, usage);
  std::error_code ec;
  fs::directory_iterator it(maildir, ec);
  if (ec) throw mta::TempError(cat("unable to scan ", maildir.native(), ": ", ec.message()));
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().native();
    if (name.size() < 2 || name[0] != '.' || name == ".." || name == ".Trash") continue;
    if (it->is_directory(ec)) scan_folder(it->path(), usage);
  }
  return usage;
}

std::optional<State> load(const fs::path& maildir, const std::optional<Limits>& fallback) {
  const auto contents = io::read_file(maildir / "maildirsize");
  std::optional<SizeFile> file;
  if (contents) file = parse_maildirsize(*contents);
  if (file) {
    if (file->limits.none()) return std::nullopt;
    if (file->ok && contents->size() < recalc_size) return State{file->limits, file->usage};
    return State{file->limits, recalculate(maildir, file->limits)};
  }
  // No usable file: the fallback quota (the account's), if any, starts one.
  if (!fallback || fallback->none()) return std::nullopt;
  return State{*fallback, recalculate(maildir, *fallback)};
}

void append(const fs::path& maildir, std::int64_t bytes, std::int64_t count) {
  io::Fd fd = io::open_or_throw(maildir / "maildirsize", O_WRONLY | O_APPEND | O_CLOEXEC);
  io::write_all(fd.get(), cat(std::to_string(bytes), " ", std::to_string(count), "\n"));
}

std::string deliver(const fs::path& maildir, int message_fd, std::string_view prepend,
                    const std::optional<Limits>& fallback, std::string_view address, std::time_t now) {
  ensure_maildir(maildir);
  std::optional<State> state = load(maildir, fallback);
  if (state && over_quota(state->limits, state->usage, incoming_size(message_fd, prepend))) {
    maybe_warn(maildir, address, *state, true, now);
    throw mta::TempError(cat("Sorry, the mailbox of ", address, " is over quota."), "4.2.2");
  }
  std::string name = mta::maildir::deliver(maildir, message_fd, prepend);
  if (!state) return name;

  // The message is safe; the bookkeeping below may fail without losing it.
  try {
    const auto size = message_size(maildir / "new" / name).value_or(0);
    append(maildir, static_cast<std::int64_t>(size), 1);
    state->usage.bytes += static_cast<std::int64_t>(size);
    state->usage.count += 1;
    if (percent_used(state->limits, state->usage) >= warn_percent) maybe_warn(maildir, address, *state, false, now);
  } catch (const mta::MailError& e) {
    mta::warn("quota", cat("unable to update maildirsize: ", e.what()));
  }
  return name;
}

std::string warning_text(std::string_view address, const State& state, bool refused, std::time_t now) {
  const std::size_t at = address.rfind('@');
  const std::string_view domain = at == std::string_view::npos ? std::string_view("localhost") : address.substr(at + 1);
  std::string limit;
  if (state.limits.bytes) limit = cat(std::to_string(*state.limits.bytes), " bytes");
  if (state.limits.count) limit += cat(limit.empty() ? "" : " or ", std::to_string(*state.limits.count), " messages");
  return cat("From: Mail Delivery System <MAILER-DAEMON@", domain, ">\n",
             "To: <", address, ">\n",
             "Subject: ", refused ? "Your mailbox is over quota" : "Your mailbox is almost full", "\n",
             "Date: ", mta::date::date822(now), "\n",
             "Auto-Submitted: auto-generated\n",
             "\n",
             "Your mailbox ", address, " holds ", std::to_string(state.usage.bytes), " bytes in ",
             std::to_string(state.usage.count), " messages.\n",
             "Its quota is ", limit, ".\n",
             refused ? "New mail is being held back: the senders' mail servers will retry\n"
                       "for a few days. Please delete some messages now.\n"
                     : "Please delete some messages before new mail has to be held back.\n");
}

}  // namespace filters::quota
