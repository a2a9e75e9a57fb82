#include "ezmlm/lib/post_dmarc.h"

#include "mta/core/address.h"
#include "mta/core/dns.h"
#include "mta/core/exitcodes.h"
#include "mta/core/text.h"

namespace ezmlm::post {

namespace {

std::string_view trim(std::string_view s) { return mta::text::trim(s, mta::text::blanks); }

class SystemLookup : public TxtLookup {
 public:
  explicit SystemLookup(std::string failure) : failure_(std::move(failure)) {}
  std::optional<std::vector<std::string>> txt(std::string_view name) override {
    try {
      return resolver().txt(name);
    } catch (const mta::dns::Error& e) {
      if (e.permanent()) return std::nullopt;
      throw mta::TempError(mta::cat(failure_, ": ", e.what()));
    }
  }
  void start(std::string_view name) override {
    try {
      resolver().start_txt(name);
    } catch (const mta::dns::Error&) {
      // txt() asks again and reports it
    }
  }

 private:
  static constexpr mta::dns::Resolver::Timing timing{250, 5};
  std::string failure_;
  std::unique_ptr<mta::dns::Resolver> resolver_;

  mta::dns::Resolver& resolver() {
    if (!resolver_) resolver_ = std::make_unique<mta::dns::Resolver>(timing);
    return *resolver_;
  }
};

// The names dmarc_policy asks for, in order: _dmarc.<domain>, then
// _dmarc.<last two labels> when that is a different name. None for an
// address literal or a name without a dot.
std::vector<std::string> dmarc_names(std::string_view domain) {
  std::vector<std::string> names;
  std::string d = mta::address::ascii_lower(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty() || d.front() == '[') return names;  // address literal
  names.push_back("_dmarc." + d);
  auto last = d.rfind('.');
  if (last == std::string::npos || last == 0) return names;
  auto second = d.rfind('.', last - 1);
  if (second == std::string::npos) return names;
  names.push_back("_dmarc." + d.substr(second + 1));
  return names;
}

std::optional<DmarcPolicy> policy_at(std::string_view name, TxtLookup& lookup) {
  auto records = lookup.txt(name);
  if (!records) return std::nullopt;
  for (const auto& r : *records)
    if (auto p = parse_dmarc(r)) return p;
  return std::nullopt;
}

}  // namespace

std::optional<DmarcPolicy> parse_dmarc(std::string_view record) {
  std::string_view v = trim(record);
  bool first = true;
  std::optional<DmarcPolicy> policy;
  while (!v.empty() || first) {
    auto semi = v.find(';');
    std::string_view tag = trim(v.substr(0, semi));
    v = semi == std::string_view::npos ? std::string_view() : v.substr(semi + 1);
    auto eq = tag.find('=');
    std::string name = mta::address::ascii_lower(trim(tag.substr(0, eq)));
    std::string value = eq == std::string_view::npos ? std::string() : mta::address::ascii_lower(trim(tag.substr(eq + 1)));
    if (first) {
      // RFC 7489 6.4: v=DMARC1 must come first.
      if (name != "v" || value != "dmarc1") return std::nullopt;
      first = false;
      policy = DmarcPolicy::none;
      continue;
    }
    if (name == "p") {
      if (value == "reject") policy = DmarcPolicy::reject;
      else if (value == "quarantine") policy = DmarcPolicy::quarantine;
      else policy = DmarcPolicy::none;
    }
    if (v.empty()) break;
  }
  return policy;
}

DmarcPolicy dmarc_policy(std::string_view domain, TxtLookup& lookup) {
  for (const auto& name : dmarc_names(domain))
    if (auto p = policy_at(name, lookup)) return *p;
  return DmarcPolicy::none;
}

void prefetch_dmarc(std::string_view domain, TxtLookup& lookup) {
  for (const auto& name : dmarc_names(domain)) lookup.start(name);
}

std::unique_ptr<TxtLookup> system_txt_lookup(std::string dns_failure_text) {
  return std::make_unique<SystemLookup>(std::move(dns_failure_text));
}

}  // namespace ezmlm::post
