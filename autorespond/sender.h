// autorespond/sender.h — who a sender is, for the rate limit.
//
// One person writing twice must count twice against the same key, but
// envelope senders carry per-message tags: BATV (RFC-draft "prvs=TAG=user",
// Barracuda's "btv1==TAG==user"), SRS from forwarders ("SRS0=HH=TT=domain=user"
// and "SRS1=HH=fwd==HH=TT=domain=user"), qmail VERP numbers
// ("list-return-123-joe=example.org") and "+tag" sub-addresses. Left in,
// each message is a new sender and the limit never bites (autorespond 2.0's
// weakness). normalize_sender removes them and lower-cases the address:
// the domain is case-insensitive by RFC 5321 2.4, and the local part is
// compared without case as autorespond 2.0 did (strcasecmp), so that a
// record it wrote still matches and "Joe" cannot buy a second reply.
//
// Callers: the state store (keys of old and new records alike).
#pragma once

#include <string>
#include <string_view>

namespace autorespond {

std::string normalize_sender(std::string_view sender);

}  // namespace autorespond
