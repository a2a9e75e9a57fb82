// mta/core/cdb.h — constant databases (users/cdb, morercpthosts.cdb) via tinycdb.
//
// Readers open the file per lookup, as qmail does, so a rebuilt database is
// seen at once. Writers build NAME.tmp, fsync, close and rename over NAME:
// a reader never sees a half-written database. With duplicate keys the first
// record wins (cdb semantics).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mta/core/io.h"

namespace mta::cdb {

namespace fs = std::filesystem;

class Reader {
 public:
  // nullopt if the file does not exist; TempError if it cannot be read.
  static std::optional<Reader> open(const fs::path& path);
  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) = delete;
  ~Reader();
  // The data of the first record with this key.
  std::optional<std::string> find(std::string_view key);

 private:
  Reader();
  io::Fd fd_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Writer {
 public:
  explicit Writer(fs::path path, mode_t mode = 0644);  // creates path.tmp
  ~Writer();                                          // removes path.tmp unless committed
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  void add(std::string_view key, std::string_view data);
  // Finishes, fsyncs and renames into place. Throws TempError.
  void commit();

 private:
  fs::path path_, tmp_;
  io::Fd fd_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool committed_ = false;
};

}  // namespace mta::cdb
