// mta/smtp/tcpto.cpp — see tcpto.h; the rules are qmail's tcpto.c.
#include "mta/smtp/tcpto.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace mta::tcpto {

namespace {

std::uint32_t get32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

int Table::find(const dns::IpAddress& ip) const {
  if (ip.family != AF_INET) return -1;
  for (std::size_t i = 0; i < records; ++i) {
    const auto* rec = &bytes_[i * record_size];
    if (rec[4] && std::memcmp(rec, ip.bytes.data(), 4) == 0) return static_cast<int>(i);
  }
  return -1;
}

bool Table::down(const dns::IpAddress& ip, std::uint32_t now, unsigned pid) const {
  int i = find(ip);
  if (i < 0) return false;
  const auto* rec = &bytes_[i * record_size];
  if (rec[4] < 2) return false;
  std::uint32_t when = get32(rec + 8);
  return now >= when && now - when < (60 + (pid & 31)) * 64;
}

void Table::timed_out(const dns::IpAddress& ip, std::uint32_t now) {
  if (ip.family != AF_INET) return;
  int i = find(ip);
  if (i >= 0) {
    auto* rec = &bytes_[i * record_size];
    std::uint32_t when = get32(rec + 8);
    if (rec[4] > 0 && now >= when && now - when < 120) return;  // the same outage
    if (rec[4] < max_count) ++rec[4];
    put32(rec + 8, now);
    return;
  }
  // A new address: the first free slot, else the one that matters least.
  int victim = -1;
  std::uint64_t best = ~0ULL;
  for (std::size_t j = 0; j < records; ++j) {
    const auto* rec = &bytes_[j * record_size];
    if (!rec[4]) { victim = static_cast<int>(j); break; }
    std::uint64_t score = get32(rec + 8) + std::uint64_t{rec[4]} * 1024;
    if (score < best) { best = score; victim = static_cast<int>(j); }
  }
  auto* rec = &bytes_[victim * record_size];
  std::memset(rec, 0, record_size);
  std::memcpy(rec, ip.bytes.data(), 4);
  rec[4] = 1;
  put32(rec + 8, now);
}

void Table::reachable(const dns::IpAddress& ip) {
  int i = find(ip);
  if (i >= 0) bytes_[i * record_size + 4] = 0;
}

std::vector<Entry> Table::entries() const {
  std::vector<Entry> out;
  for (std::size_t i = 0; i < records; ++i) {
    const auto* rec = &bytes_[i * record_size];
    if (!rec[4]) continue;
    Entry e;
    e.address.family = AF_INET;
    std::memcpy(e.address.bytes.data(), rec, 4);
    e.count = rec[4];
    e.when = get32(rec + 8);
    out.push_back(e);
  }
  return out;
}

std::string format(const Table& table, std::uint32_t now) {
  std::string out;
  for (const auto& e : table.entries()) {
    std::uint32_t ago = now >= e.when ? now - e.when : 0;
    out += cat(e.address.to_string(), " timed out ", std::to_string(ago), " seconds ago; # recent timeouts: ",
               std::to_string(e.count), "\n");
  }
  return out;
}

namespace {

Table read_fd(int fd, const std::filesystem::path& path) {
  Bytes bytes{};
  std::size_t got = 0;
  while (got < table_size) {
    ssize_t n = pread(fd, bytes.data() + got, table_size - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(cat("unable to read ", path.string()));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return Table(bytes);
}

void write_fd(int fd, const Table& table, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < table_size) {
    ssize_t n = pwrite(fd, table.bytes().data() + done, table_size - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(cat("unable to write ", path.string()));
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

Table read(const std::filesystem::path& path) {
  io::Fd fd = io::open_if_exists(path, O_RDONLY);
  if (!fd) return Table{};
  return read_fd(fd.get(), path);
}

void update(const std::filesystem::path& path, const std::function<void(Table&)>& fn) {
  io::Fd fd = io::open_or_throw(path, O_RDWR | O_CREAT, 0644);
  auto lock = io::FileLock::exclusive(fd.get(), false);
  Table table = read_fd(fd.get(), path);
  Bytes before = table.bytes();
  fn(table);
  if (table.bytes() != before) write_fd(fd.get(), table, path);
}

void clear(const std::filesystem::path& path) {
  io::Fd fd = io::open_or_throw(path, O_RDWR, 0644);
  auto lock = io::FileLock::exclusive(fd.get(), false);
  write_fd(fd.get(), Table{}, path);
}

}  // namespace mta::tcpto
