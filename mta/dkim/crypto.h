// mta/dkim/crypto.h — the two DKIM signature algorithms: rsa-sha256 through
// OpenSSL EVP, ed25519-sha256 through libsodium.
//
// rsa-sha256 (RFC 6376 3.3.1): RSASSA-PKCS1-v1_5 over SHA-256 of the signed
// data. ed25519-sha256 (RFC 8463 3): pure Ed25519 over the SHA-256 of the
// signed data (the hash is the message Ed25519 signs). Keys on disk are PEM
// (PKCS#8 or traditional RSA); public keys come from the p= of a key record:
// DER SubjectPublicKeyInfo for RSA, the raw 32 bytes for Ed25519.
//
// Ed25519 is libsodium's (3-4 times faster than OpenSSL 3.0's EVP here,
// and a list's one-click fan-out signs every copy); OpenSSL still reads and
// writes the PEM files. An Ed25519 PrivateKey holds libsodium's 64-byte
// secret key (seed, then public key), expanded once when loaded and wiped
// when destroyed. libsodium is initialized (sodium_init, which probes the
// CPU) at the first Ed25519 key, so programs that never touch one do not
// pay for it. Ed25519 is deterministic: the signatures are byte for byte
// those OpenSSL made.
//
// Errors: KeyError (a key that cannot be loaded or is unfit: RSA under
// 1024 bits for verification, under 2048 for new keys) — callers decide
// whether that is a temporary problem (our own key file) or a failed
// verification (someone else's DNS record).
#pragma once

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "mta/dkim/tags.h"

namespace mta::dkim {

class KeyError : public std::runtime_error {
 public:
  explicit KeyError(const std::string& what) : std::runtime_error(what) {}
};

struct PkeyFree {
  void operator()(void* p) const;
};
using PkeyPtr = std::unique_ptr<void, PkeyFree>;  // an EVP_PKEY*, kept opaque here

// libsodium's Ed25519 secret key (32-byte seed, 32-byte public key),
// zeroed when destroyed (sodium_memzero, which the compiler cannot drop).
class Ed25519Secret {
 public:
  Ed25519Secret() = default;
  Ed25519Secret(const Ed25519Secret&) = default;
  Ed25519Secret& operator=(const Ed25519Secret&) = default;
  ~Ed25519Secret();
  std::array<unsigned char, 64> bytes{};
};

class PrivateKey {
 public:
  static PrivateKey from_pem(std::string_view pem);
  // An Ed25519 key from its 32-byte seed (RFC 8032 test vectors; also what
  // a key file holds), expanded once: signing needs the scalar and the
  // public key derived from it.
  static PrivateKey ed25519_from_seed(std::string_view seed);
  // A new key: RSA 2048 bits or Ed25519.
  static PrivateKey generate(Algorithm a);

  Algorithm algorithm() const { return algorithm_; }
  unsigned bits() const;
  // PKCS#8 PEM, unencrypted.
  std::string to_pem() const;
  // The p= value of the key record (base64).
  std::string public_record_value() const;
  // The raw signature of `data` (the canonical header block).
  std::string sign(std::string_view data) const;
  // The same from the SHA-256 of the data (32 bytes): a signer that hashed
  // the data piecewise (CopySigner) signs the digest.
  std::string sign_digest(std::string_view sha256_digest) const;

 private:
  PrivateKey(PkeyPtr key, Algorithm a) : key_(std::move(key)), algorithm_(a) {}
  PkeyPtr key_;          // RSA only
  Algorithm algorithm_;
  Ed25519Secret ed_;     // Ed25519 only
};

// True if `signature` is a valid signature of `data` under the public key
// of a key record (decoded p=). Throws KeyError for a key that cannot be used.
bool verify_signature(Algorithm a, std::string_view public_key, std::string_view data, std::string_view signature);

}  // namespace mta::dkim
