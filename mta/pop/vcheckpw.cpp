// mta/pop/vcheckpw.cpp — see vcheckpw.h.
#include "mta/pop/vcheckpw.h"

#include <crypt.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "filters/virtual.h"
#include "filters/vuser.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"
#include "mta/pop/pop3_command.h"

namespace mta::pop {

namespace vuser = filters::vuser;
namespace virt = filters::virt;

std::optional<AuthData> parse_auth_data(std::string_view data) {
  auto field = [&data]() -> std::optional<std::string> {
    const std::size_t nul = data.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;
    std::string f(data.substr(0, nul));
    data.remove_prefix(nul + 1);
    return f;
  };
  AuthData a;
  auto login = field();
  auto password = field();
  if (!login || !password || login->empty()) return std::nullopt;
  a.login = std::move(*login);
  a.password = std::move(*password);
  if (auto ts = field()) a.timestamp = std::move(*ts);
  return a;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = static_cast<unsigned char>(diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  return diff == 0;
}

namespace {

// A sha512-crypt setting nobody's hash uses; unknown users and locked
// accounts are checked against it so that they take as long as known ones.
constexpr const char* dummy_hash = "$6$lettershopdummy$";

std::string run_crypt(std::string_view password, const char* setting) {
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  std::string pw(password);
  const char* out = ::crypt_r(pw.c_str(), setting, data.get());
  std::string r = out ? out : "*";
  ::explicit_bzero(pw.data(), pw.size());
  ::explicit_bzero(data.get(), sizeof(crypt_data));
  return r;
}

bool usable_hash(const std::string& hash) { return !hash.empty() && hash[0] != '*' && hash[0] != '!'; }

}  // namespace

bool password_matches(std::string_view password, const std::string& hash) {
  if (!usable_hash(hash)) {
    run_crypt(password, dummy_hash);
    return false;
  }
  const std::string got = run_crypt(password, hash.c_str());
  if (got.empty() || got[0] == '*') return false;  // crypt refused the setting
  return equal_constant_time(got, hash);
}

std::optional<Account> check_login(const fs::path& prefix, std::string_view login, std::string_view password) {
  const std::size_t at = login.rfind('@');
  std::string user, domain;
  try {
    if (at == std::string_view::npos) throw PermError("no domain");
    user = virt::checked_ext(login.substr(0, at));
    domain = virt::checked_host(login.substr(at + 1));
  } catch (const PermError&) {
    password_matches(password, "*");
    return std::nullopt;
  }
  const fs::path dir = prefix / domain;
  std::error_code ec;
  std::optional<vuser::VUser> found;
  if (fs::is_directory(dir, ec)) {
    const fs::path seed = dir / "etc" / "passwd";
    if (fs::exists(seed, ec)) found = vuser::find_in_text(seed, user);
    else found = vuser::lookup(dir, user);
  }
  if (!found) {
    password_matches(password, "*");
    return std::nullopt;
  }
  if (!password_matches(password, found->password)) return std::nullopt;
  if (found->uid == 0) throw TempError(cat("refusing uid 0 for ", user, "@", domain), "4.3.5");
  fs::path home(found->home);
  if (home.empty()) throw TempError(cat("no home directory for ", user, "@", domain), "4.3.5");
  if (home.is_relative()) home = dir / home;
  if (!virt::inside(dir, home))
    throw TempError(cat("home directory of ", user, "@", domain, " lies outside ", dir.native()), "4.3.5");
  Account a;
  a.address = cat(user, "@", domain);
  a.uid = found->uid;
  a.gid = found->gid;
  a.home = fs::canonical(home);
  a.shell = found->shell;
  return a;
}

int vcheckpassword_main(int argc, char** argv) {
  fs::path prefix = virt::default_prefix;
  unsigned long delay = 2;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if ((a == "-p" || a == "--prefix") && i + 1 < argc) {
      prefix = argv[++i];
    } else if ((a == "-d" || a == "--delay") && i + 1 < argc) {
      auto n = parse_number(argv[++i]);
      if (!n) throw ExitError(2, cat("bad delay: ", argv[i]));
      delay = *n;
    } else if (!a.empty() && a[0] == '-') {
      throw ExitError(2, cat("unknown option: ", a));
    } else {
      break;
    }
  }
  if (i >= argc) throw ExitError(2, "usage: vcheckpassword [-p prefix] [-d seconds] program [arg...]");

  // fd 3: at most 512 bytes, as the interface says.
  std::string data;
  {
    io::Fd fd3(3);
    char buf[512];
    while (data.size() < sizeof buf) {
      ssize_t n = ::read(fd3.get(), buf, sizeof buf - data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw ExitError(2, "unable to read fd 3");
      if (n == 0) break;
      data.append(buf, static_cast<std::size_t>(n));
    }
    ::explicit_bzero(buf, sizeof buf);
  }
  auto auth = parse_auth_data(data);
  ::explicit_bzero(data.data(), data.size());
  if (!auth) throw ExitError(2, "bad data on fd 3");

  std::optional<Account> account = check_login(prefix, auth->login, auth->password);
  ::explicit_bzero(auth->password.data(), auth->password.size());
  if (!account) {
    ::sleep(static_cast<unsigned>(delay));
    return 1;
  }
  virt::become(account->uid, account->gid);
  if (::chdir(account->home.c_str()) == -1) throw_errno(cat("unable to chdir to ", account->home.native()));
  const std::string shell = !account->shell.empty() && account->shell[0] == '/' ? account->shell : "/bin/sh";
  if (::setenv("USER", account->address.c_str(), 1) == -1 || ::setenv("HOME", account->home.c_str(), 1) == -1 ||
      ::setenv("SHELL", shell.c_str(), 1) == -1)
    throw TempError("out of memory");
  std::vector<std::string> prog(argv + i, argv + argc);
  process::exec(prog, true);
  throw_errno(cat("unable to run ", prog[0]));
}

}  // namespace mta::pop
