// mta/admin/setup.cpp — qmail-setup's work: the instance tree.
//
// Spec notes:
//  * Queue layout, owners and modes: reference mta.md section 2.1 (qmail's
//    hier.c). Modes are applied with chmod after mkdir so the caller's umask
//    does not change them.
//  * control/ follows qmail's config-fast: me, defaultdomain (me minus its
//    first label), plusdomain (the last two labels), locals and rcpthosts
//    containing me. We also put "localhost" in locals so that mail to
//    user@localhost stays local, as most installations configure by hand.
//  * Program modes: reference 0.5 (only qmail-queue is setuid).
#include "mta/admin/setup.h"

#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"
#include "mta/core/queue_layout.h"

namespace mta::admin {

namespace {

// Who owns a path. In a sandbox nothing is chowned (everything belongs to
// the caller already): uid and gid stay -1, which chown(2) ignores anyway.
struct Owner {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  bool any() const { return uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1); }
};

// The accounts of reference 0.5, looked up after they have been created.
struct Accounts {
  Owner root_qmail, alias_qmail, alias_nofiles, qmailq, qmails, qmailr;
};

void apply(const fs::path& path, mode_t mode, Owner owner) {
  // chown first: chown(2) clears the setuid bit that chmod is about to set.
  if (owner.any() && ::lchown(path.c_str(), owner.uid, owner.gid) == -1)
    throw_errno(cat("unable to chown ", path.string()));
  if (::chmod(path.c_str(), mode) == -1) throw_errno(cat("unable to chmod ", path.string()));
}

// make_dir - create a directory if missing, then set its mode and owner
void make_dir(const fs::path& path, mode_t mode, Owner owner) {
  if (::mkdir(path.c_str(), 0700) == -1) {
    if (errno != EEXIST) throw_errno(cat("unable to create ", path.string()));
    struct stat st;
    if (::stat(path.c_str(), &st) == -1) throw_errno(cat("unable to stat ", path.string()));
    if (!S_ISDIR(st.st_mode)) throw TempError(cat(path.string(), " exists and is not a directory"));
  }
  apply(path, mode, owner);
}

// make_file - create a file with contents unless it exists; true if created.
// An existing file keeps its contents, but gets the mode and owner of the
// layout (they are part of the layout; the contents are the administrator's).
bool make_file(const fs::path& path, std::string_view contents, mode_t mode, Owner owner,
               bool fix_existing = true) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd == -1) {
    if (errno != EEXIST) throw_errno(cat("unable to create ", path.string()));
    if (fix_existing) apply(path, mode, owner);
    return false;
  }
  io::Fd file(fd);
  io::write_all(file.get(), contents);
  io::fsync_or_throw(file.get(), cat("unable to write ", path.string()));
  file.close();
  apply(path, mode, owner);
  return true;
}

bool make_fifo(const fs::path& path, mode_t mode, Owner owner) {
  bool created = true;
  if (::mkfifo(path.c_str(), 0600) == -1) {
    if (errno != EEXIST) throw_errno(cat("unable to create fifo ", path.string()));
    struct stat st;
    if (::lstat(path.c_str(), &st) == -1) throw_errno(cat("unable to stat ", path.string()));
    if (!S_ISFIFO(st.st_mode)) throw TempError(cat(path.string(), " exists and is not a fifo"));
    created = false;
  }
  apply(path, mode, owner);
  return created;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out.empty() ? "none" : out;
}

// --- accounts (root mode) ----------------------------------------------------

// run_tool - run groupadd/useradd with an argv vector, never a shell
void run_tool(std::vector<std::string> argv) {
  process::SpawnOptions opts;
  fs::path sbin = fs::path("/usr/sbin") / argv[0];
  if (::access(sbin.c_str(), X_OK) == 0)
    argv[0] = sbin.string();
  else
    opts.use_path = true;
  std::string shown = join(argv);
  int status = process::wait_for(process::spawn(argv, opts));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw TempError(cat("unable to create account: ", shown, " failed"));
}

gid_t group_id(const std::string& name) {
  struct group* gr = ::getgrnam(name.c_str());
  if (!gr) throw TempError(cat("group ", name, " does not exist"));
  return gr->gr_gid;
}

uid_t user_id(const std::string& name) {
  struct passwd* pw = ::getpwnam(name.c_str());
  if (!pw) throw TempError(cat("user ", name, " does not exist"));
  return pw->pw_uid;
}

// ensure_accounts - create qmail's groups and users when missing (INSTALL.ids)
std::vector<std::string> ensure_accounts(const fs::path& root) {
  std::vector<std::string> created;
  for (const char* group : {"qmail", "nofiles"}) {
    if (::getgrnam(group)) continue;
    run_tool({"groupadd", "-r", group});
    created.emplace_back(group);
  }
  struct User { const char* name; const char* group; bool alias_home; };
  constexpr std::array users{
      User{"alias", "nofiles", true},  User{"qmaild", "nofiles", false},
      User{"qmaill", "nofiles", false}, User{"qmailp", "nofiles", false},
      User{"qmailq", "qmail", false},  User{"qmailr", "qmail", false},
      User{"qmails", "qmail", false},
  };
  for (const auto& u : users) {
    if (::getpwnam(u.name)) continue;
    fs::path home = u.alias_home ? root / "alias" : root;
    run_tool({"useradd", "-r", "-M", "-g", u.group, "-d", home.string(), "-s", "/usr/sbin/nologin", u.name});
    created.emplace_back(u.name);
  }
  return created;
}

Accounts lookup_accounts() {
  gid_t qmail = group_id("qmail"), nofiles = group_id("nofiles");
  Accounts a;
  a.root_qmail = {0, qmail};
  a.alias_qmail = {user_id("alias"), qmail};
  a.alias_nofiles = {user_id("alias"), nofiles};
  a.qmailq = {user_id("qmailq"), qmail};
  a.qmails = {user_id("qmails"), qmail};
  a.qmailr = {user_id("qmailr"), qmail};
  return a;
}

// --- bin/ ----------------------------------------------------------------------

bool is_program(const fs::directory_entry& entry) {
  std::error_code ec;
  std::string name = entry.path().filename().string();
  if (name.empty() || name[0] == '.') return false;
  if (!entry.is_regular_file(ec)) return false;
  return ::access(entry.path().c_str(), X_OK) == 0;
}

// link_program - point bin/NAME at the built program (sandbox); true if changed
bool link_program(const fs::path& bin, const fs::path& program) {
  fs::path link = bin / program.filename();
  std::error_code ec;
  if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec) == program) return false;
  fs::path tmp = bin / cat(".", program.filename().string(), ".setup");
  ::unlink(tmp.c_str());
  if (::symlink(program.c_str(), tmp.c_str()) == -1) throw_errno(cat("unable to create ", tmp.string()));
  if (::rename(tmp.c_str(), link.c_str()) == -1) throw_errno(cat("unable to rename to ", link.string()));
  return true;
}

// copy_program - install a copy with qmail's mode and owner (root mode)
void copy_program(const fs::path& bin, const fs::path& program, const Accounts& acc) {
  std::string name = program.filename().string();
  fs::path tmp = bin / cat(".", name, ".setup");
  ::unlink(tmp.c_str());
  std::error_code ec;
  if (!fs::copy_file(program, tmp, fs::copy_options::overwrite_existing, ec))
    throw TempError(cat("unable to copy ", program.string(), ": ", ec.message()));
  Owner owner = name == "qmail-queue" ? acc.qmailq : acc.root_qmail;
  apply(tmp, program_mode(name), owner);
  fs::path target = bin / name;
  if (::rename(tmp.c_str(), target.c_str()) == -1) throw_errno(cat("unable to rename to ", target.string()));
}

std::string install_programs(const SetupOptions& o, const std::optional<Accounts>& acc) {
  fs::path bin = o.dir / "bin";
  std::error_code ec;
  if (fs::equivalent(o.programs, bin, ec))
    return "bin: programs already in place (qmail-setup runs from this instance)";
  unsigned count = 0, changed = 0;
  fs::directory_iterator it(o.programs, ec);
  if (ec) throw TempError(cat("unable to read ", o.programs.string(), ": ", ec.message()));
  for (const auto& entry : it) {
    if (!is_program(entry)) continue;
    ++count;
    if (acc) {
      copy_program(bin, entry.path(), *acc);
      ++changed;
    } else if (link_program(bin, entry.path())) {
      ++changed;
    }
  }
  return cat("bin: ", std::to_string(count), " programs ", acc ? "copied" : "linked", " from ",
             o.programs.string(), " (", std::to_string(changed), " new or updated)");
}

// --- queue/ ----------------------------------------------------------------------

std::string make_queue(const fs::path& root, const std::optional<Accounts>& acc) {
  Owner none;
  Owner q = acc ? acc->qmailq : none, s = acc ? acc->qmails : none, r = acc ? acc->qmailr : none;
  fs::path queue = root / "queue";
  make_dir(queue, 0750, q);
  // name, owner, mode, split into <id % 23>/?
  struct Dir { const char* name; Owner owner; mode_t mode; bool split; };
  const std::array dirs{
      Dir{"pid", q, 0700, false},    Dir{"intd", q, 0700, false},  Dir{"todo", q, 0750, false},
      Dir{"mess", q, 0750, true},    Dir{"info", s, 0700, true},   Dir{"local", s, 0700, true},
      Dir{"remote", s, 0700, true},  Dir{"bounce", s, 0700, false}, Dir{"lock", q, 0750, false},
  };
  for (const auto& d : dirs) {
    make_dir(queue / d.name, d.mode, d.owner);
    if (!d.split) continue;
    for (unsigned i = 0; i < queue_split_default; ++i)
      make_dir(queue / d.name / std::to_string(i), d.mode, d.owner);
  }
  fs::path lock = queue / "lock";
  make_file(lock / "sendmutex", "", 0600, s);
  make_file(lock / "tcpto", std::string(1024, '\0'), 0644, r);
  make_fifo(lock / "trigger", 0622, s);
  return cat("queue: ", std::to_string(queue_split_default),
             "-way split, lock/trigger fifo, lock/sendmutex, lock/tcpto");
}

// --- control/ ----------------------------------------------------------------------

std::string make_control(const fs::path& root, std::string_view me, Owner owner) {
  fs::path control = root / "control";
  std::string me_s(me);
  struct File { const char* name; std::string contents; };
  const std::array files{
      File{"me", me_s + "\n"},
      File{"defaultdomain", default_domain(me) + "\n"},
      File{"plusdomain", plus_domain(me) + "\n"},
      File{"locals", me_s + "\nlocalhost\n"},
      File{"rcpthosts", me_s + "\n"},
  };
  std::vector<std::string> made, kept;
  for (const auto& f : files)
    (make_file(control / f.name, f.contents, 0644, owner, false) ? made : kept).emplace_back(f.name);
  return cat("control: created ", join(made), "; kept existing ", join(kept));
}

// --- users/ and alias/ -----------------------------------------------------------

std::string make_alias(const fs::path& root, const std::optional<Accounts>& acc) {
  fs::path alias = root / "alias";
  Owner none;
  make_dir(alias, acc ? 02755 : 0755, acc ? acc->alias_qmail : none);
  // The catch-all account's mail lands in its own Maildir: postmaster,
  // MAILER-DAEMON and root (uid 0 never receives mail) all go there.
  Owner md = acc ? acc->alias_nofiles : none;
  make_dir(alias / "Maildir", 0700, md);
  for (const char* sub : {"tmp", "new", "cur"}) make_dir(alias / "Maildir" / sub, 0700, md);
  std::vector<std::string> made;
  for (const char* name : {".qmail-postmaster", ".qmail-mailer-daemon", ".qmail-root"})
    if (make_file(alias / name, "./Maildir/\n", 0644, acc ? acc->root_qmail : none, false))
      made.emplace_back(name);
  return cat("alias: created ", join(made), " (each ./Maildir/ of the alias home); Maildir ready");
}

std::string make_sandbox_files(const fs::path& root) {
  uid_t uid = ::getuid();
  gid_t gid = ::getgid();
  std::string uid_s = std::to_string(uid), gid_s = std::to_string(gid);
  make_file(root / "sandbox",
            cat("# Lettershop sandbox instance: every program runs as uid ", uid_s,
                " and the accounts come from users/passwd, not the system.\n"),
            0644, {}, false);
  std::string passwd = cat("alias:x:", uid_s, ":", gid_s, ":Lettershop alias:", (root / "alias").string(),
                           ":/usr/sbin/nologin\n");
  fs::path passwd_path = root / "users" / "passwd";
  bool made = make_file(passwd_path, passwd, 0644, {}, false);
  std::string line = cat("users: ", made ? "created" : "kept existing", " passwd (sandbox uid ", uid_s, ")");
  // Every account of a sandbox is the caller: say so if an edited file disagrees.
  if (!made) {
    auto contents = io::read_file(passwd_path).value_or("");
    std::string_view rest = contents;
    while (!rest.empty()) {
      std::string_view row = rest.substr(0, rest.find('\n'));
      rest.remove_prefix(std::min(rest.size(), row.size() + 1));
      std::size_t a = row.find(':'), b = a == row.npos ? a : row.find(':', a + 1);
      std::size_t c = b == row.npos ? b : row.find(':', b + 1);
      if (c == row.npos || row.empty() || row[0] == '#') continue;
      if (row.substr(b + 1, c - b - 1) != uid_s) {
        line += cat("; warning: users/passwd has an account whose uid is not ", uid_s);
        break;
      }
    }
  }
  return line;
}

}  // namespace

std::string default_domain(std::string_view me) {
  std::size_t first = me.find('.');
  if (first == me.npos || me.find('.', first + 1) == me.npos) return std::string(me);
  return std::string(me.substr(first + 1));
}

std::string plus_domain(std::string_view me) {
  std::size_t last = me.rfind('.');
  if (last == me.npos || last == 0) return std::string(me);
  std::size_t before = me.rfind('.', last - 1);
  if (before == me.npos) return std::string(me);
  return std::string(me.substr(before + 1));
}

void check_hostname(std::string_view me) {
  if (me.empty()) throw UsageError("--me needs a host name");
  for (unsigned char c : me)
    if (c <= ' ' || c >= 127 || c == '/')
      throw UsageError(cat("--me: not a host name: ", me));
}

mode_t program_mode(std::string_view name) {
  if (name == "qmail-queue") return 04711;
  for (std::string_view n : {"qmail-lspawn", "qmail-start", "qmail-newu", "qmail-newmrh"})
    if (name == n) return 0700;
  for (std::string_view n : {"qmail-getpw", "qmail-local", "qmail-remote", "qmail-rspawn", "qmail-clean",
                             "qmail-send", "splogger", "qmail-pw2u", "qmail-popup"})
    if (name == n) return 0711;
  return 0755;
}

std::vector<std::string> setup(const SetupOptions& in) {
  SetupOptions o = in;
  o.dir = fs::absolute(o.dir).lexically_normal();
  if (o.dir.has_filename() == false) o.dir = o.dir.parent_path();
  check_hostname(o.me);

  std::vector<std::string> report;
  report.push_back(cat(o.sandbox ? "sandbox" : "root-mode", " instance in ", o.dir.string(), " (me: ", o.me, ")"));

  std::optional<Accounts> acc;
  if (!o.sandbox) {
    auto created = ensure_accounts(o.dir);
    if (!created.empty()) report.push_back(cat("accounts: created ", join(created)));
    acc = lookup_accounts();
  }
  Owner top = acc ? acc->root_qmail : Owner{};

  // The instance root itself may already exist (mktemp -d makes it 0700).
  make_dir(o.dir, 0755, top);
  for (const char* d : {"bin", "control", "users"}) make_dir(o.dir / d, 0755, top);
  report.push_back(install_programs(o, acc));
  report.push_back(make_control(o.dir, o.me, top));
  report.push_back(make_queue(o.dir, acc));
  if (o.sandbox) report.push_back(make_sandbox_files(o.dir));
  report.push_back(make_alias(o.dir, acc));
  return report;
}

std::string host_fqdn() {
  std::string name(256, '\0');
  if (::gethostname(name.data(), name.size() - 1) == -1) throw_errno("unable to get the host name");
  name.resize(name.find('\0'));
  if (name.find('.') != std::string::npos) return name;
  struct addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  struct addrinfo* res = nullptr;
  if (::getaddrinfo(name.c_str(), nullptr, &hints, &res) == 0 && res) {
    std::string canon = res->ai_canonname ? res->ai_canonname : "";
    ::freeaddrinfo(res);
    if (canon.find('.') != std::string::npos) return canon;
  }
  if (name.empty()) throw TempError("unable to find this host's name; give one with --me");
  return name;
}

fs::path self_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw TempError(cat("unable to read /proc/self/exe: ", ec.message()));
  return exe.parent_path();
}

}  // namespace mta::admin
