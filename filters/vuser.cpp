// Spec notes: passwd(5); vpopmail's vpasswd/vpasswd.cdb pair (reference 2b).
#include "filters/vuser.h"

#include <fcntl.h>

#include <array>
#include <charconv>
#include <limits>
#include <set>

#include "mta/core/cdb.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/text.h"

namespace filters::vuser {

namespace io = mta::io;

namespace {

// A uid or gid: decimal digits only, below (id_t)-1, which means "none".
std::optional<std::uint32_t> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if (v >= std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

// A name may become part of a path and a Delivered-To line: no separators,
// no control bytes, no spaces, no leading dot.
bool name_ok(std::string_view name) {
  if (name.empty() || name[0] == '.' || name[0] == '-') return false;
  for (unsigned char c : name)
    if (c <= ' ' || c == 0x7f || c == '/' || c == ':') return false;
  return true;
}

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < ' ' || c == 0x7f) return true;
  return false;
}

}  // namespace

std::optional<VUser> parse_line(std::string_view line, std::string& reason) {
  reason.clear();
  if (line.size() > max_line) {
    reason = "line too long";
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() || line[0] == '#') return std::nullopt;

  std::array<std::string_view, 7> f;
  std::size_t n = 0;
  for (std::size_t start = 0;;) {
    std::size_t colon = line.find(':', start);
    if (n == f.size()) {
      reason = "more than 7 fields";
      return std::nullopt;
    }
    f[n++] = line.substr(start, colon == std::string_view::npos ? colon : colon - start);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (n != f.size()) {
    reason = "fewer than 7 fields";
    return std::nullopt;
  }
  if (has_control(line)) {
    reason = "control character";
    return std::nullopt;
  }
  if (!name_ok(f[0])) {
    reason = "bad user name";
    return std::nullopt;
  }
  auto uid = parse_id(f[2]);
  auto gid = parse_id(f[3]);
  if (!uid || !gid) {
    reason = "bad uid or gid";
    return std::nullopt;
  }
  if (f[5].empty()) {
    reason = "empty home directory";
    return std::nullopt;
  }
  return VUser{std::string(f[0]), std::string(f[1]), *uid, *gid,
               std::string(f[4]), std::string(f[5]), std::string(f[6])};
}

File parse(std::string_view contents) {
  File out;
  mta::text::for_each_line(contents, [&out](std::size_t number, std::string_view line) {
    std::string reason;
    if (auto u = parse_line(line, reason))
      out.users.push_back(std::move(*u));
    else if (!reason.empty())
      out.rejected.push_back({number, std::move(reason)});
  });
  return out;
}

std::optional<VUser> find_in_text(const fs::path& path, std::string_view name) {
  io::Fd fd = io::open_or_throw(path, O_RDONLY | O_CLOEXEC);
  io::Reader in(fd.get());
  std::string line, reason;
  for (;;) {
    // Unbounded, as qmail's getln; an oversized line is then skipped by
    // parse_line, so it costs memory once but never an account.
    auto got = in.getline(line);
    if (got == io::Reader::Got::nothing) return std::nullopt;
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ':')
      if (auto u = parse_line(line, reason)) return u;
    if (got == io::Reader::Got::partial) return std::nullopt;
  }
}

namespace {

// The record for name in an open cdb; a record that does not parse is damage.
std::optional<VUser> from_cdb(mta::cdb::Reader& db, const fs::path& path, std::string_view name) {
  auto data = db.find(name);
  if (!data) return std::nullopt;
  std::string reason;
  auto u = parse_line(*data, reason);
  if (!u || u->name != name)
    throw mta::TempError(mta::cat("damaged record for ", name, " in ", path.string(), ": rebuild it with vuserdb"),
                         "4.3.5");
  return u;
}

}  // namespace

std::optional<VUser> find_in_cdb(const fs::path& path, std::string_view name) {
  auto db = mta::cdb::Reader::open(path);
  if (!db) return std::nullopt;
  return from_cdb(*db, path, name);
}

std::vector<Rejected> build_cdb(std::string_view contents, const fs::path& path) {
  std::vector<Rejected> rejected;
  std::set<std::string, std::less<>> seen;
  mta::cdb::Writer out(path, 0644);
  mta::text::for_each_line(contents, [&](std::size_t number, std::string_view line) {
    std::string reason;
    auto u = parse_line(line, reason);
    if (!u) {
      if (!reason.empty()) rejected.push_back({number, std::move(reason)});
      return;
    }
    if (!seen.insert(u->name).second) {
      rejected.push_back({number, mta::cat("duplicate user ", u->name)});
      return;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.add(u->name, line);
  });
  out.commit();
  return rejected;
}

std::optional<VUser> lookup(const fs::path& domain_dir, std::string_view name) {
  const fs::path cdb = domain_dir / "vpasswd.cdb";
  if (auto db = mta::cdb::Reader::open(cdb)) return from_cdb(*db, cdb, name);
  const fs::path text = domain_dir / "vpasswd";
  if (io::open_if_exists(text, O_RDONLY | O_CLOEXEC)) return find_in_text(text, name);
  throw mta::TempError(mta::cat("no user database: neither ", cdb.string(), " nor ", text.string(), " exists"),
                       "4.3.5");
}

}  // namespace filters::vuser
