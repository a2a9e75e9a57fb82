#include "ezmlm/lib/moderate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/process.h"

namespace ezmlm::moderate {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::string_view queue_dir(Queue queue) {
  return queue == Queue::pending ? "mod/pending" : "mod/unconfirmed";
}

std::optional<QueueName> parse_queue_name(std::string_view name) {
  std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view t = name.substr(0, dot), pid = name.substr(dot + 1);
  if (!all_digits(t) || !all_digits(pid) || t.size() > 20 || pid.size() > 20) return std::nullopt;
  unsigned long long value = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  QueueName q;
  q.time = static_cast<std::time_t>(value);
  q.time_text = std::string(t);
  q.pid = std::string(pid);
  return q;
}

std::string return_path_line(std::string_view sender) {
  std::string line = "Return-Path: <";
  for (char c : sender) line.push_back(c == '\n' || c == '\0' ? '_' : c);
  line += ">\n";
  return line;
}

std::string stored_sender(std::string_view line) {
  constexpr std::string_view name = "return-path:";
  if (line.size() < name.size() || !mta::address::iequals(line.substr(0, name.size()), name)) return "";
  std::size_t open = line.find('<', name.size());
  std::size_t close = line.rfind('>');
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open) return "";
  return std::string(line.substr(open + 1, close - open - 1));
}

std::string stored_sender_of(const fs::path& file) {
  mta::io::Fd fd = mta::io::open_or_throw(file, O_RDONLY);
  mta::io::Reader in(fd.get());
  std::string line;
  in.getline(line, '\n', 64 * 1024);
  return stored_sender(line);
}

std::string delivered_to_line(const ListDir& dir, Queue queue) {
  return mta::cat("Delivered-To: ", queue == Queue::pending ? "moderator for " : "confirm to ",
                  dir.outlocal(), "@", dir.outhost(), "\n");
}

DirLock::DirLock(const ListDir& dir, std::string_view name)
    : fd_(mta::io::open_or_throw(dir.path() / name, O_WRONLY | O_APPEND | O_CREAT, 0644)),
      lock_(mta::io::FileLock::exclusive(fd_.get(), false)) {
  if (!lock_) mta::throw_errno(mta::cat("unable to lock ", (dir.path() / name).string()));
}

QueueFile::QueueFile(const ListDir& dir, Queue queue, std::time_t now) {
  // The caller holds the queue's lock, so nobody else picks a name now; the
  // pid makes names unique across seconds, the loop covers a pid reused
  // within the same second.
  const fs::path qdir = dir.path() / queue_dir(queue);
  const std::string pid = std::to_string(::getpid());
  for (int attempt = 0;; ++attempt) {
    name_ = *parse_queue_name(mta::cat(std::to_string(now + attempt), ".", pid));
    path_ = qdir / name_.text();
    if (!file_exists(path_)) break;
    if (attempt == 10) throw mta::TempError(mta::cat("unable to find a unique name in ", qdir.string()));
  }
  // The temporary name does not look like T.PID, so no reader takes it for
  // a queued post; ezmlm-clean removes leftovers of a crash.
  temp_ = qdir / (".tmp." + name_.text());
  fd_ = mta::io::open_or_throw(temp_, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  writer_ = std::make_unique<mta::io::Writer>(fd_.get());
}

QueueFile::~QueueFile() {
  if (!committed_) ::unlink(temp_.c_str());
}

void QueueFile::commit() {
  writer_->flush();
  mta::io::fsync_or_throw(fd_.get(), temp_.string());
  if (::rename(temp_.c_str(), path_.c_str()) != 0) mta::throw_errno(mta::cat("unable to rename ", temp_.string()));
  committed_ = true;
  mta::io::fsync_dir(path_.parent_path());
}

void QueueFile::mark_sent() {
  if (::fchmod(fd_.get(), 0700) != 0) mta::throw_errno(mta::cat("unable to chmod ", path_.string()));
  mta::io::fsync_or_throw(fd_.get(), path_.string());
}

void QueueFile::remove() {
  ::unlink(temp_.c_str());
  if (committed_) ::unlink(path_.c_str());
  committed_ = true;  // nothing left for the destructor
}

void write_stub(const ListDir& dir, std::string_view stub_dir, std::string_view name) {
  const fs::path path = dir.path() / stub_dir / name;
  mta::io::Fd fd = mta::io::open_or_throw(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  mta::io::fsync_or_throw(fd.get(), path.string());
  fd.close();
  mta::io::fsync_dir(path.parent_path());
}

bool file_exists(const fs::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  mta::throw_errno(mta::cat("unable to stat ", path.string()));
}

void remove_file(const fs::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) mta::throw_errno(mta::cat("unable to remove ", path.string()));
}

std::string sibling_program(const Env& env, std::string_view name) {
  std::string path = mta::cat(env.bin, "/", name);
  if (::access(path.c_str(), X_OK) == 0) return path;
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto beside = self.parent_path() / name;
    if (::access(beside.c_str(), X_OK) == 0) return beside.string();
  }
  return path;
}

Command accept_command(const ListDir& dir, const std::vector<std::string>& given,
                       const std::vector<std::string>& send_options) {
  Command command;
  if (given.empty()) {
    command.argv.push_back(sibling_program(dir.env(), "ezmlm-send"));
    command.argv.insert(command.argv.end(), send_options.begin(), send_options.end());
    command.argv.push_back(dir.path().string());
  } else if (given.size() == 1) {
    command.argv = {"/bin/sh", "-c", given[0]};
  } else {
    command.argv = given;
    command.use_path = true;
  }
  return command;
}

void run_on_file(const Command& command, const fs::path& file, std::string_view sender) {
  mta::io::Fd fd = mta::io::open_or_throw(file, O_RDONLY | O_CLOEXEC);
  mta::process::SpawnOptions options;
  options.fds = {{0, fd.get()}};
  options.use_path = command.use_path;
  options.setenv = {mta::cat("SENDER=", sender)};
  pid_t pid = mta::process::spawn(command.argv, options);
  int status = mta::process::wait_for(pid);
  switch (mta::classify_child_exit(status)) {
    case mta::ChildResult::ok:
    case mta::ChildResult::stop:
      return;
    case mta::ChildResult::permanent:
      throw mta::PermError(mta::cat(command.argv[0], " refused the message"), "");
    case mta::ChildResult::temporary:
      break;
  }
  throw mta::TempError(mta::cat(command.argv[0], " failed temporarily"), "");
}

std::time_t mod_timeout(const ListDir& dir) {
  unsigned long hours = dir.number("modtime").value_or(120);
  if (hours < 24) hours = 24;
  if (hours > 240) hours = 240;
  return static_cast<std::time_t>(hours) * 3600;
}

}  // namespace ezmlm::moderate
