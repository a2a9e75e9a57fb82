// List flags: DIR/flags, then DIR/config's F: line, then marker files;
// digits are always marker files (ezmlm.md 1.1).
#include <catch2/catch.hpp>

#include <fstream>

#include "ezmlm/lib/getconf.h"
#include "ezmlm/lib/listdir.h"
#include "tmpdir.h"

using namespace ezmlm;
namespace fs = std::filesystem;

namespace {
using lettershop_test::put;
}  // namespace

TEST_CASE("flag strings: lowercase on, uppercase off, others ignored", "[ezmlm][flags]") {
  auto f = flags_from_line("aT-9 z");
  CHECK(f[0] == true);
  CHECK(f['t' - 'a'] == false);
  CHECK(f['z' - 'a'] == true);
  CHECK_FALSE(f['b' - 'a'].has_value());
  CHECK(config_flags("X:1\nF:-aBc  \nF:zz\n") == "-aBc");
  CHECK_FALSE(config_flags("f:abc\nFx\n").has_value());
}

TEST_CASE("marker files decide when there is no flags or config file", "[ezmlm][flags]") {
  lettershop_test::TempDir tmp("ezmlm-flags");
  Env env = Env::defaults();
  env.etc = (tmp.path / "etc").string();
  ListDir d(tmp.path, env);
  CHECK_FALSE(d.flag('t'));
  CHECK_FALSE(d.flag('d'));
  CHECK_FALSE(d.flag('k'));
  CHECK(d.flag('q'));  // always on
  CHECK_FALSE(d.flag('e'));
  CHECK_FALSE(d.flag('9'));
  CHECK_FALSE(d.flag('!'));
  put(tmp.path / "addtrailer", "");
  fs::create_directory(tmp.path / "digest");
  put(tmp.path / "deny", "");
  put(tmp.path / "remote", "");
  CHECK(d.flag('t'));
  CHECK(d.flag('d'));
  CHECK(d.flag('k'));
  CHECK(d.flag('r'));
  CHECK(d.flag('9'));  // numeric 9 = remote file
  CHECK_FALSE(d.flag('7'));
  CHECK(ListDir::flag_file('a') == "archived");
  CHECK(ListDir::flag_file('e').empty());
}

TEST_CASE("config F: overrides markers, flags overrides config", "[ezmlm][flags]") {
  lettershop_test::TempDir tmp("ezmlm-flags");
  Env env = Env::defaults();
  ListDir d(tmp.path, env);
  put(tmp.path / "addtrailer", "");
  put(tmp.path / "remote", "");
  put(tmp.path / "config", "L:list\nF:-aT\n");
  CHECK_FALSE(d.flag('t'));  // config says T although addtrailer exists
  CHECK(d.flag('a'));        // config says a although archived is absent
  CHECK(d.flag('r'));        // not mentioned: the marker decides
  put(tmp.path / "flags", "tR\n");
  CHECK(d.flag('t'));
  CHECK_FALSE(d.flag('r'));
  CHECK_FALSE(d.flag('a'));  // flags has no 'a', no marker: off (config is not read)
  CHECK(d.flag('9'));        // digits ignore flags/config
  put(tmp.path / "flags", "Q\n");
  CHECK_FALSE(d.flag('q'));
}
