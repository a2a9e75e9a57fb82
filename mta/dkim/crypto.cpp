// mta/dkim/crypto.cpp — rsa-sha256 through OpenSSL EVP, ed25519-sha256
// through libsodium (see crypto.h).
#include "mta/dkim/crypto.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>

#include "mta/core/exitcodes.h"
#include "mta/core/sodium.h"
#include "mta/core/transfer_encoding.h"
#include "mta/dkim/canon.h"

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

struct PkeyCtx {
  EVP_PKEY_CTX* p;
  ~PkeyCtx() { EVP_PKEY_CTX_free(p); }
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

// The seed of an Ed25519 key, wiped when it goes.
struct Seed {
  unsigned char bytes[crypto_sign_ed25519_SEEDBYTES];
  ~Seed() { sodium_memzero(bytes, sizeof bytes); }
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes), sizeof bytes}; }
};

// pkcs8_ed25519_seed - the seed of an unencrypted PKCS#8 Ed25519 key
// (RFC 8410: an OCTET STRING of 32 bytes in the privateKey), read with
// OpenSSL's PEM and ASN.1 decoders alone. False for anything else, which
// PEM_read_bio_PrivateKey then reads. That one first sets up OpenSSL 3's
// decoder framework, about 11 million instructions: two thirds of a whole
// qmail-remote run, which loads its keys every run, and nothing this fixed
// structure needs.
bool pkcs8_ed25519_seed(std::string_view pem, Seed& seed) {
  Bio bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* der = nullptr;
  long len = 0;
  bool ok = bio.p && PEM_read_bio(bio.p, &name, &header, &der, &len) == 1 && std::string_view(name) == "PRIVATE KEY" &&
            *header == '\0';
  PKCS8_PRIV_KEY_INFO* p8 = nullptr;
  if (ok) {
    const unsigned char* p = der;
    p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, len);
    ok = p8 && p == der + len;
  }
  const ASN1_OBJECT* oid = nullptr;
  const unsigned char* pk = nullptr;
  int pk_len = 0, param_type = 0;
  const X509_ALGOR* alg = nullptr;
  ok = ok && PKCS8_pkey_get0(&oid, &pk, &pk_len, &alg, p8) == 1;
  if (ok) X509_ALGOR_get0(nullptr, &param_type, nullptr, alg);
  ok = ok && OBJ_obj2nid(oid) == NID_ED25519 && param_type == V_ASN1_UNDEF;  // no parameters (RFC 8410 3)
  ASN1_OCTET_STRING* inner = nullptr;
  if (ok) {
    const unsigned char* p = pk;
    inner = d2i_ASN1_OCTET_STRING(nullptr, &p, pk_len);
    ok = inner && p == pk + pk_len && ASN1_STRING_length(inner) == crypto_sign_ed25519_SEEDBYTES;
  }
  if (ok) std::memcpy(seed.bytes, ASN1_STRING_get0_data(inner), sizeof seed.bytes);
  ASN1_STRING_clear_free(inner);
  PKCS8_PRIV_KEY_INFO_free(p8);  // wipes the key it holds
  OPENSSL_clear_free(der, static_cast<std::size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  ERR_clear_error();
  return ok;
}

}  // namespace

PrivateKey PrivateKey::from_pem(std::string_view pem) {
  if (Seed seed; pkcs8_ed25519_seed(pem, seed)) return ed25519_from_seed(seed.view());
  Bio bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  if (!bio.p) throw TempError("out of memory");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.p, nullptr, nullptr, nullptr));
  if (!key) throw KeyError(cat("not a PEM private key: ", openssl_error()));
  Algorithm a = algorithm_of(raw(key));
  if (a == Algorithm::ed25519_sha256) {
    // Another form OpenSSL reads: it gives the 32-byte seed; libsodium expands it.
    Seed seed;
    std::size_t n = sizeof seed.bytes;
    if (EVP_PKEY_get_raw_private_key(raw(key), seed.bytes, &n) != 1 || n != sizeof seed.bytes)
      throw KeyError(cat("unusable Ed25519 key: ", openssl_error()));
    return ed25519_from_seed(seed.view());
  }
  if (EVP_PKEY_get_bits(raw(key)) < 1024) throw KeyError("RSA key shorter than 1024 bits (RFC 8301)");
  return PrivateKey(std::move(key), a);
}

PrivateKey PrivateKey::ed25519_from_seed(std::string_view seed) {
  if (seed.size() != crypto_sign_ed25519_SEEDBYTES) throw KeyError("not an Ed25519 seed: not 32 bytes");
  sodium_ready();
  PrivateKey key(nullptr, Algorithm::ed25519_sha256);
  unsigned char pub[crypto_sign_ed25519_PUBLICKEYBYTES];
  if (crypto_sign_ed25519_seed_keypair(pub, key.ed_.bytes.data(), bytes(seed)) != 0)
    throw KeyError("not an Ed25519 seed");
  return key;
}

PrivateKey PrivateKey::generate(Algorithm a) {
  if (a == Algorithm::ed25519_sha256) {
    sodium_ready();
    Seed seed;
    randombytes_buf(seed.bytes, sizeof seed.bytes);
    return ed25519_from_seed(seed.view());
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

// sign_digest - Ed25519 signs the digest itself (RFC 8463 3: the SHA-256
// is the message Ed25519 signs); RSA makes the PKCS#1 v1.5 signature of a
// SHA-256 digest, the bytes EVP_DigestSign would make from the data.
std::string PrivateKey::sign_digest(std::string_view digest) const {
  if (digest.size() != 32) throw TempError("unable to sign: not a SHA-256 digest");
  if (algorithm_ == Algorithm::ed25519_sha256) {
    std::string sig(crypto_sign_ed25519_BYTES, '\0');
    if (crypto_sign_ed25519_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, bytes(digest),
                                     digest.size(), ed_.bytes.data()) != 0)
      throw TempError("unable to sign");
    return sig;
  }
  PkeyCtx ctx{EVP_PKEY_CTX_new(raw(key_), nullptr)};
  std::size_t n = 0;
  if (!ctx.p || EVP_PKEY_sign_init(ctx.p) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.p, RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.p, EVP_sha256()) != 1 ||
      EVP_PKEY_sign(ctx.p, nullptr, &n, bytes(digest), digest.size()) != 1)
    throw TempError(cat("unable to sign: ", openssl_error()));
  std::string sig(n, '\0');
  if (EVP_PKEY_sign(ctx.p, reinterpret_cast<unsigned char*>(sig.data()), &n, bytes(digest), digest.size()) != 1)
    throw TempError(cat("unable to sign: ", openssl_error()));
  sig.resize(n);
  return sig;
}

std::string PrivateKey::sign(std::string_view data) const { return sign_digest(sha256(data)); }

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
