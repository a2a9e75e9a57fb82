// mta/core/address.h — RFC 5322/822 addresses in header fields, qmail style.
//
// tokenize() cuts a field value into RFC 822 lexical tokens (atoms, quoted
// strings, domain literals, comments and the specials), in the spirit of
// qmail's token822: a newline counts as white space, so a folded value needs
// no unfolding first. parse_address_list() groups the tokens into mailboxes
// and groups ("name: a, b;"), keeping the display phrase, comments and any
// source route, so that a program can rewrite the address and put the field
// back together with format_address_list(). Like qmail-inject it is lenient
// where mail in the wild is sloppy: "djb fred" is two addresses.
//
// An address inside a program is qmail's internal form: the local part with
// its quotes removed, "@", the domain ("joe smith@example.com"); quote()
// turns it back into what goes into a header or an SMTP command (reference
// mta.md 0.6). split_at_last() splits at the last "@", the way qmail does.
// check_envelope_address() says whether an address is safe as an envelope
// address (no NUL, CR or LF, not over-long).
//
// Callers: qmail-inject (header rewriting), qmail-smtpd and the list
// programs (quoting). Errors: AddressError, with a reason for the message.
// Limits: max_field_bytes bounds the text parsed in one call.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mta::address {

// The longest field value (or argument) parsed as an address list.
inline constexpr std::size_t max_field_bytes = 1 << 20;
// The longest address accepted by check_envelope_address (qmail-queue's limit).
inline constexpr std::size_t max_envelope_address = 1002;

class AddressError : public std::runtime_error {
 public:
  explicit AddressError(const std::string& what) : std::runtime_error(what) {}
};

struct Token {
  enum class Kind { atom, quoted, literal, comment, special };
  Kind kind;
  std::string text;  // atom/special as is; quoted/comment/literal without delimiters, escapes removed
  bool operator==(const Token&) const = default;
};

// Throws AddressError for an unbalanced quote, comment or literal, a NUL
// byte, or input over max_field_bytes. Bytes >= 128 are allowed in atoms
// (8-bit mail exists); callers that must refuse them check themselves.
std::vector<Token> tokenize(std::string_view text);

struct Mailbox {
  std::string phrase;    // display name, as it will be written ("\"Joe\"", "Joe Smith"); may be empty
  std::string route;     // source route without the final ':' ("@a,@b"); may be empty
  std::string address;   // internal form: local part unquoted, "@", domain; "" for <>
  bool angle = false;    // written as <...>
  std::string comment;   // comments after the address, re-serialised "(...)"; may be empty
  bool operator==(const Mailbox&) const = default;
};

struct Item {
  // A group has is_group set, the group's phrase in `group`, and its members;
  // a mailbox item has exactly one entry in `members`.
  bool is_group = false;
  std::string group;
  std::vector<Mailbox> members;
  bool operator==(const Item&) const = default;
};

// Parses an address list (a To:, From: ... value, or a command-line argument).
// Throws AddressError for a missing '>' or '<', a ':' or ';' out of place,
// '@' with nothing usable, or bad tokens.
std::vector<Item> parse_address_list(std::string_view text);

// The address list as header text; lines are folded before `fold_at` columns
// (counted from the start of the value at column `start_column`).
std::string format_address_list(const std::vector<Item>& items, std::size_t start_column = 0,
                                 std::size_t fold_at = 78);
std::string format_mailbox(const Mailbox& mailbox);

// qmail's quote(): the internal address as it is written in a header or an
// SMTP command (reference 0.6). "" stays "".
std::string quote(std::string_view address);
// True if the local part can be written without quotes.
bool local_is_atom(std::string_view local);

struct Split {
  std::string_view local;
  std::string_view domain;  // empty if there is no '@'
  bool has_at = false;
};
Split split_at_last(std::string_view address);

// Why an address must not go into an envelope, or nullopt if it may.
std::optional<std::string> check_envelope_address(std::string_view address);

// ASCII-only case-insensitive comparison (qmail's case_diffs).
bool iequals(std::string_view a, std::string_view b);

// ASCII-only lower case, A-Z only (qmail's case_lowerb): domains, user
// names and cdb keys are folded this way, never by locale.
std::string ascii_lower(std::string_view s);

}  // namespace mta::address
