// Unit tests: mta/smtp/tcprules — tcpserver's rules databases, as qmail-smtpd's
// server mode reads them. The data layouts are the ones tcprules(1) writes
// (checked against Debian's ucspi-tcp: "127.:allow,RELAYCLIENT=\"\"" is
// stored under "127." as "+RELAYCLIENT=\0", a deny rule as "D\0").
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "mta/smtp/tcprules.h"

using namespace std::string_literals;
namespace tcprules = mta::tcprules;

TEST_CASE("tcprules: a rule's data sets variables or denies") {
  auto v = tcprules::parse("+RELAYCLIENT=\0+DATABYTES=5\0"s);
  CHECK_FALSE(v.deny);
  REQUIRE(v.env.size() == 2);
  CHECK(v.env[0] == std::pair<std::string, std::string>{"RELAYCLIENT", ""});
  CHECK(v.env[1] == std::pair<std::string, std::string>{"DATABYTES", "5"});

  CHECK(tcprules::parse("D\0"s).deny);
  CHECK(tcprules::parse("").env.empty());
  CHECK_FALSE(tcprules::parse("").deny);
  // A value may hold '=' and anything but NUL.
  v = tcprules::parse("+X=a=b c\0"s);
  REQUIRE(v.env.size() == 1);
  CHECK(v.env[0].second == "a=b c");
}

TEST_CASE("tcprules: malformed items are skipped, never misread") {
  // No '=', an empty name, unknown kinds, a last item without its NUL.
  auto v = tcprules::parse("+NOEQUALS\0+=x\0Zjunk\0Dx\0\0+OK=1"s);
  CHECK_FALSE(v.deny);  // "Dx" is not "D"
  REQUIRE(v.env.size() == 1);
  CHECK(v.env[0] == std::pair<std::string, std::string>{"OK", "1"});
  CHECK(tcprules::parse("\0\0\0"s).env.empty());
}

TEST_CASE("tcprules: keys are tried from the address down to the empty default") {
  CHECK(tcprules::keys_for("127.0.0.1") ==
        std::vector<std::string>{"127.0.0.1", "127.0.0.", "127.0.", "127.", ""});
  CHECK(tcprules::keys_for("2001:db8::5") ==
        std::vector<std::string>{"2001:db8::5", "2001:db8::", "2001:db8:", "2001:", ""});
  CHECK(tcprules::keys_for("") == std::vector<std::string>{"", ""});
}

TEST_CASE("tcprules: the first matching rule wins, no rule allows") {
  const std::map<std::string, std::string> db{
      {"127.0.0.2", "D\0"s},
      {"127.", "+RELAYCLIENT=\0"s},
      {"::1", "+RELAYCLIENT=\0+WHO=six\0"s},
      {"", "+DEFAULT=yes\0"s},
  };
  auto find = [&db](std::string_view key) -> std::optional<std::string> {
    auto it = db.find(std::string(key));
    if (it == db.end()) return std::nullopt;
    return it->second;
  };
  CHECK(tcprules::lookup(find, "127.0.0.2").deny);
  auto v = tcprules::lookup(find, "127.0.0.1");
  CHECK_FALSE(v.deny);
  REQUIRE(v.env.size() == 1);
  CHECK(v.env[0].first == "RELAYCLIENT");
  v = tcprules::lookup(find, "::1");
  REQUIRE(v.env.size() == 2);
  CHECK(v.env[1].second == "six");
  v = tcprules::lookup(find, "10.1.2.3");
  REQUIRE(v.env.size() == 1);
  CHECK(v.env[0].first == "DEFAULT");

  auto nothing = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  v = tcprules::lookup(nothing, "10.1.2.3");
  CHECK_FALSE(v.deny);
  CHECK(v.env.empty());
}
