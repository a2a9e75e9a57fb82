// mta/dkim/sign.cpp — DKIM signing and the key store (see sign.h).
#include "mta/dkim/sign.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <system_error>

#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/transfer_encoding.h"
#include "mta/dkim/canon.h"

namespace mta::dkim {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}


// Signed when present; the first group also when absent (over-signing).
constexpr std::string_view always_signed[] = {"From", "Reply-To", "Subject", "Date", "Message-ID", "To", "Cc"};
constexpr std::string_view signed_if_present[] = {"Sender", "In-Reply-To", "References", "MIME-Version",
                                                  "Content-Type", "Content-Transfer-Encoding", "Feedback-ID"};
constexpr std::string_view always_signed_lists[] = {"List-Unsubscribe-Post", "List-Unsubscribe"};

// fold_list - "h=" names joined by ':', broken onto continuation lines.
std::string fold_list(std::string_view tag, const std::vector<std::string>& items) {
  std::string out = cat(tag, "=");
  std::size_t column = 1 + out.size();
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string piece = items[i] + (i + 1 < items.size() ? ":" : ";");
    if (column + piece.size() > 76 && i > 0) {
      out += "\n\t";
      column = 1;
    }
    out += piece;
    column += piece.size();
  }
  return out;
}

// fold_base64 - b= value in lines of 64 characters.
std::string fold_base64(std::string_view b64) {
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    if (i) out += "\n\t ";
    out += b64.substr(i, 64);
  }
  return out;
}

// safe_domain - a From: domain we may turn into a path: LDH labels (and '_'),
// no empty label, so nothing like "..", "/" or a literal gets near the file system.
bool safe_domain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  std::size_t label = 0;
  for (char c : d) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

std::size_t count_fields(const message::Header& header, std::string_view name) {
  std::size_t n = 0;
  for (const auto& f : header.fields) n += address::iequals(f.name, name);
  return n;
}

// nth_from_bottom - the field called `name` that is `n` instances above the
// last one, or nullptr.
const message::Field* nth_from_bottom(const message::Header& header, std::string_view name, std::size_t n) {
  for (auto f = header.fields.rbegin(); f != header.fields.rend(); ++f)
    if (address::iequals(f->name, name) && n-- == 0) return &*f;
  return nullptr;
}

bool is_list_field(std::string_view name) {
  return name.size() >= 5 && address::iequals(name.substr(0, 5), "list-");
}

// taken_before - RFC 6376 5.4.2: a name listed more than once in h= takes
// its instances from the bottom up; this is how many instances of
// names[i] the earlier entries took.
std::size_t taken_before(const std::vector<std::string>& names, std::size_t i) {
  std::size_t taken = 0;
  for (std::size_t j = 0; j < i; ++j) taken += address::iequals(names[j], names[i]);
  return taken;
}

// field_without_b - the DKIM-Signature field up to "b=" (RFC 6376 3.5),
// the part the signature covers.
std::string field_without_b(std::string_view body_hash, const PrivateKey& key, const SignatureSpec& spec) {
  std::string field = cat("DKIM-Signature: v=1; a=", algorithm_name(key.algorithm()), "; c=relaxed/relaxed; d=",
                          spec.domain, "; s=", spec.selector, ";\n\t");
  if (!spec.identity.empty()) field += cat("i=", spec.identity, "; ");
  if (spec.timestamp) field += cat("t=", std::to_string(spec.timestamp), "; ");
  if (spec.expires) field += cat("x=", std::to_string(spec.expires), ";");
  if (field.back() == ' ') field.pop_back();
  field += cat("\n\t", fold_list("h", spec.headers), "\n\tbh=", mta::cte::base64_encode(body_hash), ";\n\tb=");
  return field;
}

// with_b - the whole field: `field` (from field_without_b) and the signature.
std::string with_b(std::string_view field, std::string_view signature) {
  return cat(field, fold_base64(mta::cte::base64_encode(signature)), "\n");
}

// append_signed_field - the signature field as it enters the hash: relaxed,
// without its final CR LF (RFC 6376 3.7).
void append_signed_field(std::string& out, Canon canon, std::string_view field) {
  append_canonical_header(out, canon, field);
  if (out.ends_with("\r\n")) out.resize(out.size() - 2);
}

}  // namespace

std::vector<std::string> headers_to_sign(const message::Header& header) {
  std::vector<std::string> names;
  names.reserve(32);
  auto add = [&](std::string_view name, bool even_if_absent) {
    std::size_t n = count_fields(header, name);
    if (n == 0 && !even_if_absent) return;
    for (std::size_t i = 0; i <= n; ++i) names.emplace_back(name);
  };
  for (auto n : always_signed) add(n, true);
  for (auto n : signed_if_present) add(n, false);
  // every other List-* field, in the order they first appear
  for (auto f = header.fields.begin(); f != header.fields.end(); ++f) {
    if (!is_list_field(f->name) || address::iequals(f->name, "List-Unsubscribe") ||
        address::iequals(f->name, "List-Unsubscribe-Post"))
      continue;
    auto first = std::find_if(header.fields.begin(), f, [&](const auto& g) { return address::iequals(g.name, f->name); });
    if (first == f) add(f->name, false);
  }
  // Last, List-Unsubscribe: the one field a one-click copy has of its own,
  // so that CopySigner hashes everything before it once per message.
  for (auto n : always_signed_lists) add(n, true);
  return names;
}

// header_hash_input - RFC 6376 5.4.2: for a name listed more than once, the
// instances are taken from the bottom up (taken_before); a name with none
// left adds nothing. One string, no per-field temporaries.
std::string header_hash_input(const message::Header& header, const std::vector<std::string>& names, Canon canon,
                              std::string_view signature_field) {
  std::string out;
  std::size_t size = signature_field.size();
  for (const auto& f : header.fields) size += f.raw.size();
  out.reserve(size + size / 8 + 64);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (const message::Field* f = nth_from_bottom(header, names[i], taken_before(names, i)))
      append_canonical_header(out, canon, f->raw);
  append_signed_field(out, canon, signature_field);
  return out;
}

std::string make_signature_field(const message::Header& header, std::string_view body_hash, const PrivateKey& key,
                                 const SignatureSpec& spec) {
  std::string field = field_without_b(body_hash, key, spec);
  return with_b(field, key.sign(header_hash_input(header, spec.headers, Canon::relaxed, field)));
}

std::string Signer::sign(const message::Header& header, std::string_view body_hash, std::time_t now,
                         std::time_t expiry) const {
  std::vector<std::string> names = headers_to_sign(header);
  std::string out;
  for (const auto& k : keys_) {
    SignatureSpec spec{k.domain, k.selector, names, now, expiry ? now + expiry : 0, {}};
    out += make_signature_field(header, body_hash, k.key, spec);
  }
  return out;
}

CopySigner::CopySigner(const Signer& signer, const message::Header& model, const std::vector<std::string>& varying,
                       std::string_view body_hash, std::time_t now, std::time_t expiry) {
  auto is_varying = [&](std::string_view name) {
    return std::any_of(varying.begin(), varying.end(), [&](const auto& v) { return address::iequals(v, name); });
  };
  for (const auto& f : model.fields) model_varying_ += is_varying(f.name);
  std::vector<std::string> names = headers_to_sign(model);
  // The prefix: the entries before the first varying one, hashed now.
  std::size_t split = 0;
  while (split < names.size() && !is_varying(names[split])) ++split;
  std::string prefix;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::size_t taken = taken_before(names, i);
    if (i >= split) {
      suffix_.push_back({names[i], taken, is_varying(names[i]), {}});
      if (!suffix_.back().varying)
        if (const message::Field* f = nth_from_bottom(model, names[i], taken))
          append_canonical_header(suffix_.back().model_form, Canon::relaxed, f->raw);
    } else if (const message::Field* f = nth_from_bottom(model, names[i], taken)) {
      append_canonical_header(prefix, Canon::relaxed, f->raw);
    }
  }
  prefix_.update(prefix);
  for (const auto& k : signer.keys()) {
    SignatureSpec spec{k.domain, k.selector, names, now, expiry ? now + expiry : 0, {}};
    std::string field = field_without_b(body_hash, k.key, spec);
    std::string form;
    append_signed_field(form, Canon::relaxed, field);
    keys_.push_back({&k.key, std::move(field), std::move(form)});
  }
}

std::string CopySigner::sign(std::span<const message::Field> fields) const {
  if (fields.size() != model_varying_) throw TempError("a copy's fields do not match its model", "4.3.0");
  std::string copy_form;
  for (const Entry& e : suffix_) {
    if (!e.varying) {
      copy_form += e.model_form;
      continue;
    }
    std::size_t n = e.taken;  // the field `taken` instances above the copy's last one of this name
    for (auto f = fields.rbegin(); f != fields.rend(); ++f)
      if (address::iequals(f->name, e.name) && n-- == 0) {
        append_canonical_header(copy_form, Canon::relaxed, f->raw);
        break;
      }
  }
  std::string out;
  for (const Key& k : keys_) {
    Sha256 hash(prefix_);
    hash.update(copy_form);
    hash.update(k.signed_form);
    out += with_b(k.field, k.key->sign_digest(hash.final()));
  }
  return out;
}

std::string_view first_body_bytes(const message::Header& header) {
  if (header.blank_inserted && (header.body_start == "\r\n" || header.body_start == "\r")) return {};
  return header.body_start;
}

std::string body_hash(const message::Header& header, io::Reader& rest, Canon canon) {
  BodyHasher body(canon);
  body.feed(first_body_bytes(header));
  std::string chunk(65536, '\0');
  while (std::size_t n = rest.read(chunk.data(), chunk.size())) body.feed(std::string_view(chunk.data(), n));
  return body.finish();
}

std::string Signer::sign_stream(io::Reader& in, std::time_t now) const {
  message::Header header = message::read_header(in);
  return sign(header, body_hash(header, in, Canon::relaxed), now);
}

std::string from_domain(const message::Header& header) {
  const message::Field* from = header.find("From");
  if (!from) return {};
  try {
    for (const auto& item : address::parse_address_list(from->value()))
      for (const auto& mbox : item.members) {
        auto split = address::split_at_last(mbox.address);
        if (split.has_at && !split.domain.empty()) return to_lower(split.domain);
      }
  } catch (const address::AddressError&) {
  }
  return {};
}

std::vector<SigningKey> load_keys(const std::filesystem::path& dkim_dir, std::string_view domain_in) {
  namespace fs = std::filesystem;
  std::vector<SigningKey> keys;
  std::string domain = to_lower(domain_in);
  if (!safe_domain(domain)) return keys;
  for (std::string_view d = domain;;) {
    fs::path dir = dkim_dir / std::string(d);
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) files.push_back(it->path());
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
      throw TempError(cat("unable to read ", dir.string(), ": ", ec.message()));
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::string ext = file.extension().string();
      if (ext != ".rsa" && ext != ".ed25519") continue;  // README, .tmp and friends
      auto pem = io::read_file(file);
      if (!pem) continue;  // vanished meanwhile
      try {
        PrivateKey key = PrivateKey::from_pem(*pem);
        Algorithm want = ext == ".rsa" ? Algorithm::rsa_sha256 : Algorithm::ed25519_sha256;
        if (key.algorithm() != want) throw KeyError(cat("the key is not of the type its name says (", ext, ")"));
        keys.push_back({std::string(d), file.stem().string(), std::move(key)});
      } catch (const KeyError& e) {
        throw TempError(cat("DKIM key ", file.string(), ": ", e.what()));
      }
    }
    if (!keys.empty()) return keys;
    // relaxed alignment: try the parent domain, but never a bare top-level label
    std::size_t dot = d.find('.');
    if (dot == std::string_view::npos || d.find('.', dot + 1) == std::string_view::npos) return keys;
    d.remove_prefix(dot + 1);
  }
}

namespace {

// spool_to_file - copy an unseekable fd into an unlinked temporary file that
// then takes its place, so the message can be read twice.
void spool_to_file(int fd) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
  io::Fd tmp(::open(dir.c_str(), O_TMPFILE | O_RDWR, 0600));
  if (!tmp) {
    std::string name = dir + "/dkimXXXXXX";
    tmp.reset(mkstemp(name.data()));
    if (!tmp) throw_errno(cat("unable to create a temporary file in ", dir));
    ::unlink(name.c_str());
  }
  std::string buf(65536, '\0');
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("unable to read the message");
    if (n == 0) break;
    io::write_all(tmp.get(), std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
  if (::lseek(tmp.get(), 0, SEEK_SET) < 0 || ::dup2(tmp.get(), fd) < 0) throw_errno("unable to rewind the message");
}

}  // namespace

off_t rewindable_offset(int fd) {
  off_t start = ::lseek(fd, 0, SEEK_CUR);
  if (start >= 0) return start;
  if (errno != ESPIPE) throw_errno("unable to seek in the message");
  spool_to_file(fd);
  return 0;
}

std::string sign_outbound(const Home& home, int fd, std::time_t now) {
  std::filesystem::path dir = home.control() / "dkim";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return {};  // no DKIM configured: not a byte read
  off_t start = rewindable_offset(fd);
  io::Reader in(fd);
  std::string fields;
  std::optional<message::Header> header;
  try {
    header = message::read_header(in);
  } catch (const message::HeaderTooLong&) {
    // Over 64 MB of header: nothing a receiver would check; send it as it is.
  }
  std::vector<SigningKey> keys;
  if (header) keys = load_keys(dir, from_domain(*header));
  if (!keys.empty()) {
    fields = Signer(std::move(keys)).sign(*header, body_hash(*header, in, Canon::relaxed), now);
  }
  if (::lseek(fd, start, SEEK_SET) < 0) throw_errno("unable to rewind the message");
  return fields;
}

}  // namespace mta::dkim
