#include "mta/core/io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "mta/core/exitcodes.h"

namespace mta::io {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

Fd::~Fd() { reset(); }

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

void Fd::close() {
  int fd = release();
  if (fd >= 0 && ::close(fd) == -1 && errno != EINTR) throw_errno("unable to close file");
}

Fd open_or_throw(const fs::path& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd == -1) throw_errno(cat("unable to open ", path.string()));
  return Fd(fd);
}

Fd open_if_exists(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd == -1) {
    if (errno == ENOENT) return Fd();
    throw_errno(cat("unable to open ", path.string()));
  }
  return Fd(fd);
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n == -1) {
      if (errno == EINTR) continue;
      throw_errno("unable to write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_or_throw(int fd, std::string_view what) {
  if (::fsync(fd) == -1) throw_errno(cat("unable to fsync ", what));
}

void fsync_dir(const fs::path& dir) {
  Fd fd = open_or_throw(dir, O_RDONLY | O_DIRECTORY);
  fsync_or_throw(fd.get(), dir.string());
}

std::optional<std::string> read_file(const fs::path& path) {
  Fd fd = open_if_exists(path, O_RDONLY);
  if (!fd) return std::nullopt;
  Reader r(fd.get());
  return r.read_all();
}

void replace_file(const fs::path& path, std::string_view contents, mode_t mode) {
  fs::path tmp = path;
  tmp += ".tmp";
  // A .tmp left by a crash would keep its old mode under O_TRUNC: start afresh.
  ::unlink(tmp.c_str());
  try {
    Fd fd = open_or_throw(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    write_all(fd.get(), contents);
    fsync_or_throw(fd.get(), tmp.string());
    fd.close();
    if (::rename(tmp.c_str(), path.c_str()) == -1) throw_errno(cat("unable to move ", tmp.string()));
  } catch (...) {
    // The old file is untouched; do not leave a half-written .tmp next to it.
    ::unlink(tmp.c_str());
    throw;
  }
  fsync_dir(path.has_parent_path() ? path.parent_path() : fs::path("."));
}

namespace {

class FdSource : public Source {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  std::size_t read(char* buf, std::size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno != EINTR) throw_errno("unable to read");
    }
  }

 private:
  int fd_;
};

class StringSource : public Source {
 public:
  StringSource(std::string data, bool trickle) : data_(std::move(data)), trickle_(trickle) {}
  std::size_t read(char* buf, std::size_t n) override {
    std::size_t take = std::min(n, data_.size() - pos_);
    if (trickle_ && take > 1) take = 1;
    data_.copy(buf, take, pos_);
    pos_ += take;
    return take;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
  bool trickle_;
};

constexpr std::size_t read_chunk = 16384;

}  // namespace

Reader::Reader(int fd) : source_(std::make_unique<FdSource>(fd)) {}
Reader::Reader(std::unique_ptr<Source> source) : source_(std::move(source)) {}

Reader Reader::from_string(std::string data, bool trickle) {
  return Reader(std::make_unique<StringSource>(std::move(data), trickle));
}

bool Reader::fill() {
  if (eof_) return false;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  std::size_t old = buf_.size();
  buf_.resize(old + read_chunk);
  std::size_t n = source_->read(buf_.data() + old, read_chunk);
  buf_.resize(old + n);
  if (n == 0) eof_ = true;
  return n > 0;
}

Reader::Got Reader::getline(std::string& out, char sep, std::size_t limit) {
  out.clear();
  for (;;) {
    std::string_view avail = buffered();
    std::size_t at = avail.find(sep);
    std::size_t take = at == std::string_view::npos ? avail.size() : at;
    if (limit && out.size() + take > limit) throw LineTooLong();
    out.append(avail.substr(0, take));
    if (at != std::string_view::npos) {
      pos_ += at + 1;
      return Got::line;
    }
    pos_ += take;
    if (!fill()) return out.empty() ? Got::nothing : Got::partial;
  }
}

std::size_t Reader::read(char* buf, std::size_t n) {
  if (pos_ == buf_.size()) {
    // Large reads bypass the buffer.
    if (n >= read_chunk) {
      if (eof_) return 0;
      std::size_t got = source_->read(buf, n);
      if (got == 0) eof_ = true;
      return got;
    }
    if (!fill()) return 0;
  }
  std::size_t take = std::min(n, buf_.size() - pos_);
  buf_.copy(buf, take, pos_);
  pos_ += take;
  return take;
}

std::optional<char> Reader::get() {
  if (pos_ == buf_.size() && !fill()) return std::nullopt;
  return buf_[pos_++];
}

std::string Reader::read_all() {
  std::string out(buffered());
  pos_ = buf_.size();
  char chunk[read_chunk];
  for (;;) {
    std::size_t n = read(chunk, sizeof chunk);
    if (n == 0) return out;
    out.append(chunk, n);
  }
}

Writer::Writer(int fd, std::size_t bufsize) : fd_(fd), bufsize_(bufsize) { buf_.reserve(bufsize); }
Writer::Writer(std::string& sink) : sink_(&sink) {}

void Writer::write(std::string_view data) {
  total_ += data.size();
  if (err_) return;
  if (sink_) {
    sink_->append(data);
    return;
  }
  if (buf_.size() + data.size() > bufsize_) {
    drain();
    if (data.size() >= bufsize_) {
      if (!err_) {
        try {
          write_all(fd_, data);
        } catch (const MailError&) {
          err_ = errno ? errno : EIO;
        }
      }
      return;
    }
  }
  buf_.append(data);
}

void Writer::drain() {
  if (err_ || buf_.empty()) return;
  try {
    write_all(fd_, buf_);
  } catch (const MailError&) {
    err_ = errno ? errno : EIO;
  }
  buf_.clear();
}

void Writer::flush() {
  drain();
  if (err_) throw_errno("unable to write", err_);
}

std::optional<FileLock> FileLock::exclusive(int fd, bool nonblocking) {
  for (;;) {
    if (::flock(fd, LOCK_EX | (nonblocking ? LOCK_NB : 0)) == 0) return FileLock(fd);
    if (errno == EINTR) continue;
    if (nonblocking && errno == EWOULDBLOCK) return std::nullopt;
    throw_errno("unable to lock");
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::flock(fd_, LOCK_UN);
}

}  // namespace mta::io
