// Fuzz target: autorespond's MESSAGE template parser and reply builder on an
// arbitrary incoming message. The input is split at the first "\n=====\n"
// into a template and an incoming message (header + body); without the
// marker it is the incoming message and a fixed template is used. Whatever
// comes in, a reply that is built must be 7-bit clean (RFC 2047 and
// quoted-printable did their job), have no NUL, CR or bare header lines
// from the original, and its header block must parse back.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "autorespond/mime.h"
#include "autorespond/reply.h"
#include "autorespond/rules.h"
#include "autorespond/template.h"
#include "mta/core/message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string tmpl_text = "From: Joe <joe@example.test>\nSubject: Away: %S\n\nAway, %s.\n";
  std::string incoming = bytes;
  if (auto k = bytes.find("\n=====\n"); k != std::string::npos) {
    tmpl_text = bytes.substr(0, k + 1);
    incoming = bytes.substr(k + 7);
  }
  autorespond::Template tmpl;
  try {
    tmpl = autorespond::parse_template(tmpl_text);
  } catch (const autorespond::TemplateError&) {
    return 0;
  }
  auto in = mta::io::Reader::from_string(incoming);
  mta::message::Header header;
  try {
    header = mta::message::read_header(in, {1 << 16});
  } catch (const mta::message::HeaderTooLong&) {
    return 0;
  }
  std::string body = header.body_start + in.read_all();
  autorespond::Policy policy;
  policy.dtline = "Delivered-To: joe@example.test\n";
  policy.owners = {"joe@example.test"};
  (void)autorespond::suppress(header, "mary@example.org", policy, 0);

  autorespond::ReplyOptions o;
  o.sender = "mary@example.org";
  o.from = "joe@example.test";
  o.host = "example.test";
  o.quote = true;
  auto reply = autorespond::build_reply(tmpl, header, body, o);
  std::string_view text = reply.text;
  std::size_t end = text.find("\n\n");
  if (end == std::string_view::npos) std::abort();
  std::string_view head = text.substr(0, end + 1);
  // Our own header block is ASCII, without NUL or CR, and every line is a
  // field or a continuation (nothing from the original broke out).
  if (head.find('\0') != std::string_view::npos || head.find('\r') != std::string_view::npos) std::abort();
  if (!autorespond::mime::is_ascii(head)) std::abort();
  auto again = mta::io::Reader::from_string(std::string(head));
  auto parsed = mta::message::read_header(again);
  if (parsed.blank_inserted) std::abort();
  if (parsed.find_all("To").size() != 1 || parsed.find_all("Subject").size() != 1 ||
      parsed.find_all("From").size() != 1 || parsed.find_all("Bcc").size() != 0)
    std::abort();
  // A text/plain template gives a 7-bit body.
  if (!tmpl.header.has("Content-Type") && !autorespond::mime::is_ascii(text)) std::abort();
  return 0;
}
