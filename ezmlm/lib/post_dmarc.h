// ezmlm/lib/post_dmarc.h — does the author's domain want From rewritten?
//
// A list re-sends the author's From under its own envelope and DKIM-less
// changes, so receivers applying the author domain's DMARC policy reject or
// quarantine list posts. ezmlm-idx rewrites From when _dmarc.<domain>
// publishes p=reject; we also do it for p=quarantine (users ask for it:
// ezmlm-idx issue #21), since quarantined posts are as lost to readers.
//
// The record is looked up at _dmarc.<domain>, then (no record there) at the
// last two labels of the domain, a stand-in for RFC 7489's organisational
// domain without a public-suffix list. A TXT record counts if it starts
// with "v=DMARC1"; its "p=" tag is the policy.
//
// TXT look-ups go through TxtLookup so tests use a fake; the real one is
// mta::dns::Resolver (DNSCACHEIP or /etc/resolv.conf). A name that does not
// exist means "no policy"; any other DNS failure is a TempError (111): we
// would rather delay the post than send it in a form receivers drop.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ezmlm::post {

class TxtLookup {
 public:
  virtual ~TxtLookup() = default;
  // TXT records of name; nullopt when the name does not exist. Throws
  // mta::TempError when the answer cannot be had.
  virtual std::optional<std::vector<std::string>> txt(std::string_view name) = 0;
  // A hint that txt(name) will follow: a resolver sends the query now and
  // txt() collects the answer, so the round trip overlaps the caller's work.
  // Never throws (a failure shows at txt()).
  virtual void start(std::string_view /*name*/) {}
};

enum class DmarcPolicy { none, quarantine, reject };

// The policy of one record text, or nullopt when it is not a DMARC record.
std::optional<DmarcPolicy> parse_dmarc(std::string_view record);

DmarcPolicy dmarc_policy(std::string_view domain, TxtLookup& lookup);
// Starts every query dmarc_policy(domain) may make (both names at once: the
// organisational one is only used when the first has no record, but asking
// for it in parallel costs nothing and saves a round trip when it is).
void prefetch_dmarc(std::string_view domain, TxtLookup& lookup);

// True when From must be rewritten for this policy.
inline bool munges(DmarcPolicy p) { return p != DmarcPolicy::none; }

// The system resolver (mta::dns over c-ares), with a short deadline: a
// post waits for its author's policy, so a lost UDP datagram is resent
// after 250 ms instead of c-ares' default 2 s (five tries, 0.25, 0.75,
// 1.75 and 3.75 s after the first); with one server and no answer after
// 7.75 s the look-up fails (TempError, 111). The short first resend is for
// lost datagrams; the long tail is for a resolver still recursing on a cold
// name, which a deferred post would only ask again.
std::unique_ptr<TxtLookup> system_txt_lookup(std::string dns_failure_text);

}  // namespace ezmlm::post
