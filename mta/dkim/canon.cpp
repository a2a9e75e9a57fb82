// mta/dkim/canon.cpp — DKIM canonicalization (see canon.h).
#include "mta/dkim/canon.h"

#include <openssl/evp.h>

#include "mta/core/exitcodes.h"

namespace mta::dkim {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

}  // namespace

namespace {

// append_relaxed - RFC 6376 3.4.2, steps in the order the RFC gives them.
// Runs of visible bytes are appended whole: a signer canonicalizes every
// signed field of every copy it signs.
void append_relaxed(std::string& out, std::string_view name, std::string_view value) {
  for (char c : name) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  out += ':';
  bool wsp = false, started = false;
  std::size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == '\n' || (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n')) {  // unfold
      ++i;
      continue;
    }
    if (is_wsp(c)) {
      wsp = true;
      ++i;
      continue;
    }
    if (wsp && started) out += ' ';  // leading WSP of the value goes, inner runs become one SP
    wsp = false;
    started = true;
    // the run ends at white space or a line break (a CR not before LF is data)
    std::size_t end = i + 1;
    for (; end < value.size(); ++end) {
      char d = value[end];
      if (d == ' ' || d == '\t' || d == '\n' || (d == '\r' && end + 1 < value.size() && value[end + 1] == '\n')) break;
    }
    out.append(value.substr(i, end - i));
    i = end;
  }
  out += "\r\n";
}

void append_simple(std::string& out, std::string_view raw) {
  std::size_t start = out.size();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) out += '\r';
    out += raw[i];
  }
  if (out.size() == start || out.back() != '\n') out += "\r\n";
}

}  // namespace

std::string relaxed_header(std::string_view name, std::string_view value) {
  std::string out;
  out.reserve(name.size() + value.size() + 3);
  append_relaxed(out, name, value);
  return out;
}

std::string simple_header(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + 8);
  append_simple(out, raw);
  return out;
}

void append_canonical_header(std::string& out, Canon c, std::string_view raw) {
  if (c == Canon::simple) return append_simple(out, raw);
  std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return append_relaxed(out, raw, "");
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);  // "Subject :" (WSP before the colon goes)
  append_relaxed(out, name, raw.substr(colon + 1));
}

std::string canonical_header(Canon c, std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + 8);
  append_canonical_header(out, c, raw);
  return out;
}

struct Sha256::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) throw TempError("SHA-256 is unavailable");
}

Sha256::Sha256(const Sha256& other) : ctx_(std::make_unique<Ctx>()) {
  if (!ctx_->md || EVP_MD_CTX_copy_ex(ctx_->md, other.ctx_->md) != 1) throw TempError("SHA-256 is unavailable");
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_->md, data.data(), data.size()) != 1) throw TempError("SHA-256 failed");
}

std::string Sha256::final() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx_->md, digest, &n) != 1) throw TempError("SHA-256 failed");
  return std::string(reinterpret_cast<char*>(digest), n);
}

std::string sha256(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.final();
}

BodyHasher::BodyHasher(Canon canon, std::optional<std::uint64_t> limit) : canon_(canon), limit_(limit) {
  out_.reserve(16384);
}

// emit - canonical bytes; the hash sees at most `limit` of them.
void BodyHasher::emit(std::string_view bytes) {
  std::uint64_t before = length_;
  length_ += bytes.size();
  if (limit_) {
    if (before >= *limit_) return;
    bytes = bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), *limit_ - before)));
  }
  out_.append(bytes);
  if (out_.size() >= 16384) {
    sha_.update(out_);
    out_.clear();
  }
}

// content - one byte of a line that is not a line end.
void BodyHasher::content(char c) {
  if (canon_ == Canon::relaxed && is_wsp(c)) {
    pending_wsp_ = true;
    return;
  }
  // A visible byte: the empty lines before it are inside the body after all.
  if (!line_has_content_) {
    for (; empty_lines_; --empty_lines_) emit("\r\n");
    line_has_content_ = true;
  }
  if (pending_wsp_) emit(" ");
  pending_wsp_ = false;
  emit(std::string_view(&c, 1));
}

void BodyHasher::end_line() {
  // Relaxed: trailing white space is dropped, so a blank line is empty.
  if (canon_ == Canon::simple && pending_wsp_) panic("BodyHasher: white space pending in simple mode");
  pending_wsp_ = false;
  if (line_has_content_) {
    emit("\r\n");
    any_line_ = true;
  } else {
    ++empty_lines_;
  }
  line_has_content_ = false;
}

void BodyHasher::feed(std::string_view data) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        end_line();
        continue;
      }
      content('\r');
    }
    if (c == '\r') pending_cr_ = true;
    else if (c == '\n') end_line();
    else content(c);
  }
}

std::string BodyHasher::finish() {
  if (pending_cr_) content('\r');
  pending_cr_ = false;
  if (line_has_content_) end_line();  // a last line without a line break gets one
  // Simple: an empty body is one CRLF (RFC 6376 3.4.3); relaxed: nothing (3.4.4).
  if (canon_ == Canon::simple && !any_line_) emit("\r\n");
  sha_.update(out_);
  out_.clear();
  return sha_.final();
}

}  // namespace mta::dkim
