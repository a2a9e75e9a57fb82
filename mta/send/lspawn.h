// mta/send/lspawn.h — qmail-lspawn's delivery child (reference 5.2, 6.1).
//
// Per delivery, in the child forked by the spawn skeleton: split the
// recipient at its last '@' (an empty local part is the trash address:
// success without running anything), find the controlling user in
// users/cdb or through bin/qmail-getpw, become that user (root mode; never
// uid 0) and exec bin/qmail-local. Problems end the child with qmail's
// QLX_* exit codes, which spawn::lspawn_report turns into texts.
#pragma once

#include <string>

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

class RemoteDriver : public Driver {
 public:
  explicit RemoteDriver(Home home) : home_(std::move(home)) {}
  [[noreturn]] void child(const Command& c) override;
  std::string report(int wait_status, std::string_view output) override {
    return rspawn_report(wait_status, output);
  }

 private:
  Home home_;
};

// qmail-rspawn's start: zero the first 1024 bytes of queue/lock/tcpto if it exists.
void clear_tcpto(const Home& home);

}  // namespace mta::spawn
