// autorespond/reply.cpp — see reply.h.
#include "autorespond/reply.h"

#include <array>

#include "autorespond/mime.h"
#include "mta/core/transfer_encoding.h"
#include "mta/core/address.h"
#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/text.h"

namespace autorespond {

namespace {

using mta::address::iequals;
using mta::message::Header;

// Template fields we write ourselves (or that make no sense in a reply).
bool replaced_field(std::string_view name) {
  static constexpr std::array names = {
      "From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted",
      "Precedence", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Delivered-To",
      "Return-Path", "Received", "Bcc", "MBOX-Line"};
  for (std::string_view n : names)
    if (iequals(name, n)) return true;
  return false;
}

bool address_field(std::string_view name) {
  static constexpr std::array names = {"Reply-To", "Cc", "Sender", "Mail-Followup-To"};
  for (std::string_view n : names)
    if (iequals(name, n)) return true;
  return false;
}

using mta::text::trim;

// Control characters (a decoded word may hold CR LF) become spaces, so that
// nothing from the original can start a header field of its own.
std::string no_controls(std::string s) {
  for (char& c : s)
    if ((static_cast<unsigned char>(c) < 32 && c != '\t') || c == 127) c = ' ';
  return s;
}

// The msg-ids ("<...>") in a field value, in order.
std::vector<std::string> msg_ids(std::string_view value) {
  std::vector<std::string> ids;
  std::string v = mta::message::unfold(value);
  for (std::size_t k = v.find('<'); k != std::string::npos; k = v.find('<', k + 1)) {
    std::size_t end = v.find('>', k);
    if (end == std::string::npos) break;
    std::string id = v.substr(k, end - k + 1);
    bool ok = id.size() > 2 && id.find_first_of(" \t<", 1) == std::string::npos && mime::is_ascii(id);
    for (char c : id)
      if (static_cast<unsigned char>(c) < 32) ok = false;
    if (ok) ids.push_back(std::move(id));
    k = end;
  }
  return ids;
}

// "Name: id id ..." folded before 78 columns.
std::string id_field(std::string_view name, const std::vector<std::string>& ids) {
  std::string out(name);
  out += ":";
  std::size_t column = out.size();
  for (const auto& id : ids) mime::append_word(out, column, id, true, column > name.size() + 1);
  out += '\n';
  return out;
}

// LF line ends; no CR before them.
std::string lf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t k = 0; k < text.size(); ++k) {
    if (text[k] == '\r' && k + 1 < text.size() && text[k + 1] == '\n') continue;
    out.push_back(text[k]);
  }
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
  return out;
}

bool short_lines(std::string_view text) {
  std::size_t len = 0;
  for (char c : text) {
    if (c == '\n') len = 0;
    else if (++len > 998) return false;
  }
  return true;
}

// The quoted original: each line "> " + line, cut at max_quote_bytes.
std::string quote_original(std::string_view text) {
  std::string out = "\n-------- Original Message --------\n";
  std::string body = lf_lines(text);
  std::size_t start = 0;
  std::size_t used = 0;
  while (start < body.size()) {
    std::size_t nl = body.find('\n', start);
    std::string_view line = std::string_view(body).substr(start, nl - start);
    if (used + line.size() > max_quote_bytes) {
      out += "> [...]\n";
      break;
    }
    used += line.size() + 1;
    out += line.empty() ? ">" : "> ";
    out += line;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string original_subject(const Header& incoming) {
  const auto* f = incoming.find("Subject");
  if (!f) return "";
  return no_controls(std::string(trim(mime::decode_words(f->value()))));
}

Reply build_reply(const Template& tmpl, const Header& incoming, std::string_view incoming_body,
                  const ReplyOptions& options) {
  Reply reply;
  std::string subject = original_subject(incoming);
  std::string& out = reply.text;

  // Identification and addressing.
  out += "Date: " + mta::date::date822(options.now) + "\n";
  out += mta::cat("Message-ID: <", std::to_string(options.now), ".", std::to_string(options.pid),
                  ".autorespond@", options.host, ">\n");
  const auto* from = tmpl.header.find("From");
  std::optional<std::string> from_value;
  if (from) from_value = mime::encode_address_field(from->value());
  if (!from_value || trim(*from_value).empty()) from_value = mta::address::quote(options.from);
  out += "From: " + *from_value + "\n";
  out += "To: " + mta::address::quote(options.sender) + "\n";

  // Subject: the template's, with substitutions, else RFC 3834's "Auto:".
  std::string new_subject;
  if (const auto* s = tmpl.header.find("Subject")) {
    std::string pattern = mime::force_utf8(trim(mime::decode_words(s->value())));
    new_subject = no_controls(substitute(pattern, subject, no_controls(options.sender)));
  } else {
    new_subject = "Auto: " + (subject.empty() ? std::string("Your message") : subject);
  }
  out += "Subject: " + mime::encode_unstructured(new_subject, 9) + "\n";

  // Threading (RFC 3834 3.1.4, RFC 5322 3.6.4).
  const auto* mid = incoming.find("Message-ID");
  std::vector<std::string> ids = mid ? msg_ids(mid->value()) : std::vector<std::string>{};
  if (!ids.empty()) {
    std::string id = ids.front();
    out += id_field("In-Reply-To", {id});
    std::vector<std::string> refs;
    if (const auto* r = incoming.find("References")) refs = msg_ids(r->value());
    else if (const auto* irt = incoming.find("In-Reply-To"); irt && msg_ids(irt->value()).size() == 1)
      refs = msg_ids(irt->value());
    refs.push_back(id);
    out += id_field("References", refs);
  }
  out += "Auto-Submitted: auto-replied\n";
  out += "Precedence: bulk\n";

  // The template's other fields, encoded where they are not ASCII.
  for (const auto& f : tmpl.header.fields) {
    if (replaced_field(f.name)) continue;
    if (mime::is_ascii(f.raw)) {
      out += f.raw;
      continue;
    }
    std::optional<std::string> v;
    if (address_field(f.name)) v = mime::encode_address_field(f.value());
    if (!v) v = mime::encode_unstructured(mime::force_utf8(trim(mta::message::unfold(f.value()))), f.name.size() + 2);
    out += f.name + ": " + *v + "\n";
  }

  // The body: a MIME template goes as it is; a text one gets its charset
  // and transfer encoding from what it holds.
  const auto* ct_field = tmpl.header.find("Content-Type");
  mime::ContentType ct = ct_field ? mime::parse_content_type(ct_field->value()) : mime::ContentType{};
  out += "MIME-Version: 1.0\n";
  if (ct.type != "text/plain") {
    out += ct_field->raw;
    if (const auto* cte = tmpl.header.find("Content-Transfer-Encoding")) out += cte->raw;
    out += "\n";
    out += lf_lines(tmpl.body);
  } else {
    std::string charset = mta::address::ascii_lower(ct.param("charset"));
    std::string body = tmpl.body;
    if (const auto* cte = tmpl.header.find("Content-Transfer-Encoding")) {
      std::string enc = mta::address::ascii_lower(trim(mta::message::unfold(cte->value())));
      if (enc == "quoted-printable") body = mta::cte::qp_decode(body);
      else if (enc == "base64") body = mta::cte::base64_decode(body);
    }
    if (charset == "iso-8859-1" || charset == "latin1") {
      body = mime::latin1_to_utf8(body);
      charset = "utf-8";
    }
    body = lf_lines(substitute(body, subject, options.sender));
    if (options.quote) {
      if (auto text = mime::text_part(incoming, incoming_body)) body += quote_original(*text);
    }
    if (charset.empty() || charset == "us-ascii") charset = mime::is_ascii(body) ? "us-ascii" : "utf-8";
    if (charset == "utf-8") body = mime::force_utf8(body);
    bool plain = mime::is_ascii(body) && short_lines(body);
    out += "Content-Type: text/plain; charset=" + charset + "\n";
    out += std::string("Content-Transfer-Encoding: ") + (plain ? "7bit" : "quoted-printable") + "\n";
    out += "\n";
    out += plain ? body : mime::qp_encode(body);
  }

  reply.envelope.sender = options.envelope_sender;
  reply.envelope.recipients.push_back(options.sender);
  for (const auto& c : options.copy_to) reply.envelope.recipients.push_back(c);
  return reply;
}

}  // namespace autorespond
