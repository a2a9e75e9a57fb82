// mta/dkim/verify.cpp — DKIM verification (see verify.h).
#include "mta/dkim/verify.h"

#include <memory>
#include <optional>

#include "mta/core/dns.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"
#include "mta/dkim/canon.h"
#include "mta/dkim/crypto.h"
#include "mta/dkim/sign.h"

namespace mta::dkim {

std::string_view status_name(Status s) {
  switch (s) {
    case Status::pass: return "pass";
    case Status::fail: return "fail";
    case Status::temperror: return "temperror";
    case Status::permerror: break;
  }
  return "permerror";
}

KeyLookup dns_lookup() {
  auto resolver = std::make_shared<std::optional<dns::Resolver>>();
  return [resolver](const std::string& name) {
    try {
      if (!*resolver) resolver->emplace();  // set up on first use only
      return (*resolver)->txt(name);
    } catch (const dns::Error& e) {
      throw LookupError(e.what(), !e.permanent());
    }
  };
}

namespace {

struct Pending {
  Result result;
  std::optional<Signature> sig;
  std::string field_without_b;  // "DKIM-Signature:" + value without the b= value
  std::unique_ptr<BodyHasher> body;
};

// check_key - the key record for `sig`, or a reason in `r` and nullopt.
std::optional<KeyRecord> fetch_key(const Signature& sig, const KeyLookup& lookup, Result& r) {
  std::vector<std::string> records;
  try {
    records = lookup(cat(sig.selector, "._domainkey.", sig.domain));
  } catch (const LookupError& e) {
    r.status = e.temporary() ? Status::temperror : Status::permerror;
    r.reason = e.temporary() ? cat("key look-up failed: ", e.what()) : "no key record";
    return std::nullopt;
  }
  // RFC 6376 6.1.2: several records are ambiguous; use the first that parses.
  std::string last_error = "no key record";
  for (const auto& text : records) {
    try {
      return parse_key_record(text);
    } catch (const SyntaxError& e) {
      last_error = cat("bad key record: ", e.what());
    }
  }
  r.status = Status::permerror;
  r.reason = last_error;
  return std::nullopt;
}

// check - the steps of RFC 6376 6.1.3 after the body was hashed.
void check(Pending& p, const message::Header& header, const KeyLookup& lookup, std::time_t now) {
  const Signature& sig = *p.sig;
  Result& r = p.result;
  std::uint64_t body_length = p.body->canonical_length();
  std::string bh = p.body->finish();
  if (sig.length && *sig.length > body_length) {
    r.status = Status::permerror;
    r.reason = "l= is longer than the body";
    return;
  }
  if (sig.expires && static_cast<std::uint64_t>(now) > *sig.expires) {
    r.status = Status::fail;
    r.reason = "signature expired";
    return;
  }
  auto key = fetch_key(sig, lookup, r);
  if (!key) return;
  r.testing = key->testing;
  if (key->public_key.empty()) {
    r.status = Status::permerror;
    r.reason = "key revoked";
    return;
  }
  if (key->key_type != sig.algorithm) {
    r.status = Status::permerror;
    r.reason = "key type does not match a=";
    return;
  }
  if (key->strict_identity) {
    std::string_view id = sig.identity;
    if (id.substr(id.rfind('@') + 1) != sig.domain) {
      r.status = Status::permerror;
      r.reason = "key requires i= domain equal to d=";
      return;
    }
  }
  if (bh != sig.bh) {
    r.status = Status::fail;
    r.reason = "body hash did not verify";
    return;
  }
  std::string data = header_hash_input(header, sig.headers, sig.header_canon, p.field_without_b);
  try {
    if (!verify_signature(sig.algorithm, key->public_key, data, sig.b)) {
      r.status = Status::fail;
      r.reason = "signature did not verify";
      return;
    }
  } catch (const KeyError& e) {
    r.status = Status::permerror;
    r.reason = e.what();
    return;
  }
  r.status = Status::pass;
  if (sig.length) r.reason = "l= in use: the body past it is not covered";
}

}  // namespace

std::vector<Result> verify(io::Reader& in, const KeyLookup& lookup, std::time_t now) {
  message::Header header = message::read_header(in);
  std::vector<Pending> pending;
  for (const auto* f : header.find_all("DKIM-Signature")) {
    Pending p;
    try {
      p.sig = parse_signature(f->value());
      p.result.domain = p.sig->domain;
      p.result.selector = p.sig->selector;
      p.result.algorithm = std::string(algorithm_name(p.sig->algorithm));
      std::string_view raw = f->raw;
      p.field_without_b = cat(raw.substr(0, raw.find(':') + 1), p.sig->value_without_b);
      // value() keeps the CR of a CR LF line end; it is not part of the field
      if (!p.field_without_b.empty() && p.field_without_b.back() == '\r') p.field_without_b.pop_back();
      p.body = std::make_unique<BodyHasher>(p.sig->body_canon, p.sig->length);
    } catch (const SyntaxError& e) {
      p.sig.reset();
      p.result.status = Status::permerror;
      p.result.reason = e.what();
    }
    pending.push_back(std::move(p));
  }
  // The body, once, through every signature's hasher.
  auto feed = [&](std::string_view data) {
    for (auto& p : pending)
      if (p.body) p.body->feed(data);
  };
  feed(first_body_bytes(header));
  std::string chunk(65536, '\0');
  while (std::size_t n = in.read(chunk.data(), chunk.size())) feed(std::string_view(chunk.data(), n));

  std::vector<Result> results;
  for (auto& p : pending) {
    if (p.sig) check(p, header, lookup, now);
    results.push_back(std::move(p.result));
  }
  return results;
}

std::string format_result(const Result& r) {
  std::string out = cat("dkim=", status_name(r.status));
  if (!r.reason.empty()) out += cat(" (", r.reason, ")");
  if (r.testing) out += " (key in test mode)";
  if (!r.domain.empty()) out += cat(" header.d=", r.domain, " header.s=", r.selector, " header.a=", r.algorithm);
  return out;
}

}  // namespace mta::dkim
