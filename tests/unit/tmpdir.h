// tests/unit/tmpdir.h — a fresh temporary directory for one test, removed
// afterwards (also when the test took the owner's permissions away).
#pragma once

#include <cstdlib>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace lettershop_test {

struct TempDir {
  std::filesystem::path path;
  // Creates $TMPDIR/lettershop-<tag>-XXXXXX.
  explicit TempDir(std::string_view tag) {
    std::string name = "lettershop-";
    name.append(tag).append("-XXXXXX");
    std::string tmpl = (std::filesystem::temp_directory_path() / name).string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Writes text to p (bytes as given), making p's directories first.
inline void put(const std::filesystem::path& p, std::string_view text) {
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f << text;
  REQUIRE(f.good());
}

}  // namespace lettershop_test
