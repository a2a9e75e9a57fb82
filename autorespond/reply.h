// autorespond/reply.h — the auto-reply itself, as text plus envelope.
//
// The reply follows RFC 3834 section 3: it goes to the envelope sender of
// the original (never to From or Reply-To), carries "Auto-Submitted:
// auto-replied", In-Reply-To the original Message-ID and References its
// References plus that Message-ID, so that mail readers thread it and other
// responders stay quiet. It also carries "Precedence: bulk", which every
// older responder (autorespond 2.0.5+, vacation) honours. Header order:
//
//   Date, Message-ID, From, To, Subject, In-Reply-To, References,
//   Auto-Submitted, Precedence, the template's other fields,
//   MIME-Version, Content-Type, Content-Transfer-Encoding, blank, body.
//
// From is the template's From, else options.from. Subject is the template's
// Subject with %S/%s, else "Auto: <original subject>" ("Auto: Your
// message" if it had none). Any header text that is not ASCII is written as
// RFC 2047 encoded words; the body is labelled with its charset (the
// template's, else utf-8 or us-ascii) and sent 7bit if it is ASCII with
// short lines, quoted-printable otherwise, so that it survives any relay.
// With quote set, "-------- Original Message --------" and the first
// text/plain part of the original (transfer-decoded, in UTF-8, each line
// prefixed "> ", at most max_quote_bytes) follow the text; attachments and
// HTML are never echoed. A template that is itself MIME (multipart, or any
// non-text/plain type) is sent as it is, without substitution or quoting.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "autorespond/template.h"
#include "mta/core/envelope.h"
#include "mta/core/message.h"

namespace autorespond {

inline constexpr std::size_t max_quote_bytes = 64 * 1024;

struct ReplyOptions {
  std::string sender;                // the original's envelope sender: the reply's To
  std::string from;                  // From address when the template has none
  std::string envelope_sender;       // the reply's envelope sender ("" is <>)
  std::vector<std::string> copy_to;  // more envelope recipients (--copy-to)
  bool quote = false;                // FLAG 1
  std::string host;                  // right-hand side of the Message-ID
  std::time_t now = 0;
  long pid = 0;
};

struct Reply {
  std::string text;
  mta::Envelope envelope;
};

// The original's subject, decoded, unfolded, control characters removed.
std::string original_subject(const mta::message::Header& incoming);

Reply build_reply(const Template& tmpl, const mta::message::Header& incoming, std::string_view incoming_body,
                  const ReplyOptions& options);

}  // namespace autorespond
