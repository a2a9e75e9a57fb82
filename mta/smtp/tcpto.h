// mta/smtp/tcpto.h — qmail's table of hosts whose TCP connects time out,
// queue/lock/tcpto (reference mta.md 9.6), byte for byte compatible.
//
// 64 records of 16 bytes: bytes 0-3 an IPv4 address, byte 4 the number of
// consecutive connect timeouts (0: free slot; at most 10), bytes 8-11 the
// time of the last one (little-endian). qmail-remote skips an address that
// timed out at least twice within the last (60 + (pid & 31)) * 64 seconds.
// IPv6 addresses have no room in this format and are never recorded.
//
// Table is the pure logic (unit-tested); File reads and writes it under an
// exclusive flock. Callers: qmail-remote, qmail-tcpto, qmail-tcpok.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "mta/core/dns.h"

namespace mta::tcpto {

inline constexpr std::size_t records = 64;
inline constexpr std::size_t record_size = 16;
inline constexpr std::size_t table_size = records * record_size;  // 1024
inline constexpr unsigned max_count = 10;

using Bytes = std::array<std::uint8_t, table_size>;

struct Entry {
  dns::IpAddress address;
  unsigned count = 0;
  std::uint32_t when = 0;
};

class Table {
 public:
  Table() { bytes_.fill(0); }
  explicit Table(const Bytes& bytes) : bytes_(bytes) {}
  const Bytes& bytes() const { return bytes_; }

  // True if connecting to `ip` should be skipped now.
  bool down(const dns::IpAddress& ip, std::uint32_t now, unsigned pid) const;
  // A connect attempt to `ip` timed out at `now`.
  void timed_out(const dns::IpAddress& ip, std::uint32_t now);
  // A connect attempt to `ip` succeeded or failed without a timeout.
  void reachable(const dns::IpAddress& ip);
  // The used slots, in table order.
  std::vector<Entry> entries() const;

 private:
  int find(const dns::IpAddress& ip) const;
  Bytes bytes_;
};

// "1.2.3.4 timed out 42 seconds ago; # recent timeouts: 2\n" for each entry.
std::string format(const Table& table, std::uint32_t now);

// The file queue/lock/tcpto. A missing or short file reads as zeros.
Table read(const std::filesystem::path& path);
// Runs update(table) on the file's contents under an exclusive lock and
// writes the result back. Throws TempError when the file cannot be used.
void update(const std::filesystem::path& path, const std::function<void(Table&)>& fn);
// Overwrites the file with 1024 zero bytes under the lock (qmail-tcpok).
void clear(const std::filesystem::path& path);

}  // namespace mta::tcpto
