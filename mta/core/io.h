// mta/core/io.h — file descriptors, buffered reading and writing, fsync, locks.
//
// Fd owns one descriptor and closes it once. Reader reads lines of any length
// (no fixed buffer; a caller that needs a cap passes one and gets LineTooLong).
// Writer buffers output and keeps the first error: write() never fails,
// flush() reports it — so a long copy checks once, at the end, like qmail's
// substdio, but forgetting to check is a compile warning ([[nodiscard]] is not
// enough for void, so flush() throws).
//
// Both Reader and Writer work on a descriptor or on memory, so the parsers
// built on them are unit-tested from strings (and "trickled", one byte a read).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mta::io {

namespace fs = std::filesystem;

// A move-only owner of one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  int release() { int fd = fd_; fd_ = -1; return fd; }
  void reset(int fd = -1);
  // Closes now and reports a failed close (NFS and friends report write errors there).
  void close();

 private:
  int fd_ = -1;
};

// open(2) that throws TempError "unable to open PATH: reason".
Fd open_or_throw(const fs::path& path, int flags, mode_t mode = 0600);
// open(2) that returns an invalid Fd when the file does not exist (ENOENT)
// and throws for every other failure ("absent" differs from "unreadable").
Fd open_if_exists(const fs::path& path, int flags = 0);

// Writes all of data, retrying after EINTR and short writes. Throws TempError.
void write_all(int fd, std::string_view data);
// fsync(2) that throws TempError.
void fsync_or_throw(int fd, std::string_view what);
// fsync of a directory, so that a link or rename in it is durable.
void fsync_dir(const fs::path& dir);
// Reads a whole (small) file; nullopt when it does not exist.
std::optional<std::string> read_file(const fs::path& path);
// Replaces path atomically: write path.tmp, fsync, rename, fsync the directory.
void replace_file(const fs::path& path, std::string_view contents, mode_t mode = 0644);

class LineTooLong : public std::runtime_error {
 public:
  LineTooLong() : std::runtime_error("line too long") {}
};

// Where a Reader's bytes come from.
class Source {
 public:
  virtual ~Source() = default;
  // Reads up to n bytes; 0 at end of input. Throws on error.
  virtual std::size_t read(char* buf, std::size_t n) = 0;
};

class Reader {
 public:
  enum class Got { nothing, line, partial };  // partial: EOF before the separator

  explicit Reader(int fd);                        // borrows fd
  explicit Reader(std::unique_ptr<Source> source);
  // Reads from memory; with trickle, one byte per underlying read (for tests).
  static Reader from_string(std::string data, bool trickle = false);

  // Appends one line, without its separator, to a cleared `out`. limit 0 is
  // unbounded; a line longer than limit throws LineTooLong.
  Got getline(std::string& out, char sep = '\n', std::size_t limit = 0);
  // Reads up to n bytes (from the buffer first); 0 at end of input.
  std::size_t read(char* buf, std::size_t n);
  // One byte, or nullopt at end of input.
  std::optional<char> get();
  // Everything that is left.
  std::string read_all();
  // Bytes already buffered but not yet consumed (for handing the stream on).
  std::string_view buffered() const { return std::string_view(buf_).substr(pos_); }

 private:
  bool fill();
  std::unique_ptr<Source> source_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false;
};

class Writer {
 public:
  explicit Writer(int fd, std::size_t bufsize = 8192);  // borrows fd
  explicit Writer(std::string& sink);                    // appends to memory
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() = default;  // unflushed data is dropped: callers flush()

  void write(std::string_view data);
  void put(char c) { write(std::string_view(&c, 1)); }
  Writer& operator<<(std::string_view data) { write(data); return *this; }
  // Writes out the buffer; throws TempError for the first error seen.
  void flush();
  bool failed() const { return err_ != 0; }
  std::size_t bytes_written() const { return total_; }

 private:
  void drain();
  int fd_ = -1;
  std::string* sink_ = nullptr;
  std::string buf_;
  std::size_t bufsize_ = 8192;
  std::size_t total_ = 0;
  int err_ = 0;
};

// flock(2) held for the lifetime of the object.
class FileLock {
 public:
  // Exclusive lock on fd; with nonblocking, returns nullopt if another holder has it.
  static std::optional<FileLock> exclusive(int fd, bool nonblocking);
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace mta::io
