// mta/send/bounce.h — VERP expansion and QSBMF bounce messages.
//
// Reference mta.md 4.7 and 4.8. At each permanent failure qmail-send appends
// a paragraph to bounce/<id>; when the whole message is done it sends one
// notice built from those paragraphs and the original message:
//   stored sender S (VERP marker "-@[]" stripped) non-empty -> single bounce
//   to S from <>; empty -> double bounce to doublebounceto@doublebouncehost
//   from #@[]; "#@[]" -> triple bounce, discarded.
// These functions build bytes only; qmail-send does the file and queue work.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace mta::send {

// verp_sender - "P@H-@[]" with recipient "box@dom" gives "Pbox=dom@H";
// any other sender, or a recipient without '@', is returned unchanged.
std::string verp_sender(std::string_view sender, std::string_view recipient);

// strip_verp - "P@H-@[]" -> "P@H"; anything else unchanged.
std::string strip_verp(std::string_view sender);

// is_verp_template - does verp_sender() expand this sender: it ends in
// "-@[]" and has an '@' before that?
bool is_verp_template(std::string_view sender);

// verp_template - the template "P-@H-@[]" whose expansion for `recipient`
// is `sender`, i.e. sender == "P-" + box + "=" + dom + "@" + H for recipient
// "box@dom" (split at its last '@'), P possibly empty; nullopt for any other
// sender. ezmlm's "list-return-N-@H-@[]" expands to such senders, which is
// how qmail-rspawn finds the deliveries of one post that may share an SMTP
// connection (one transaction each). verp_sender(*t, recipient) == sender
// always holds; a plain sender that merely looks like an expansion is found
// too, which is harmless because expanding it again gives the same bytes.
std::optional<std::string> verp_template(std::string_view sender, std::string_view recipient);

// bounce_paragraph - "<recipient>:\n" + report (+ "\n" if missing) + "\n",
// every "\n\n" inside broken up as "\n/" so a paragraph never ends early.
// recipient must already be bounce_recipient()'s form.
std::string bounce_paragraph(std::string_view recipient, std::string_view report);

enum class BounceKind { single, double_bounce, triple };

// bounce_kind - what a notice for this stored sender is.
BounceKind bounce_kind(std::string_view stored_sender);

struct BounceConfig {
  std::string bouncefrom = "MAILER-DAEMON";
  std::string bouncehost;
  std::string doublebounceto = "postmaster";
  std::string doublebouncehost;
};

struct BounceNotice {
  std::string sender;     // envelope sender of the notice: "" or "#@[]"
  std::string recipient;  // envelope recipient
  std::string head;       // the notice up to and including "Return-Path: <...>\n"
};

// compose_bounce - the notice for a single or double bounce (not triple);
// the original mess file is to be appended to head as it is.
BounceNotice compose_bounce(const BounceConfig& cfg, std::string_view stored_sender,
                            std::string_view bounce_text, std::time_t now);

}  // namespace mta::send
