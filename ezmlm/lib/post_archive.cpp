#include "ezmlm/lib/post_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <map>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/post_subject.h"
#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"

namespace ezmlm::post {

namespace {

bool parse_ulong(std::string_view s, unsigned long& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Writes contents to `temp` and fsyncs it.
void write_synced(const fs::path& temp, std::string_view contents, mode_t mode) {
  mta::io::Fd fd = mta::io::open_or_throw(temp, O_WRONLY | O_CREAT | O_TRUNC, mode);
  mta::io::write_all(fd.get(), contents);
  mta::io::fsync_or_throw(fd.get(), temp.string());
  fd.close();
}

// Replaces `path` by contents via `temp` (same directory), durably.
void replace_via(const fs::path& path, const fs::path& temp, std::string_view contents, mode_t mode) {
  write_synced(temp, contents, mode);
  if (::rename(temp.c_str(), path.c_str()) != 0) mta::throw_errno(mta::cat("unable to move ", temp.string()));
  mta::io::fsync_dir(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

}  // namespace

std::optional<Num> read_num(const fs::path& dir) {
  auto text = mta::io::read_file(dir / "num");
  if (!text) return std::nullopt;
  std::string_view v = *text;
  if (auto nl = v.find('\n'); nl != std::string_view::npos) v = v.substr(0, nl);
  Num num;
  auto colon = v.find(':');
  bool ok = parse_ulong(v.substr(0, colon), num.number);
  if (ok && colon != std::string_view::npos) ok = parse_ulong(v.substr(colon + 1), num.size);
  if (!ok && v.empty()) return Num{};
  if (!ok) throw mta::TempError(mta::cat("unable to read ", (dir / "num").string(), ": not N:S"));
  return num;
}

void write_num(const fs::path& dir, const Num& num) {
  replace_via(dir / "num", dir / "numnew",
              mta::cat(std::to_string(num.number), ":", std::to_string(num.size), "\n"), 0644);
}

fs::path archive_subdir(const fs::path& dir, unsigned long number) {
  return dir / "archive" / std::to_string(number / 100);
}

fs::path archive_file(const fs::path& dir, unsigned long number) {
  unsigned long nn = number % 100;
  std::string name = {static_cast<char>('0' + nn / 10), static_cast<char>('0' + nn % 10)};
  return archive_subdir(dir, number) / name;
}

ArchiveWriter::ArchiveWriter(const fs::path& dir, unsigned long number) {
  fs::path sub = archive_subdir(dir, number);
  if (::mkdir(sub.c_str(), 0755) != 0 && errno != EEXIST)
    mta::throw_errno(mta::cat("unable to create ", sub.string()));
  final_ = archive_file(dir, number);
  temp_ = final_;
  temp_ += "n";
  // Mode 0644 while incomplete: no owner-execute bit, never "complete".
  fd_ = mta::io::open_or_throw(temp_, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  writer_ = std::make_unique<mta::io::Writer>(fd_.get(), 65536);
}

ArchiveWriter::~ArchiveWriter() {
  if (!committed_) ::unlink(temp_.c_str());
}

void ArchiveWriter::sync() {
  writer_->flush();
  // The mode first: the fsync then carries the "complete" bit with the text.
  if (::fchmod(fd_.get(), 0744) != 0) mta::throw_errno(mta::cat("unable to chmod ", temp_.string()));
  mta::io::fsync_or_throw(fd_.get(), temp_.string());
  fd_.close();
  synced_ = true;
}

void ArchiveWriter::commit(bool sync_dir) {
  if (!synced_) sync();
  if (::rename(temp_.c_str(), final_.c_str()) != 0) mta::throw_errno(mta::cat("unable to move ", temp_.string()));
  committed_ = true;
  if (sync_dir) mta::io::fsync_dir(final_.parent_path());
}

void update_index(const fs::path& dir, unsigned long number, std::string_view entry) {
  IndexUpdate update(dir, number, entry);
  update.publish();
  mta::io::fsync_dir(archive_subdir(dir, number));
}

IndexUpdate::IndexUpdate(const fs::path& dir, unsigned long number, std::string_view entry) {
  fs::path sub = archive_subdir(dir, number);
  if (::mkdir(sub.c_str(), 0755) != 0 && errno != EEXIST)
    mta::throw_errno(mta::cat("unable to create ", sub.string()));
  fs::path index = sub / "index";
  // Entries keyed by number; an entry is its "N:" line and the tab line after it.
  std::map<unsigned long, std::string> entries;
  if (auto old = mta::io::read_file(index)) {
    std::string_view v = *old;
    unsigned long current = 0;
    bool have = false;
    while (!v.empty()) {
      auto nl = v.find('\n');
      std::string_view line = v.substr(0, nl == std::string_view::npos ? v.size() : nl + 1);
      v.remove_prefix(line.size());
      if (!line.empty() && line[0] != '\t') {
        auto colon = line.find(':');
        have = colon != std::string_view::npos && parse_ulong(line.substr(0, colon), current);
      }
      if (have) entries[current].append(line);
    }
  }
  entries[number] = std::string(entry);
  std::string text;
  for (const auto& [n, e] : entries) text += e;
  index_ = std::move(index);
  temp_ = sub / "indexn";
  write_synced(temp_, text, 0644);
}

IndexUpdate::~IndexUpdate() {
  if (!published_) ::unlink(temp_.c_str());
}

void IndexUpdate::publish() {
  if (::rename(temp_.c_str(), index_.c_str()) != 0) mta::throw_errno(mta::cat("unable to move ", temp_.string()));
  published_ = true;
}

std::string index_entry_for(unsigned long number, mta::io::Reader& message, std::string_view prefix,
                            bool date_from_header) {
  auto header = mta::message::read_header(message);
  auto value = [&](std::string_view name) -> std::string {
    const auto* f = header.find(name);
    return f ? std::string(f->value()) : std::string();
  };
  Subject subject = normalise_subject(value("subject"), prefix);
  std::string date = date_from_header ? index_date("", value("date")) : index_date(value("received"), value("date"));
  if (date.empty()) date = mta::date::date822(std::time(nullptr));
  Author author = author_of(value("from"));
  return index_entry(number, makehash(subject.stripped), subject.index(), date, makehash(author.hash_key),
                     author.name);
}

}  // namespace ezmlm::post
