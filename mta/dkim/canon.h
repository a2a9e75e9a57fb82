// mta/dkim/canon.h — DKIM canonicalization (RFC 6376 3.4) and SHA-256.
//
// Header fields are canonicalized one at a time from their raw text (as
// message::Field keeps it, line ends LF or CRLF). The body is canonicalized
// as a stream: BodyHasher takes the body in chunks of any size and hashes
// the canonical form as it goes, so a message is read once and never held
// whole in memory. Empty lines are counted, not stored, because only the
// ones at the very end are dropped. A body that does not end in a line
// break gets one (qmail-remote refuses such messages anyway).
//
// Line ends: a LF, or CR LF, ends a line; any other CR is data. Output
// lines end in CR LF, as on the wire.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mta/dkim/tags.h"

namespace mta::dkim {

// "name:value\r\n" in relaxed form: name in lower case, line breaks removed,
// runs of space/tab made one space, none at the ends of the value.
std::string relaxed_header(std::string_view name, std::string_view value);
// The raw field with every line ending in CR LF.
std::string simple_header(std::string_view raw);
// The field (raw text "Name: value\n...") canonicalized by `c`.
std::string canonical_header(Canon c, std::string_view raw);
// The same, appended to `out` (a signer builds the whole hash input in one string).
void append_canonical_header(std::string& out, Canon c, std::string_view raw);

// Incremental SHA-256 over OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  // A copy carries the state: hash a common prefix once, then copy the
  // object for each continuation (CopySigner).
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string final();  // 32 bytes; the object is spent

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string sha256(std::string_view data);

class BodyHasher {
 public:
  // limit: hash only the first `limit` canonical bytes (a verifier honouring l=).
  explicit BodyHasher(Canon canon, std::optional<std::uint64_t> limit = std::nullopt);
  void feed(std::string_view data);
  // The SHA-256 of the canonical body. Call once.
  std::string finish();
  // Canonical bytes produced so far (all of them, past any limit).
  std::uint64_t canonical_length() const { return length_; }

 private:
  void emit(std::string_view bytes);
  void content(char c);
  void end_line();
  Canon canon_;
  std::optional<std::uint64_t> limit_;
  Sha256 sha_;
  std::string out_;          // canonical bytes waiting for the hash
  std::uint64_t length_ = 0;
  std::uint64_t empty_lines_ = 0;  // empty lines not yet known to be inside the body
  bool line_has_content_ = false;
  bool pending_wsp_ = false;  // relaxed: white space seen since the last visible byte
  bool pending_cr_ = false;   // a CR that may start a CR LF
  bool any_line_ = false;     // simple: the body had at least one non-empty line
};

}  // namespace mta::dkim
