// mta/core/queue_layout.h — names of the files of QH/queue.
//
// The queue is byte-compatible with qmail's (reference mta.md section 2):
// a message's number is the inode of its mess file; mess, info, local and
// remote are split into <id % split>/ subdirectories, todo, intd, bounce and
// pid are not. qmail-queue, qmail-send, qmail-clean and the admin tools all
// name files through this one struct.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace mta {

namespace fs = std::filesystem;

inline constexpr unsigned queue_split_default = 23;  // qmail's conf-split

struct QueueLayout {
  fs::path root;  // QH/queue
  unsigned split = queue_split_default;

  static std::string name(std::uint64_t id) { return std::to_string(id); }
  fs::path split_path(const char* dir, std::uint64_t id) const {
    return root / dir / std::to_string(id % split) / name(id);
  }
  fs::path mess(std::uint64_t id) const { return split_path("mess", id); }
  fs::path info(std::uint64_t id) const { return split_path("info", id); }
  fs::path local(std::uint64_t id) const { return split_path("local", id); }
  fs::path remote(std::uint64_t id) const { return split_path("remote", id); }
  fs::path intd(std::uint64_t id) const { return root / "intd" / name(id); }
  fs::path todo(std::uint64_t id) const { return root / "todo" / name(id); }
  fs::path bounce(std::uint64_t id) const { return root / "bounce" / name(id); }
  fs::path pid_dir() const { return root / "pid"; }
  fs::path trigger() const { return root / "lock" / "trigger"; }
  fs::path sendmutex() const { return root / "lock" / "sendmutex"; }
  fs::path tcpto() const { return root / "lock" / "tcpto"; }
};

// Parses a queue file name as a message number; false for anything else.
bool parse_queue_id(std::string_view name, std::uint64_t& id);

}  // namespace mta
