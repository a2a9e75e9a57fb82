// mta/core/paths.h — where an instance lives.
//
// The instance root is qmail's QH: the compiled-in LETTERSHOP_QMAILHOME
// (/var/qmail), overridden by $QMAILHOME — except in a setuid or setgid
// process (qmail-queue as qmailq), which must not let its caller point it at
// another queue. Every other path is derived from the root.
#pragma once

#include <filesystem>

namespace mta {

namespace fs = std::filesystem;

struct Home {
  fs::path root;

  fs::path bin() const { return root / "bin"; }
  fs::path control() const { return root / "control"; }
  fs::path queue() const { return root / "queue"; }
  fs::path users() const { return root / "users"; }
  fs::path alias() const { return root / "alias"; }
  // Present in a sandbox instance (qmail-setup --sandbox, or set up by a
  // non-root user): every program runs as the instance owner and accounts
  // come from users/passwd instead of the system database.
  fs::path sandbox_marker() const { return root / "sandbox"; }
  bool is_sandbox() const;
};

// True when the process runs with privileges its caller does not have.
bool running_setid();

// The instance of this process: $QMAILHOME unless setid, else the default.
Home qmail_home();

// The compiled-in default root.
fs::path default_qmail_home();

}  // namespace mta
