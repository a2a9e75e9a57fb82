// mta/dkim/tags.h — DKIM tag lists: the DKIM-Signature field and the key
// record published in DNS (RFC 6376 3.2, 3.5, 3.6.1; RFC 8463).
//
// parse_tags() cuts "a=1; b = x y ;" into (name, value) pairs. Values keep
// their inner folding white space (the b= and bh= values are base64 split
// over lines; the caller strips it); leading and trailing FWS go. Each pair
// also remembers where its value sits in the input, because verification
// must hash the signature field with the b= value removed (RFC 6376 3.7).
// The grammar is applied strictly, Dovecot style: a syntax error is an
// error, never a guess. Unknown tags are kept (and ignored by the callers),
// as the RFC requires.
//
// parse_signature() and parse_key_record() check the tags a verifier relies
// on (required tags, versions, algorithms, i= within d=, x= after t=) and
// decode the base64 values. Callers: the verifier, dkimverify, the unit
// tests and fuzz targets. Errors: dkim::SyntaxError with a reason that
// dkimverify prints ("permerror (reason)").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mta::dkim {

class SyntaxError : public std::runtime_error {
 public:
  explicit SyntaxError(const std::string& what) : std::runtime_error(what) {}
};

struct Tag {
  std::string_view name;
  std::string_view value;    // without leading/trailing FWS; inner FWS kept
  std::size_t value_offset;  // where value starts in the parsed text
};

// Throws SyntaxError for a bad tag name, a missing '=', a byte outside
// VALCHAR/FWS, an empty tag-spec before the last one, or a tag given twice.
std::vector<Tag> parse_tags(std::string_view text);

enum class Algorithm { rsa_sha256, ed25519_sha256 };
enum class Canon { simple, relaxed };

std::string_view algorithm_name(Algorithm a);  // "rsa-sha256"
std::string_view canon_name(Canon c);          // "relaxed"

struct Signature {
  Algorithm algorithm = Algorithm::rsa_sha256;
  std::string b;            // decoded signature bytes
  std::string bh;           // decoded body hash
  Canon header_canon = Canon::simple;
  Canon body_canon = Canon::simple;
  std::string domain;       // d=, lower case
  std::string selector;     // s=
  std::vector<std::string> headers;  // h=, as written
  std::string identity;     // i= (default "@" + d)
  std::optional<std::uint64_t> length;     // l=
  std::optional<std::uint64_t> timestamp;  // t=
  std::optional<std::uint64_t> expires;    // x=
  // The field value with the b= value cut out, for the header hash.
  std::string value_without_b;
};

// Parses a DKIM-Signature field value (everything after the ':').
Signature parse_signature(std::string_view value);

struct KeyRecord {
  Algorithm key_type = Algorithm::rsa_sha256;  // k= (rsa or ed25519)
  std::string public_key;  // decoded p=; empty: the key was revoked
  bool testing = false;    // t=y
  bool strict_identity = false;  // t=s: i= must equal d=
};

// Parses a DNS TXT key record. Throws SyntaxError also for v= other than
// DKIM1, an h= list without sha256, an unknown k=, or s= without email/*.
KeyRecord parse_key_record(std::string_view text);

// Base64 values (b=, bh=, p=) are read with mta::cte::base64_decode_strict
// (mta/core/transfer_encoding.h): FWS between characters, exact padding.

}  // namespace mta::dkim
