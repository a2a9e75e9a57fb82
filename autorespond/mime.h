// autorespond/mime.h — the bits of MIME an auto-reply needs.
//
// An auto-reply quotes an original subject that may be made of RFC 2047
// encoded words, writes a subject and display names that may hold UTF-8,
// labels its body with a charset and a transfer encoding (RFC 2045), and
// may quote the text part of a multipart original (RFC 2046). Everything
// here is a pure function over bytes, so that it is unit-tested and fuzzed
// without a process; nothing here throws for bad input: malformed encoded
// words stay as they are, bad base64 is skipped, as mail readers do.
//
// Limits: encoded words over 75 bytes (RFC 2047 section 2) are still decoded;
// nested multiparts are followed max_depth levels deep.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "mta/core/message.h"

namespace autorespond::mime {

// True if every byte is below 128.
bool is_ascii(std::string_view s);
// True if s is well-formed UTF-8 (no overlongs, no surrogates).
bool is_utf8(std::string_view s);
// ISO-8859-1 bytes as UTF-8.
std::string latin1_to_utf8(std::string_view s);
// Bytes that are not valid UTF-8 replaced by '?', so that text of unknown
// charset can go into a UTF-8 reply.
std::string force_utf8(std::string_view s);

// Base64 and quoted-printable decoding: mta/core/transfer_encoding.h.
// RFC 2045 6.7 encoding of a text body: lines end in '\n', are at most 76
// characters, '=' and bytes outside printable ASCII are =XX, trailing white
// space is encoded.
std::string qp_encode(std::string_view text);

// The value of an unstructured field (Subject) with its encoded words
// decoded to UTF-8; words in charsets other than UTF-8, US-ASCII and
// ISO-8859-1 stay encoded. Line breaks are unfolded.
std::string decode_words(std::string_view value);
// The value written as header text: as it is if it is ASCII, else as
// UTF-8 "B" encoded words of at most 75 characters, folded between words.
// start_column is where the value starts on its line (after "Subject: ").
std::string encode_unstructured(std::string_view utf8, std::size_t start_column);

// Appends a word to a header value being built, after a space when
// `separate`, or after a fold ("\n ") instead when `may_fold` and the word
// would pass column 78; `column` follows the current line.
void append_word(std::string& out, std::size_t& column, std::string_view word, bool separate, bool may_fold);
// An address field value (From, Reply-To) with every display name that is
// not ASCII written as an encoded word; nullopt if the value is not a
// valid address list.
std::optional<std::string> encode_address_field(std::string_view value);

// A Content-Type value: type/subtype lower-cased, parameters with lower-case
// names and unquoted values. A missing or unparsable value is text/plain.
struct ContentType {
  std::string type = "text/plain";
  std::map<std::string, std::string> params;
  std::string param(const std::string& name) const;
  bool is_multipart() const { return type.rfind("multipart/", 0) == 0; }
};
ContentType parse_content_type(std::string_view value);

// The first text/plain part of a message (header + body), transfer-decoded
// and converted to UTF-8 (charsets other than UTF-8, US-ASCII and
// ISO-8859-1 are forced to UTF-8 byte by byte); nullopt if there is none.
std::optional<std::string> text_part(const mta::message::Header& header, std::string_view body,
                                     int max_depth = 8);

}  // namespace autorespond::mime
