// Spec notes: reference 2a (the seed programs) and 2c (what to do instead).
// Deviations from the seed, see virtmailfilter(8) COMPATIBILITY: the suffix
// walk stops before a bare top-level label; a home outside the domain
// directory, a uid 0 account or (not root) a foreign uid defers; the
// Maildir is created when missing; a Maildir++ quota applies.
#include "filters/virtual.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "filters/quota.h"
#include "mta/core/address.h"
#include "mta/core/cli.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace filters::virt {

namespace io = mta::io;
using mta::cat;
using mta::PermError;
using mta::TempError;

namespace {

// The reason a HOST or EXT value may not be used, or "" when it may.
std::string_view unsafe(std::string_view v) {
  if (v.empty()) return "empty";
  for (unsigned char c : v) {
    if (c == 0) return "NUL byte";
    if (c < ' ' || c == ' ' || c == 0x7f) return "control character or space";
    if (c == '/') return "'/'";
  }
  if (v.find("..") != std::string_view::npos) return "'..'";
  if (v.front() == '.') return "leading '.'";
  return "";
}

std::string uid_text(uid_t u) { return std::to_string(static_cast<unsigned long>(u)); }

}  // namespace

std::string checked_host(std::string_view host) {
  std::string_view why = unsafe(host);
  if (why.empty() && host.back() == '.') why = "trailing '.'";
  if (!why.empty()) throw PermError(cat("unusable HOST (", why, ")"), "5.1.2");
  return mta::address::ascii_lower(host);
}

std::string checked_ext(std::string_view ext) {
  if (ext.empty()) throw PermError("no such user: EXT is empty", "5.1.1");
  std::string_view why = unsafe(ext);
  if (why.empty() && ext.find(':') != std::string_view::npos) why = "':'";
  if (!why.empty()) throw PermError(cat("no such user: unusable EXT (", why, ")"), "5.1.1");
  return mta::address::ascii_lower(ext);
}

std::vector<std::string> suffixes(std::string_view host) {
  std::vector<std::string> out;
  for (;;) {
    std::size_t dot = host.find('.');
    if (dot == std::string_view::npos || dot + 1 >= host.size()) break;  // a bare label: stop
    out.emplace_back(host);
    host.remove_prefix(dot + 1);
  }
  return out;
}

std::optional<Domain> find_domain(const fs::path& prefix, std::string_view host) {
  for (const std::string& name : suffixes(host)) {
    const fs::path dir = prefix / name;
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return Domain{name, dir};
      continue;
    }
    if (errno != ENOENT && errno != ENOTDIR) mta::throw_errno(cat("unable to stat ", dir.native()));
  }
  return std::nullopt;
}

bool inside(const fs::path& dir, const fs::path& path) {
  std::error_code ec;
  const fs::path d = fs::canonical(dir, ec);
  if (ec) throw TempError(cat("unable to resolve ", dir.native(), ": ", ec.message()));
  const fs::path p = fs::canonical(path, ec);
  if (ec) throw TempError(cat("unable to resolve ", path.native(), ": ", ec.message()), "4.2.1");
  auto di = d.begin(), pi = p.begin();
  for (; di != d.end(); ++di, ++pi)
    if (pi == p.end() || *di != *pi) return false;
  return true;
}

void check_loop(int fd, const std::vector<std::string>& lines) {
  if (::lseek(fd, 0, SEEK_SET) == -1) mta::throw_errno("unable to rewind message");
  {
    io::Reader in(fd);
    std::string line;
    for (;;) {
      auto got = in.getline(line);
      if (got == io::Reader::Got::nothing) break;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) break;
      for (std::string_view want : lines) {
        if (!want.empty() && want.back() == '\n') want.remove_suffix(1);
        if (!want.empty() && mta::address::iequals(line, want))
          throw PermError("This message is looping: it already has my Delivered-To line.", "5.4.6");
      }
      if (got == io::Reader::Got::partial) break;
    }
  }
  if (::lseek(fd, 0, SEEK_SET) == -1) mta::throw_errno("unable to rewind message");
}

void become(uid_t uid, gid_t gid) {
  if (::geteuid() == 0) {
    if (uid == 0) throw TempError("refusing to deliver as root", "4.3.5");
    if (::setgroups(1, &gid) == -1 || ::setgid(gid) == -1 || ::setuid(uid) == -1)
      mta::throw_errno(cat("unable to switch to uid ", uid_text(uid)));
    if (::getuid() != uid || ::geteuid() != uid || ::getgid() != gid || ::getegid() != gid)
      throw TempError(cat("unable to switch to uid ", uid_text(uid), ": ids did not change"), "4.3.0");
    if (::setuid(0) == 0) throw TempError("still able to become root after dropping privileges", "4.3.0");
    return;
  }
  // Not root: we cannot change users, and must not deliver as the wrong one.
  if (uid != ::getuid() || uid != ::geteuid())
    throw TempError(cat("the account's uid ", uid_text(uid), " is not ours (", uid_text(::getuid()),
                        "); refusing to deliver"),
                    "4.3.5");
}

FilterArgs parse_filter_args(int argc, char** argv) {
  mta::cli::po::options_description opts;
  opts.add_options()("prefix,p", mta::cli::po::value<std::string>(), "where the domain directories are");
  auto p = mta::cli::parse(argc, argv, opts);
  if (!p.positional.empty()) throw mta::UsageError(cat("unexpected argument: ", p.positional.front()));
  FilterArgs out;
  if (p.vars.count("prefix")) {
    out.prefix = p.vars["prefix"].as<std::string>();
    if (out.prefix->empty()) throw mta::UsageError("empty --prefix");
  }
  return out;
}

void run_filter(const FilterArgs& args, const mta::dotqmail::Env& env, const mta::Home& home) {
  // Sanity checks: as a setuid program our caller is anyone.
  const bool setid = mta::running_setid();
  if (setid && args.prefix) throw TempError("--prefix is not allowed when running setuid", "4.3.5");
  const std::string host = checked_host(env.need("HOST"));
  const std::string ext = checked_ext(env.need("EXT"));
  const std::string address = cat(ext, "@", host);

  // Find the domain and the account.
  const fs::path prefix = args.prefix ? fs::path(*args.prefix) : fs::path(default_prefix);
  auto domain = find_domain(prefix, host);
  if (!domain) throw PermError(cat("no such virtual domain: ", host), "5.1.2");
  if (setid && ::getuid() != 0) {
    struct stat st {};
    if (::stat(domain->dir.c_str(), &st) == -1) mta::throw_errno(cat("unable to stat ", domain->dir.native()));
    if (st.st_uid != ::getuid())
      throw PermError(cat("uid ", uid_text(::getuid()), " does not own ", domain->dir.native()), "5.7.1");
  }
  auto user = vuser::find_in_text(domain->dir / "etc" / "passwd", ext);
  if (!user) throw PermError(cat("no such user: ", address), "5.1.1");

  // The account must not reach outside its domain.
  if (user->uid == 0) throw TempError(cat("refusing to deliver as root for ", address), "4.3.5");
  const fs::path homedir(user->home);
  if (!homedir.is_absolute())
    throw TempError(cat("home directory of ", address, " is not absolute: ", user->home), "4.3.5");
  if (!inside(domain->dir, homedir))
    throw TempError(cat("home directory of ", address, " lies outside ", domain->dir.native()), "4.3.5");
  const fs::path resolved = fs::canonical(homedir);
  if (setid) {
    struct stat st {};
    if (::stat(resolved.c_str(), &st) == -1) mta::throw_errno(cat("unable to stat ", resolved.native()));
    if (st.st_uid != user->uid)
      throw TempError(cat("home directory of ", address, " is not owned by its uid"), "4.3.5");
  }
  become(user->uid, user->gid);

  // Hand over with only what the deliverer needs.
  std::vector<std::string> envv{"PATH=/usr/bin:/bin", cat("HOST=", host), cat("EXT=", ext)};
  for (const char* name : {"RPLINE", "DTLINE", "SENDER", "NEWSENDER", "RECIPIENT"})
    if (const std::string* v = env.get(name)) envv.push_back(cat(name, "=", *v));
  const std::string program = (home.bin() / "virtmaildelivery").native();
  std::vector<std::string> argv{program, user->name, resolved.native()};
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : envv) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  ::execve(cargv[0], cargv.data(), cenv.data());
  mta::throw_errno(cat("unable to run ", program));
}

int run_delivery(int argc, char** argv, const mta::dotqmail::Env& env, int message_fd, std::time_t now) {
  if (argc != 3 || !*argv[1] || !*argv[2]) throw mta::UsageError("");
  const std::string user = argv[1];
  const fs::path homedir = argv[2];
  // The standard lines; synthesised when a caller did not set them (2c #13).
  const std::string address = env.host ? cat(user, "@", *env.host) : user;
  const std::string rpline = env.rpline ? *env.rpline : env.sender ? mta::dotqmail::rpline(*env.sender) : "";
  const std::string dtline =
      env.dtline ? *env.dtline : env.host ? mta::dotqmail::dtline(user, *env.host) : std::string();
  std::vector<std::string> loop{dtline};
  if (env.host) loop.push_back(cat("Delivered-To: ", address));
  check_loop(message_fd, loop);

  const std::string name = quota::deliver(homedir / "Maildir", message_fd, cat(rpline, dtline), std::nullopt, address, now);
  std::cout << "virtmaildelivery: " << user << " new/" << name << "\n" << std::flush;
  return mta::exit_ok;
}

}  // namespace filters::virt
