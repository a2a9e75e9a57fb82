// mta/dkim/crypto.cpp — rsa-sha256 and ed25519-sha256 through OpenSSL EVP.
#include "mta/dkim/crypto.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "mta/core/exitcodes.h"
#include "mta/core/transfer_encoding.h"
#include "mta/dkim/canon.h"

namespace mta::dkim {

void PkeyFree::operator()(void* p) const { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); }

namespace {

EVP_PKEY* raw(const PkeyPtr& p) { return static_cast<EVP_PKEY*>(p.get()); }

// openssl_error - the last OpenSSL error as text (and the queue cleared).
std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct MdCtx {
  EVP_MD_CTX* p = EVP_MD_CTX_new();
  ~MdCtx() { EVP_MD_CTX_free(p); }
};

struct Bio {
  BIO* p;
  ~Bio() { BIO_free(p); }
};

Algorithm algorithm_of(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) return Algorithm::rsa_sha256;
  if (id == EVP_PKEY_ED25519) return Algorithm::ed25519_sha256;
  throw KeyError("the key is neither RSA nor Ed25519");
}

// signed_input - what the algorithm itself signs: RSA hashes the data inside
// EVP_DigestSign; Ed25519 signs the SHA-256 of it (RFC 8463 3).
std::string signed_input(Algorithm a, std::string_view data) {
  return a == Algorithm::ed25519_sha256 ? sha256(data) : std::string(data);
}

}  // namespace

PrivateKey PrivateKey::from_pem(std::string_view pem) {
  Bio bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  if (!bio.p) throw TempError("out of memory");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.p, nullptr, nullptr, nullptr));
  if (!key) throw KeyError(cat("not a PEM private key: ", openssl_error()));
  Algorithm a = algorithm_of(raw(key));
  if (a == Algorithm::rsa_sha256 && EVP_PKEY_get_bits(raw(key)) < 1024)
    throw KeyError("RSA key shorter than 1024 bits (RFC 8301)");
  return PrivateKey(std::move(key), a);
}

PrivateKey PrivateKey::ed25519_from_seed(std::string_view seed) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (!key) throw KeyError(cat("not an Ed25519 seed: ", openssl_error()));
  return PrivateKey(std::move(key), Algorithm::ed25519_sha256);
}

PrivateKey PrivateKey::generate(Algorithm a) {
  EVP_PKEY* key = a == Algorithm::rsa_sha256 ? EVP_RSA_gen(2048) : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!key) throw TempError(cat("unable to make a key: ", openssl_error()));
  return PrivateKey(PkeyPtr(key), a);
}

unsigned PrivateKey::bits() const { return static_cast<unsigned>(EVP_PKEY_get_bits(raw(key_))); }

std::string PrivateKey::to_pem() const {
  Bio bio{BIO_new(BIO_s_mem())};
  if (!bio.p || PEM_write_bio_PrivateKey(bio.p, raw(key_), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw TempError(cat("unable to write the key: ", openssl_error()));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.p, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string PrivateKey::public_record_value() const {
  if (algorithm_ == Algorithm::ed25519_sha256) {
    unsigned char pub[32];
    std::size_t n = sizeof pub;
    if (EVP_PKEY_get_raw_public_key(raw(key_), pub, &n) != 1) throw TempError(openssl_error());
    return mta::cte::base64_encode(std::string_view(reinterpret_cast<char*>(pub), n));
  }
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(raw(key_), &der);
  if (n <= 0) throw TempError(openssl_error());
  std::string out = mta::cte::base64_encode(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(n)));
  OPENSSL_free(der);
  return out;
}

std::string PrivateKey::sign(std::string_view data) const {
  std::string input = signed_input(algorithm_, data);
  MdCtx ctx;
  const EVP_MD* md = algorithm_ == Algorithm::rsa_sha256 ? EVP_sha256() : nullptr;
  std::size_t n = 0;
  if (!ctx.p || EVP_DigestSignInit(ctx.p, nullptr, md, nullptr, raw(key_)) != 1 ||
      EVP_DigestSign(ctx.p, nullptr, &n, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw TempError(cat("unable to sign: ", openssl_error()));
  std::string sig(n, '\0');
  if (EVP_DigestSign(ctx.p, reinterpret_cast<unsigned char*>(sig.data()), &n,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw TempError(cat("unable to sign: ", openssl_error()));
  sig.resize(n);
  return sig;
}

bool verify_signature(Algorithm a, std::string_view public_key, std::string_view data, std::string_view signature) {
  PkeyPtr key;
  const auto* bytes = reinterpret_cast<const unsigned char*>(public_key.data());
  if (a == Algorithm::ed25519_sha256) {
    key.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes, public_key.size()));
    if (!key) throw KeyError("the key record's p= is not an Ed25519 public key");
  } else {
    const unsigned char* p = bytes;
    key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(public_key.size())));
    if (!key) {
      // Some publish the bare PKCS#1 RSAPublicKey; accept that too.
      p = bytes;
      key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(public_key.size())));
    }
    ERR_clear_error();
    if (!key || EVP_PKEY_get_base_id(raw(key)) != EVP_PKEY_RSA) throw KeyError("the key record's p= is not an RSA public key");
    if (EVP_PKEY_get_bits(raw(key)) < 1024) throw KeyError("RSA key shorter than 1024 bits (RFC 8301)");
  }
  std::string input = signed_input(a, data);
  MdCtx ctx;
  const EVP_MD* md = a == Algorithm::rsa_sha256 ? EVP_sha256() : nullptr;
  if (!ctx.p || EVP_DigestVerifyInit(ctx.p, nullptr, md, nullptr, raw(key)) != 1) {
    ERR_clear_error();
    throw KeyError("unusable public key");
  }
  int ok = EVP_DigestVerify(ctx.p, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(input.data()), input.size());
  ERR_clear_error();
  return ok == 1;
}

}  // namespace mta::dkim
