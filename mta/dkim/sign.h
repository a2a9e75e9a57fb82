// mta/dkim/sign.h — making DKIM-Signature fields (RFC 6376 5, RFC 8463).
//
// A Signer holds the keys of one signing domain (loaded once) and signs a
// message given as a header plus the SHA-256 of its relaxed body. That
// split is what lets a caller stream the body through a BodyHasher while it
// copies it, and what a per-recipient renderer needs: render a copy, hash
// its body, call sign() — one call per copy, keys already in memory.
// sign_stream() is the whole job for a message on a Reader.
//
// Policy (issue 12, reference topic 3d): c=relaxed/relaxed; never l=; t= and
// x= (now + 7 days) to limit replay. h= lists every present instance of
// From, Sender, Reply-To, Subject, Date, Message-ID, To, Cc, In-Reply-To,
// References, MIME-Version, Content-Type, Content-Transfer-Encoding,
// Feedback-ID and every List-* field, each once more than it occurs
// (over-signing: a second instance added later breaks the signature); the
// fields a message must not gain — From, Subject, Date, Message-ID, To, Cc,
// Reply-To, List-Unsubscribe, List-Unsubscribe-Post — are listed even when
// absent. Other List-* fields are listed only when present, so that a
// mailing list redistributing our mail unmodified keeps our signature.
//
// Keys: control/dkim/DOMAIN/SELECTOR.rsa and SELECTOR.ed25519 (PEM private
// keys); every key found for the From: domain signs, so RSA plus Ed25519
// gives two signatures. See dkim(5).
#pragma once

#include <sys/types.h>

#include <ctime>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/io.h"
#include "mta/core/message.h"
#include "mta/core/paths.h"
#include "mta/dkim/canon.h"
#include "mta/dkim/crypto.h"

namespace mta::dkim {

struct SigningKey {
  std::string domain;    // d=
  std::string selector;  // s=
  PrivateKey key;
};

inline constexpr std::time_t default_expiry = 7 * 24 * 3600;

// The h= list for this header (policy above), in signing order.
std::vector<std::string> headers_to_sign(const message::Header& header);

// The signed data: the selected fields, canonicalized (relaxed), then the
// signature field itself without CR LF (RFC 6376 3.7). Exposed for tests.
std::string header_hash_input(const message::Header& header, const std::vector<std::string>& names,
                              Canon canon, std::string_view signature_field);

// The body hash of a message whose header was read from `rest`: the
// header's body_start, then everything `rest` still holds, in one pass.
std::string body_hash(const message::Header& header, io::Reader& rest, Canon canon);
// The body's first bytes as read_header left them, except that a "\r\n"
// line (the blank separator of a CR LF message, which read_header does not
// count as blank) is the separator, not body.
std::string_view first_body_bytes(const message::Header& header);

class Signer {
 public:
  explicit Signer(std::vector<SigningKey> keys) : keys_(std::move(keys)) {}
  bool empty() const { return keys_.empty(); }
  const std::vector<SigningKey>& keys() const { return keys_; }

  // The DKIM-Signature fields (LF line ends, folded, b= last), one per key,
  // to be put in front of the message. body_hash: SHA-256 of the relaxed body.
  std::string sign(const message::Header& header, std::string_view body_hash, std::time_t now,
                   std::time_t expiry = default_expiry) const;

  // Reads the message from `in` (header, then the body in one pass).
  std::string sign_stream(io::Reader& in, std::time_t now) const;

 private:
  std::vector<SigningKey> keys_;
};

// CopySigner - the DKIM-Signature fields of the copies of one message
// that differ only in the fields called by a `varying` name (a one-click
// fan-out: each copy has its own List-Unsubscribe). What every copy shares
// is done once, from the model (any one copy's header): the h= list, the
// relaxed form and SHA-256 state of every signed field h= lists before the
// first varying name, and the signature field without b= (one `now` for
// all copies). Per copy: the varying fields' relaxed form is hashed, the
// hash finished and the digest signed. sign(fields) gives the bytes that
// Signer::sign gives for the whole copy's header at the same `now`.
class CopySigner {
 public:
  CopySigner(const Signer& signer, const message::Header& model, const std::vector<std::string>& varying,
             std::string_view body_hash, std::time_t now, std::time_t expiry = default_expiry);
  // `fields`: the copy's fields with a varying name, in header order, as
  // many as the model has (TempError otherwise: the copy is not one of
  // this message's). The signer must outlive this object.
  std::string sign(std::span<const message::Field> fields) const;

 private:
  struct Entry {             // an h= entry from the first varying one on
    std::string name;
    std::size_t taken;       // instances of the name that earlier entries took (bottom up)
    bool varying;
    std::string model_form;  // not varying: the model's field, relaxed ("" when absent)
  };
  struct Key {
    const PrivateKey* key;
    std::string field;        // the signature field up to "b="
    std::string signed_form;  // that field as it enters the hash
  };
  std::size_t model_varying_ = 0;  // the model's fields with a varying name
  Sha256 prefix_;                  // the hash of the fields before the first varying entry
  std::vector<Entry> suffix_;
  std::vector<Key> keys_;
};

// One signature field for explicit tags (test vectors, dkimsign by hand).
struct SignatureSpec {
  std::string domain, selector;
  std::vector<std::string> headers;
  std::time_t timestamp = 0;   // 0: no t=
  std::time_t expires = 0;     // 0: no x=
  std::string identity;        // i=, optional
};
std::string make_signature_field(const message::Header& header, std::string_view body_hash,
                                 const PrivateKey& key, const SignatureSpec& spec);

// The signing domain for a message: the domain of the first From: address,
// lower case; empty when there is none.
std::string from_domain(const message::Header& header);

// The key files control/dkim/DOMAIN/*.{rsa,ed25519}; DOMAIN is the From:
// domain or, failing that, its parents (relaxed alignment: mail from
// a.example.com may be signed by example.com). Throws TempError for a key
// that exists but cannot be read or loaded.
std::vector<SigningKey> load_keys(const std::filesystem::path& dkim_dir, std::string_view domain);

// The current offset of `fd`, so that the message can be read again from
// there; a descriptor that cannot seek is first copied to an unlinked
// temporary file (in $TMPDIR or /tmp) put in its place with dup2 (offset 0).
off_t rewindable_offset(int fd);

// qmail-remote's hook: the DKIM-Signature fields for the message on `fd`
// (read from its current offset), or "" when control/dkim has no key for
// its From: domain. Afterwards fd is back at that offset; a descriptor that
// cannot seek (a pipe, by hand) is first copied to an unlinked temporary
// file that takes its place (dup2). Throws TempError when a key or the
// message cannot be read. A header too long for read_header (64 MB) is
// sent unsigned.
std::string sign_outbound(const Home& home, int fd, std::time_t now);

}  // namespace mta::dkim
