// ezmlm/lib/post_oneclick.h — ezmlm-send's part of RFC 8058 one-click
// unsubscription (issue 12; see mta/render/oneclick.h for the design).
//
// When the list has a base URL (DIR/oneclickurl, first line; found in the
// three places like the other list files), the post is queued with the
// internal field X-Lettershop-Oneclick carrying the per-message key
// HMAC-SHA256(DIR/key, "oneclick|LIST@HOST|NUM|TIME") — never DIR/key
// itself — and qmail-remote / qmail-local render each recipient's
// List-Unsubscribe (mailto + https URI with its token) and
// List-Unsubscribe-Post at delivery time.
//
// Errors (TempError: the post stays with the sender's MTA and nothing is
// written): a base URL that is not https://, has a query or fragment, or
// white space; an unreadable DIR/key.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "ezmlm/lib/listdir.h"

namespace ezmlm::post {

// The marker field line ("X-Lettershop-Oneclick: ...\n") for post `number`
// of list `list` (local@host), or "" when one-click is not configured.
std::string oneclick_field(const ListDir& dir, std::string_view list, unsigned long number, std::time_t now);

}  // namespace ezmlm::post
