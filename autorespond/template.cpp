// autorespond/template.cpp — see template.h.
#include "autorespond/template.h"

#include <cerrno>
#include <cstring>

#include "autorespond/mime.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace autorespond {

namespace {

// A template is a few kilobytes; this only stops a mistake (MESSAGE pointing
// at a mailbox) from being read into memory.
constexpr std::size_t max_template_bytes = 1 << 20;

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

Template parse_template(std::string_view text) {
  if (blank(text)) throw TemplateError("message file is empty");
  if (text.find('\0') != std::string_view::npos) throw TemplateError("message file is binary (NUL bytes)");
  if (text.size() > max_template_bytes) throw TemplateError("message file is too large");
  // A message file edited on Windows ends its lines in CRLF: read it as LF.
  std::string lf;
  lf.reserve(text.size());
  for (std::size_t k = 0; k < text.size(); ++k) {
    if (text[k] == '\r' && k + 1 < text.size() && text[k + 1] == '\n') continue;
    lf.push_back(text[k]);
  }
  Template t;
  auto in = mta::io::Reader::from_string(std::move(lf));
  t.header = mta::message::read_header(in);
  // A bare CR left in a header field would end up in the reply's header.
  for (const auto& f : t.header.fields) {
    if (f.raw.find('\r') != std::string::npos)
      throw TemplateError(mta::cat("message file has a carriage return in its ", f.name, " field"));
  }
  t.body = t.header.body_start + in.read_all();
  if (blank(t.body)) throw TemplateError("message file has header fields but no text");
  // The MIME fields are copied into the reply as they are (a MIME template
  // goes out whole), so they must already be what RFC 2045 allows: ASCII.
  for (const char* name : {"Content-Type", "Content-Transfer-Encoding"}) {
    for (const auto* f : t.header.find_all(name)) {
      if (!mime::is_ascii(f->raw))
        throw TemplateError(mta::cat("message file has a ", name, " field that is not plain ASCII"));
    }
  }
  if (!mime::is_utf8(t.body) && !t.header.has("Content-Type"))
    throw TemplateError("message file has 8-bit text that is not UTF-8 and no Content-Type charset");
  return t;
}

Template load_template(const std::filesystem::path& path) {
  std::optional<std::string> text;
  try {
    text = mta::io::read_file(path);
  } catch (const mta::MailError& e) {
    throw TemplateError(e.what());
  }
  if (!text) throw TemplateError(mta::cat("unable to read message file ", path.string(), ": does not exist"));
  try {
    return parse_template(*text);
  } catch (const TemplateError& e) {
    throw TemplateError(mta::cat(e.what(), ": ", path.string()));
  }
}

std::string substitute(std::string_view text, std::string_view subject, std::string_view sender) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t k = 0; k < text.size(); ++k) {
    if (text[k] != '%' || k + 1 == text.size()) {
      out.push_back(text[k]);
      continue;
    }
    switch (text[k + 1]) {
      case 'S': out.append(subject); ++k; break;
      case 's': out.append(sender); ++k; break;
      case '%': out.push_back('%'); ++k; break;
      default: out.push_back('%'); break;
    }
  }
  return out;
}

}  // namespace autorespond
