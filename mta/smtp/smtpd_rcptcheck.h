// mta/smtp/smtpd_rcptcheck.h — does a local recipient exist? (control/rcptcheck)
//
// qmail accepts every recipient of a local domain and bounces the unknown
// ones later, which sends the bounce to a sender that is often forged
// (backscatter). With control/rcptcheck containing "on", qmail-smtpd asks
// at RCPT time the same questions delivery will ask, through the same code:
//   qmail-send's rewrite (locals, percenthack, virtualdomains) — a remote
//   address is always "known";
//   qmail-lspawn's account search (users/cdb, else qmail-getpw's rules with
//   the alias account as the last resort);
//   qmail-local's dot-qmail search — an address with an extension needs a
//   .qmail-ext or a matching .qmail-default in the home directory, exactly
//   as qmail-local would bounce "no mailbox here by that name" without one.
// The answer is false only when delivery would certainly bounce; anything
// that cannot be read throws TempError (the client gets 451 and retries).
#pragma once
#include <string>

#include "mta/core/paths.h"
#include "mta/send/rewrite.h"

namespace mta::smtpd {

class RecipientChecker {
 public:
  // Reads the rewriting controls. Throws TempError.
  explicit RecipientChecker(const Home& home);
  bool operator()(const std::string& address) const;

 private:
  Home home_;
  send::Rewriting rw_;
};

}  // namespace mta::smtpd
