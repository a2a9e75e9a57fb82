// Fuzz target: users/assign compilation (qmail-newu) and the users/cdb
// lookup over its records. Whatever compiles must be findable: every simple
// address finds a record, and no lookup throws on records we wrote.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/local/users.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  mta::users::Records records;
  try {
    records = mta::users::compile_assign(bytes);
  } catch (const mta::users::AssignFormatError&) {
    return 0;
  }
  if (records.empty() || !records.back().first.empty()) std::abort();  // wildchars last
  auto find = [&](std::string_view key) -> std::optional<std::string> {
    for (const auto& [k, v] : records)
      if (k == key) return v;
    return std::nullopt;
  };
  for (const auto& [key, value] : records) {
    if (key.size() < 2 || key.back() != '\0') continue;
    std::string local = key.substr(1, key.size() - 2);
    if (local.find('\0') != local.npos) continue;
    auto a = mta::users::lookup_cdb(local, find);  // values always hold six fields
    if (!a) std::abort();
  }
  return 0;
}
