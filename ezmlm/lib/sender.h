// ezmlm/lib/sender.h — the envelope sender as ezmlm sees it (ezmlm.md 3.1).
//
// Forwarders rewrite envelope senders; ezmlm undoes the common schemes so
// that the subscriber's own address is checked and answered:
//   SRS0=HH=TT=domain=user@fwd          -> user@domain
//   SRS1=HH=fwd0==HH=TT=domain=user@fwd -> user@domain
//   prvs=TAG=user@dom, prvs=user=TAG@dom -> user@dom   (TAG: >= 9 hex digits)
//   btv1==TAG==user@dom                  -> user@dom
// The scheme prefixes are matched without regard to case. Anything that
// does not fit a scheme exactly is returned unchanged.
//
// check_sender() is the rule every mail-handling program starts with:
// no SENDER -> PermError "SENDER not set"; "" or "#@[]" -> PermError
// "I do not reply to bounce messages" (texts from text/messages).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ezmlm {

class ListDir;

std::string decode_sender(std::string_view sender);

// True for the null sender forms ezmlm treats as bounces ("" and "#@[]").
bool is_bounce_sender(std::string_view sender);

// Checks and decodes env SENDER; throws PermError with ERR_NOSENDER /
// ERR_BOUNCE from dir's messages.
std::string checked_sender(const ListDir& dir);

// An address as it travels in a command or cookie local part ("box=dom"):
// user@example.org -> user=example.org (the last '@'); unchanged without '@'.
std::string encode_target(std::string_view address);
// The reverse: the last '=' becomes '@'; unchanged without '='.
std::string decode_target(std::string_view text);

}  // namespace ezmlm
