#include "mta/core/cdb.h"

#include <cdb.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>

#include "mta/core/exitcodes.h"

namespace mta::cdb {

struct Reader::Impl {
  struct cdb db;
  bool initialised = false;  // cdb_init succeeded: cdb_free is due
};

std::optional<Reader> Reader::open(const fs::path& path) {
  io::Fd fd = io::open_if_exists(path, O_RDONLY);
  if (!fd) return std::nullopt;
  Reader r;
  if (cdb_init(&r.impl_->db, fd.get()) != 0) throw TempError(cat("unable to read ", path.string()));
  r.impl_->initialised = true;
  r.fd_ = std::move(fd);
  return r;
}

Reader::Reader() : impl_(std::make_unique<Impl>()) {}
Reader::Reader(Reader&& o) noexcept = default;

Reader::~Reader() {
  if (impl_ && impl_->initialised) cdb_free(&impl_->db);
}

std::optional<std::string> Reader::find(std::string_view key) {
  int r = cdb_find(&impl_->db, key.data(), static_cast<unsigned>(key.size()));
  if (r < 0) throw TempError("unable to read cdb");
  if (r == 0) return std::nullopt;
  unsigned len = cdb_datalen(&impl_->db);
  std::string data(len, '\0');
  if (cdb_read(&impl_->db, data.data(), len, cdb_datapos(&impl_->db)) != 0)
    throw TempError("unable to read cdb");
  return data;
}

struct Writer::Impl {
  struct cdb_make maker;
  bool finished = false;  // cdb_make_finish ran (it frees the record lists)
};

Writer::Writer(fs::path path, mode_t mode) : path_(std::move(path)) {
  tmp_ = path_;
  tmp_ += ".tmp";
  fd_ = io::open_or_throw(tmp_, O_RDWR | O_CREAT | O_TRUNC, mode);
  impl_ = std::make_unique<Impl>();
  if (cdb_make_start(&impl_->maker, fd_.get()) != 0) {
    impl_->finished = true;  // nothing allocated yet
    int err = errno;
    ::unlink(tmp_.c_str());
    throw_errno(cat("unable to write ", tmp_.string()), err);
  }
}

Writer::~Writer() {
  // tinycdb frees its record lists only in cdb_make_finish: run it on an
  // abandoned rebuild too (it writes into the .tmp we are about to remove).
  if (impl_ && !impl_->finished) (void)cdb_make_finish(&impl_->maker);
  if (!committed_) ::unlink(tmp_.c_str());
}

void Writer::add(std::string_view key, std::string_view data) {
  if (cdb_make_add(&impl_->maker, key.data(), static_cast<unsigned>(key.size()), data.data(),
                   static_cast<unsigned>(data.size())) != 0)
    throw_errno(cat("unable to write ", tmp_.string()));
}

void Writer::commit() {
  impl_->finished = true;
  if (cdb_make_finish(&impl_->maker) != 0) throw_errno(cat("unable to write ", tmp_.string()));
  io::fsync_or_throw(fd_.get(), tmp_.string());
  fd_.close();
  if (::rename(tmp_.c_str(), path_.c_str()) == -1) throw_errno(cat("unable to move ", tmp_.string()));
  committed_ = true;
  io::fsync_dir(path_.has_parent_path() ? path_.parent_path() : fs::path("."));
}

}  // namespace mta::cdb
