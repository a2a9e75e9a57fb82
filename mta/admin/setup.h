// mta/admin/setup.h — creating an instance (qmail-setup).
//
// setup() builds a complete instance under a directory: bin/ (the programs),
// control/ (me and the files qmail's config-fast writes), the queue tree of
// reference mta.md section 2.1 with its modes, users/ and alias/.
//
// Two modes (DESIGN.md "Instances and sandboxes"):
//   sandbox — any non-root caller, or --sandbox: bin/ holds symlinks to the
//             built programs, everything belongs to the caller, the marker
//             file DIR/sandbox exists and DIR/users/passwd holds the accounts
//             (every uid the caller's).
//   root    — bin/ holds copies with qmail's modes and owners, the qmail
//             users and groups are created when missing, the queue gets
//             qmail's owners.
//
// Guarantees: setup is idempotent. Directories and modes are (re)applied
// every run; a control file, users/passwd, a dot-qmail file or a lock file
// that exists is never overwritten. bin/ entries are replaced atomically
// (temp name + rename), so re-running after a rebuild points bin/ at it.
//
// Errors: TempError (exit 111) naming the path that failed; a bad --me is a
// UsageError (exit 100).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mta::admin {

namespace fs = std::filesystem;

struct SetupOptions {
  fs::path dir;         // the instance root; made absolute by setup()
  bool sandbox = true;  // see above
  std::string me;       // this host's name for control/me
  fs::path programs;    // the folder whose executables go into bin/
};

// Derivations of config-fast: defaultdomain drops the first label and
// plusdomain keeps the last two, both only when the name has at least two
// dots ("example.test" stays as it is).
std::string default_domain(std::string_view me);
std::string plus_domain(std::string_view me);

// Checks a host name given with --me: non-empty, printable, no '/', no
// space. Throws UsageError.
void check_hostname(std::string_view me);

// qmail's install mode of a program in bin/ (reference 0.5).
mode_t program_mode(std::string_view name);

// Builds the instance; returns the lines to print ("what it did").
std::vector<std::string> setup(const SetupOptions& options);

// This host's fully qualified name (gethostname + canonical name lookup).
std::string host_fqdn();

// The folder of the running program (/proc/self/exe).
fs::path self_dir();

}  // namespace mta::admin
