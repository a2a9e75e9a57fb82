// mta/dkim/crypto.cpp — rsa-sha256 through OpenSSL EVP, ed25519-sha256
// through libsodium (see crypto.h).
#include "mta/dkim/crypto.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "mta/core/exitcodes.h"
#include "mta/core/transfer_encoding.h"
#include "mta/dkim/canon.h"
#include "mta/dkim/sodium.h"

namespace mta::dkim {

using sodium::sodium_ready;

void PkeyFree::operator()(void* p) const { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); }

Ed25519Secret::~Ed25519Secret() { sodium_memzero(bytes.data(), bytes.size()); }

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

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

PrivateKey PrivateKey::from_pem(std::string_view pem) {
  Bio bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  if (!bio.p) throw TempError("out of memory");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.p, nullptr, nullptr, nullptr));
  if (!key) throw KeyError(cat("not a PEM private key: ", openssl_error()));
  Algorithm a = algorithm_of(raw(key));
  if (a == Algorithm::ed25519_sha256) {
    // PKCS#8 holds the 32-byte seed; libsodium expands it (ed25519() below).
    unsigned char seed[crypto_sign_ed25519_SEEDBYTES];
    std::size_t n = sizeof seed;
    if (EVP_PKEY_get_raw_private_key(raw(key), seed, &n) != 1 || n != sizeof seed)
      throw KeyError(cat("unusable Ed25519 key: ", openssl_error()));
    PrivateKey out = ed25519(std::string_view(reinterpret_cast<char*>(seed), n));
    sodium_memzero(seed, sizeof seed);
    return out;
  }
  if (EVP_PKEY_get_bits(raw(key)) < 1024) throw KeyError("RSA key shorter than 1024 bits (RFC 8301)");
  return PrivateKey(std::move(key), a);
}

// ed25519 - the key of a 32-byte seed, expanded once (the secret scalar and
// the public key are derived from it; signing needs both).
PrivateKey PrivateKey::ed25519(std::string_view seed) {
  if (seed.size() != crypto_sign_ed25519_SEEDBYTES) throw KeyError("not an Ed25519 seed: not 32 bytes");
  sodium_ready();
  PrivateKey key(nullptr, Algorithm::ed25519_sha256);
  unsigned char pub[crypto_sign_ed25519_PUBLICKEYBYTES];
  if (crypto_sign_ed25519_seed_keypair(pub, key.ed_.bytes.data(), bytes(seed)) != 0)
    throw KeyError("not an Ed25519 seed");
  return key;
}

PrivateKey PrivateKey::ed25519_from_seed(std::string_view seed) { return ed25519(seed); }

PrivateKey PrivateKey::generate(Algorithm a) {
  if (a == Algorithm::ed25519_sha256) {
    sodium_ready();
    unsigned char seed[crypto_sign_ed25519_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    PrivateKey key = ed25519(std::string_view(reinterpret_cast<char*>(seed), sizeof seed));
    sodium_memzero(seed, sizeof seed);
    return key;
  }
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (!key) throw TempError(cat("unable to make a key: ", openssl_error()));
  return PrivateKey(PkeyPtr(key), a);
}

// An Ed25519 key's size as OpenSSL states it (the group order's bits).
unsigned PrivateKey::bits() const {
  return algorithm_ == Algorithm::ed25519_sha256 ? 253u : static_cast<unsigned>(EVP_PKEY_get_bits(raw(key_)));
}

std::string PrivateKey::to_pem() const {
  PkeyPtr ed;
  EVP_PKEY* key = raw(key_);
  if (algorithm_ == Algorithm::ed25519_sha256) {
    // PKCS#8 of the seed, the first half of libsodium's secret key.
    ed.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, ed_.bytes.data(), crypto_sign_ed25519_SEEDBYTES));
    if (!ed) throw TempError(cat("unable to write the key: ", openssl_error()));
    key = raw(ed);
  }
  Bio bio{BIO_new(BIO_s_mem())};
  if (!bio.p || PEM_write_bio_PrivateKey(bio.p, key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw TempError(cat("unable to write the key: ", openssl_error()));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.p, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string PrivateKey::public_record_value() const {
  if (algorithm_ == Algorithm::ed25519_sha256) {
    // libsodium's secret key ends with the public key (crypto_sign_ed25519_sk_to_pk).
    const auto* pub = ed_.bytes.data() + crypto_sign_ed25519_SEEDBYTES;
    return mta::cte::base64_encode(std::string_view(reinterpret_cast<const char*>(pub), crypto_sign_ed25519_PUBLICKEYBYTES));
  }
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(raw(key_), &der);
  if (n <= 0) throw TempError(openssl_error());
  std::string out = mta::cte::base64_encode(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(n)));
  OPENSSL_free(der);
  return out;
}

// sign - Ed25519 signs the SHA-256 of the data (RFC 8463 3); RSA hashes
// the data itself inside EVP_DigestSign.
std::string PrivateKey::sign(std::string_view data) const {
  if (algorithm_ == Algorithm::ed25519_sha256) {
    std::string digest = sha256(data);
    std::string sig(crypto_sign_ed25519_BYTES, '\0');
    if (crypto_sign_ed25519_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, bytes(digest),
                                     digest.size(), ed_.bytes.data()) != 0)
      throw TempError("unable to sign");
    return sig;
  }
  MdCtx ctx;
  std::size_t n = 0;
  if (!ctx.p || EVP_DigestSignInit(ctx.p, nullptr, EVP_sha256(), nullptr, raw(key_)) != 1 ||
      EVP_DigestSign(ctx.p, nullptr, &n, bytes(data), data.size()) != 1)
    throw TempError(cat("unable to sign: ", openssl_error()));
  std::string sig(n, '\0');
  if (EVP_DigestSign(ctx.p, reinterpret_cast<unsigned char*>(sig.data()), &n, bytes(data), data.size()) != 1)
    throw TempError(cat("unable to sign: ", openssl_error()));
  sig.resize(n);
  return sig;
}

namespace {

bool verify_ed25519(std::string_view public_key, std::string_view data, std::string_view signature) {
  if (public_key.size() != crypto_sign_ed25519_PUBLICKEYBYTES)
    throw KeyError("the key record's p= is not an Ed25519 public key");
  if (signature.size() != crypto_sign_ed25519_BYTES) return false;
  sodium_ready();
  std::string digest = sha256(data);
  return crypto_sign_ed25519_verify_detached(bytes(signature), bytes(digest), digest.size(), bytes(public_key)) == 0;
}

bool verify_rsa(std::string_view public_key, std::string_view data, std::string_view signature) {
  PkeyPtr key;
  const unsigned char* p = bytes(public_key);
  key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(public_key.size())));
  if (!key) {
    // Some publish the bare PKCS#1 RSAPublicKey; accept that too.
    p = bytes(public_key);
    key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(public_key.size())));
  }
  ERR_clear_error();
  if (!key || EVP_PKEY_get_base_id(raw(key)) != EVP_PKEY_RSA) throw KeyError("the key record's p= is not an RSA public key");
  if (EVP_PKEY_get_bits(raw(key)) < 1024) throw KeyError("RSA key shorter than 1024 bits (RFC 8301)");
  MdCtx ctx;
  if (!ctx.p || EVP_DigestVerifyInit(ctx.p, nullptr, EVP_sha256(), nullptr, raw(key)) != 1) {
    ERR_clear_error();
    throw KeyError("unusable public key");
  }
  int ok = EVP_DigestVerify(ctx.p, bytes(signature), signature.size(), bytes(data), data.size());
  ERR_clear_error();
  return ok == 1;
}

}  // namespace

bool verify_signature(Algorithm a, std::string_view public_key, std::string_view data, std::string_view signature) {
  return a == Algorithm::ed25519_sha256 ? verify_ed25519(public_key, data, signature)
                                        : verify_rsa(public_key, data, signature);
}

}  // namespace mta::dkim
