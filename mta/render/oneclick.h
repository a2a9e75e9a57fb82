// mta/render/oneclick.h — per-recipient rendering of list posts for RFC 8058
// one-click unsubscription (issue 12; reference topic 3b).
//
// The problem: a one-click URI names its recipient, so every copy of a post
// differs, yet ezmlm-send injects ONE queue message for all subscribers (the
// qmail model that keeps fan-out cheap). The answer: ezmlm-send marks the
// queued message with an internal field, and the delivery programs render
// each recipient's copy from it just before the copy leaves:
//
//   X-Lettershop-Oneclick: v1 l=LIST@HOST n=NUM t=TIME k=MSGKEY u=BASEURL
//
// MSGKEY is the per-message key, hex of HMAC-SHA256(list key,
// "oneclick|LIST@HOST|NUM|TIME"). The list key (DIR/key) itself never leaves
// the list directory: the queue, qmail-remote and qmail-local only see a key
// good for this one message, from which the list key cannot be recovered,
// and which ezmlm-oneclick re-derives from DIR/key when a token comes back.
//
// Rendering one copy for ADDRESS (render_header): the marker is removed,
// every List-Unsubscribe and List-Unsubscribe-Post field is removed, and in
// the marker's place come
//   List-Unsubscribe: <mailto:LIST-unsubscribe-BOX=DOM@HOST>,
//    <BASEURL?l=LIST%40HOST&a=ADDRESS&n=NUM&t=TIME&m=MAC>
//   List-Unsubscribe-Post: List-Unsubscribe=One-Click
// where MAC = the first 16 bytes, hex, of HMAC-SHA256(MSGKEY bytes, ADDRESS).
// The DKIM signature is made afterwards by the caller (it signs both fields).
//
// Callers: qmail-remote (one SMTP transaction per rendered copy, each copy
// signed), qmail-local (renders before its .qmail instructions run), and
// ezmlm-oneclick (token checks). A malformed marker is a TempError: the
// message stays queued rather than leak the internal field.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mta/core/io.h"
#include "mta/core/message.h"

namespace mta::oneclick {

inline constexpr std::string_view marker_field = "X-Lettershop-Oneclick";
inline constexpr std::size_t mac_hex_length = 32;

struct Marker {
  std::string list;          // local@host of the list
  unsigned long number = 0;  // message number
  std::time_t when = 0;      // when ezmlm-send made the key
  std::string key;           // per-message key, 64 hex digits
  std::string url;           // base URL (https://...), no '?', no white space
};

// HMAC-SHA256 (libsodium), raw 32 bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);

// HMAC-SHA256 under one key, keyed once: a fan-out MACs every recipient
// under one message key, so the keyed state (the key's two padded blocks
// hashed) is made once and copied per MAC. libsodium rather than OpenSSL 3,
// whose first HMAC in a process looks the algorithms up by name at a cost
// of about 5 million instructions (1-2 ms here), paid by every
// qmail-remote run of a fan-out and every qmail-local delivery.
class Hmac {
 public:
  explicit Hmac(std::string_view key);
  Hmac(Hmac&&) noexcept;
  Hmac& operator=(Hmac&&) noexcept;
  ~Hmac();  // wipes the keyed state
  std::string operator()(std::string_view data) const;  // raw 32 bytes

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string to_hex(std::string_view bytes);
// The inverse; nullopt for odd length or a non-hex digit.
std::optional<std::string> from_hex(std::string_view hex);
// Constant-time equality (length is not secret).
bool equal_ct(std::string_view a, std::string_view b);

// The per-message key (hex) and a recipient's MAC (hex, mac_hex_length).
std::string message_key(std::string_view list_key, std::string_view list, unsigned long number, std::time_t when);
std::string recipient_mac(std::string_view message_key_hex, std::string_view address);
// The same MAC under a message key already keyed (Prepared::mac).
std::string recipient_mac(const Hmac& message_key, std::string_view address);

// The marker field's value, and its parser (nullopt: malformed).
std::string format_marker(const Marker& m);
std::optional<Marker> parse_marker(std::string_view value);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view s);
// The one-click URI and the mailto address for one recipient.
std::string unsubscribe_url(const Marker& m, std::string_view address);
std::string unsubscribe_mailto(const Marker& m, std::string_view address);

// The header of ADDRESS's copy (see above).
message::Header render_header(const message::Header& queued, const Marker& m, std::string_view address);

// A queued message on a file descriptor, read up to its body.
struct Prepared {
  message::Header header;   // as queued, marker included
  Marker marker;
  off_t body_offset = 0;    // where the body starts in the file
  std::optional<Hmac> mac;  // the marker's message key, keyed once for every copy
};
// Reads the header of the message on `fd` from `start`. nullopt when it has
// no marker. Throws TempError for a malformed marker or a read error.
std::optional<Prepared> prepare(int fd, off_t start);

// The same for a prepared message (its key is keyed once, not per copy).
message::Header render_header(const Prepared& p, std::string_view address);

// CopyMaker - the copies of a prepared message, made the cheap way for a
// fan-out: the header text around each marker is joined once, so a copy
// costs its List-Unsubscribe field and one string. For any address a,
// head(unsubscribe_field(a)) == render_header(p, a).text() + "\n" (the
// bytes in front of the body: the rendered header, then the blank line).
class CopyMaker {
 public:
  explicit CopyMaker(const Prepared& p);  // p must outlive the maker
  // The copy's List-Unsubscribe field, as render_header makes it.
  message::Field unsubscribe_field(std::string_view address) const;
  std::string head(const message::Field& unsubscribe) const;
  // How many List-Unsubscribe fields a copy has: one per marker (ezmlm-send
  // adds one marker).
  std::size_t markers() const { return between_.size() - 1; }

 private:
  const Prepared& p_;
  std::vector<std::string> between_;  // the text before, between and after the markers' List-Unsubscribe fields
};

// The recipient for qmail-local: the address encoded in ezmlm's VERP sender
// LIST-return-NUM-BOX=DOM@HOST (as qmail-send expanded it), else `fallback`.
std::string verp_recipient(std::string_view sender, std::string_view list, std::string_view fallback);

// qmail-local's hook: when the message on `fd` (read from offset 0) carries
// the marker, an unlinked temporary file ($TMPDIR or /tmp) holding the copy
// rendered for the recipient, positioned at 0; otherwise an empty Fd.
io::Fd render_local(int fd, std::string_view sender, std::string_view fallback_address);

// qmail-lspawn's pieces of the same, for a root process that must not read
// the message itself: copy_file() makes the unlinked temporary file (as
// root, mode 0600); render_local_to(), run by an unprivileged child, writes
// the copy to `out` and says whether the message carried the marker (fd is
// rewound to 0 either way). Both throw TempError.
io::Fd copy_file();
bool render_local_to(int fd, std::string_view sender, std::string_view fallback_address, int out);
// The text a local delivery is deferred with when its copy cannot be made
// (qmail-local and qmail-lspawn say the same): "Unable to render message: WHAT."
std::string render_failure(std::string_view what);

// A byte search, not a parse, over the first 64 KB of `fd` (pread: the
// offset does not move): false only when the header, up to its first empty
// line, has no line that starts with the marker's field name. A header
// longer than that, or a read error, is "maybe". So that qmail-lspawn's
// root child forks an unprivileged renderer only for marked posts.
bool may_carry_marker(int fd);

// ---- application/x-www-form-urlencoded (queries and POST bodies) ----

// name=value pairs split at '&' (';' is not a separator), '+' as space,
// %XX decoded. nullopt for a bad escape, a pair without '=' or an empty
// name, or more than max_pairs pairs. Empty input: no pairs.
inline constexpr std::size_t max_form_pairs = 64;
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view text);

}  // namespace mta::oneclick
