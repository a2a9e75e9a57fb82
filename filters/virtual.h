// filters/virtual.h — virtmailfilter and virtmaildelivery: mail for virtual
// domains kept under <prefix>/<domain> (reference 2a, 2c).
//
// control/virtualdomains sends a domain to a master user ("domain1.com:
// domain1"); qmail-local runs the master's .qmail-default, whose pipe line is
// "|virtmailfilter [--prefix DIR]". virtmailfilter
//   - takes EXT (the virtual user) and HOST from qmail-local's environment,
//     lower-cases both and refuses empty values, NUL and control bytes, '/'
//     and ".." (so neither can name a path outside the prefix);
//   - walks HOST, then its shorter suffixes that still have a dot, until
//     <prefix>/<suffix> is a directory (prefix: /virtual, or --prefix);
//   - looks EXT up in that directory's etc/passwd (none: 5.1.1 "no such user");
//   - checks the account: not uid 0, an absolute home that exists and lies
//     inside the domain directory once symlinks are resolved;
//   - becomes the account (as root: setgroups, setgid, setuid, each verified,
//     and a setuid(0) that must fail; as anyone else: the account's uid must
//     be ours, else 4.3.5 — a sandbox has one user);
//   - execs <qmail>/bin/virtmaildelivery USER HOMEDIR with a clean
//     environment: PATH, and RPLINE, DTLINE, SENDER, NEWSENDER, RECIPIENT,
//     HOST, EXT — the last two as validated.
// Run setuid (installed mode 4711 like the seed), it trusts nothing of its
// caller: --prefix is refused, $QMAILHOME is ignored (paths.h), the caller's
// real uid must be root or own the domain directory, and the account's uid
// must own its home.
//
// virtmaildelivery USER HOMEDIR delivers into HOMEDIR/Maildir/ (created if
// missing) through quota::deliver — RPLINE + DTLINE + the message unchanged,
// O_EXCL unique name, fsync of file and new/, Maildir++ quota — after a loop
// check: a Delivered-To header equal to DTLINE or to "USER@HOST" is 5.4.6.
// It prints "virtmaildelivery: USER new/NAME" on success.
//
// Exit codes (qmail-command(8)): 0 delivered, 100 bounce, 111 retry;
// virtmailfilter's are virtmaildelivery's once it has exec'ed it.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/vuser.h"
#include "mta/core/dotqmail.h"
#include "mta/core/paths.h"

namespace filters::virt {

namespace fs = std::filesystem;

inline constexpr std::string_view default_prefix = "/virtual";

// HOST lower-cased; PermError (5.1.2) for an empty or unsafe value.
std::string checked_host(std::string_view host);
// EXT lower-cased; PermError (5.1.1) for an empty or unsafe value.
std::string checked_ext(std::string_view ext);

// host, then each shorter suffix that still contains a dot:
// "a.b.example.com" -> a.b.example.com, b.example.com, example.com.
std::vector<std::string> suffixes(std::string_view host);

struct Domain {
  std::string name;  // the suffix that matched
  fs::path dir;      // prefix / name
};
// The first suffix of host that is a directory under prefix. nullopt when
// none is; TempError when one cannot be examined.
std::optional<Domain> find_domain(const fs::path& prefix, std::string_view host);

// True when path, symlinks resolved, is dir or lies below it (both must
// exist; TempError otherwise).
bool inside(const fs::path& dir, const fs::path& path);

// PermError 5.4.6 when a header line of the message on fd (read from the
// start, up to the blank line) equals one of lines (without '\n', ASCII
// case ignored). Rewinds fd afterwards.
void check_loop(int fd, const std::vector<std::string>& lines);

// Becomes uid/gid for good (see above). Throws TempError.
void become(uid_t uid, gid_t gid);

struct FilterArgs {
  std::optional<std::string> prefix;
};
FilterArgs parse_filter_args(int argc, char** argv);

// virtmailfilter: never returns normally (execs), throws MailError.
[[noreturn]] void run_filter(const FilterArgs& args, const mta::dotqmail::Env& env, const mta::Home& home);

// virtmaildelivery USER HOMEDIR; returns the exit code.
int run_delivery(int argc, char** argv, const mta::dotqmail::Env& env, int message_fd, std::time_t now);

}  // namespace filters::virt
