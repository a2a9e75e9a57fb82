// mta/send/lspawn.h — qmail-lspawn's delivery child (reference 5.2, 6.1).
//
// Per delivery, in the child forked by the spawn skeleton: split the
// recipient at its last '@' (an empty local part is the trash address:
// success without running anything), find the controlling user in
// users/cdb or through bin/qmail-getpw, become that user (root mode; never
// uid 0) and exec bin/qmail-local. Problems end the child with qmail's
// QLX_* exit codes, which spawn::lspawn_report turns into texts.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "mta/core/paths.h"
#include "mta/send/spawn.h"

namespace mta::spawn {

inline constexpr int qlx_usage = 112, qlx_root = 113, qlx_nfs = 115, qlx_noalias = 116, qlx_cdb = 117,
                     qlx_sys = 118, qlx_nomem = 119, qlx_execsoft = 120, qlx_execpw = 121,
                     qlx_exechard = 126;

class LocalDriver : public Driver {
 public:
  LocalDriver(Home home, std::string default_delivery, bool sandbox)
      : home_(std::move(home)), default_delivery_(std::move(default_delivery)), sandbox_(sandbox) {}
  [[noreturn]] void child(const Command& c) override;
  std::string report(int wait_status, std::string_view output) override {
    return lspawn_report(wait_status, output);
  }

 private:
  Home home_;
  std::string default_delivery_;
  bool sandbox_;
};

// qmail-rspawn's driver: one qmail-remote run per batch, argv
// "host sender recipient..."; at most control/concurrencyremote runs at once
// (reread when the file changes), at most remote_batch_limit recipients each.
class RemoteDriver : public Driver {
 public:
  explicit RemoteDriver(Home home) : home_(std::move(home)) {}
  [[noreturn]] void child(const Command& c) override;
  std::string report(int wait_status, std::string_view output) override {
    return rspawn_report(wait_status, output);
  }
  std::size_t batch_limit() override { return remote_batch_limit; }
  std::size_t child_limit() override;
  // Only our own qmail-remote is known to expand a VERP template: with
  // $QMAILREMOTE set, VERP deliveries run one by one as qmail's do.
  bool verp_batches() override;
  [[noreturn]] void batch_child(const std::vector<Command>& batch) override;
  std::vector<std::string> batch_reports(int wait_status, std::string_view output, std::size_t n) override {
    return rspawn_reports(wait_status, output, n);
  }

 private:
  [[noreturn]] void exec_remote(const std::vector<Command>& batch);

  Home home_;
  std::size_t connections_ = 20;  // qmail's default concurrencyremote
  struct timespec seen_ {};      // mtime of control/concurrencyremote when read
  bool read_once_ = false;
};

// qmail-rspawn's start: zero the first 1024 bytes of queue/lock/tcpto if it exists.
void clear_tcpto(const Home& home);

}  // namespace mta::spawn
