// mta/dkim/verify.h — checking DKIM signatures (RFC 6376 6, RFC 8463).
//
// verify() reads a message once: the header, then the body through one
// BodyHasher per signature (each may use its own canonicalization and l=),
// then looks up each selector's key record and checks the header hash.
// Every DKIM-Signature field gets one Result, in the order of the fields.
// Results use the words of RFC 8601 (pass, fail, neutral, policy,
// temperror, permerror) so that dkimverify's lines read like an
// Authentication-Results entry.
//
// Key look-up is a callback (TXT records of a name) so tests can serve keys
// from memory; dns_lookup() is the real one (mta/core/dns.h, $DNSCACHEIP).
// A signature with l= is checked as the RFC says, but its result carries a
// note: the bytes past l= are not covered (reference topic 3d).
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "mta/core/io.h"
#include "mta/dkim/tags.h"

namespace mta::dkim {

enum class Status { pass, fail, permerror, temperror };
std::string_view status_name(Status s);

struct Result {
  Status status = Status::permerror;
  std::string domain;    // d= (empty when the field did not parse)
  std::string selector;  // s=
  std::string algorithm; // a= as a name
  std::string reason;    // why not pass, or a note ("l= in use")
  bool testing = false;  // the key record says t=y
};

// The TXT records of `name`. Throws LookupError: temporary (retry) or not.
class LookupError : public std::runtime_error {
 public:
  LookupError(const std::string& what, bool temporary) : std::runtime_error(what), temporary_(temporary) {}
  bool temporary() const { return temporary_; }

 private:
  bool temporary_;
};
using KeyLookup = std::function<std::vector<std::string>(const std::string& name)>;

// TXT over DNS (c-ares; $DNSCACHEIP or /etc/resolv.conf).
KeyLookup dns_lookup();

std::vector<Result> verify(io::Reader& in, const KeyLookup& lookup, std::time_t now);

// "dkim=pass header.d=example.com header.s=sel header.a=ed25519-sha256", a
// reason in parentheses after the result when there is one.
std::string format_result(const Result& r);

}  // namespace mta::dkim
