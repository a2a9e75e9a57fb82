// ezmlm/lib/dsn.h — who a bounce is about, and whether it means a dead mailbox.
//
// ezmlm-return learns the failed address from the VERP return address
// (<l>-return-N-box=dom@host). That is not always enough: a bounce may come
// to <l>-return-N-@host without a box, or a forwarder may have changed the
// recipient so the VERP box is not a subscriber while the report names one.
// So the bounce itself is read, in the two formats that matter:
//
//   RFC 3464 delivery status notifications: a multipart/report (report-type
//   delivery-status) whose message/delivery-status part holds a per-message
//   field group and one group per recipient, groups separated by blank
//   lines: Final-Recipient / Original-Recipient ("rfc822; user@dom"),
//   Action, Status (class.subject.detail), Diagnostic-Code. A report whose
//   Content-Type has no usable boundary is still searched for a
//   "Content-Type: message/delivery-status" part header (broken MTAs).
//
//   qmail's QSBMF: "Hi. This is the qmail-send program at ..." and then
//   paragraphs, each starting with a "<user@dom>:" line followed by the
//   remote text, up to the "--- Below this line ..." break line.
//
// classify() then tells a dead mailbox from what must not unsubscribe
// anyone (ezmlm-idx counts all of these as bounces):
//   - Action delayed, delivered, relayed or expanded: not a failure;
//   - a 4.x.x status (or a 4xx SMTP reply in the diagnostic): transient;
//   - a DMARC or policy rejection: 5.7.26 or 5.7.509 (the DMARC codes of
//     RFC 7372 and Microsoft), any 5.x.x whose diagnostic names DMARC, or a
//     5.7.x whose diagnostic says "policy" — the receiver refused the
//     sender's domain, not the subscriber's mailbox.
// Everything else that failed is `dead`.
//
// Parsing is Dovecot-style defensive: the input is any bytes (8-bit
// garbage, NULs, CRLF or LF, lines of any length); only the first
// max_scan bytes are looked at (the report comes before the returned
// message); at most max_recipients are kept; addresses that are empty,
// lack an '@', hold blanks, controls or angle brackets, or pass 254 bytes
// are dropped. Nothing here throws on bad input or allocates more than a
// copy of the scanned prefix.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ezmlm::dsn {

inline constexpr std::size_t max_scan = 1u << 20;
inline constexpr std::size_t max_recipients = 100;

enum class Format { none, dsn, qsbmf };

struct Recipient {
  std::string address;     // Original-Recipient when usable, else Final-Recipient (QSBMF: the <addr>)
  std::string final_recipient;
  std::string original_recipient;
  std::string action;      // lower case; "failed" for QSBMF
  std::string status;      // "5.1.1"; from the diagnostic when the report has none
  std::string diagnostic;  // unfolded, blanks squeezed
};

struct Report {
  Format format = Format::none;
  std::vector<Recipient> recipients;
};

enum class Verdict { dead, transient, policy, not_failure };

// A whole message (header and body). DSN first, then QSBMF.
Report parse(std::string_view message);
// The two parsers on their own: parse_dsn takes the whole message,
// parse_qsbmf the body (or the whole message: it looks for the first line).
Report parse_dsn(std::string_view message);
Report parse_qsbmf(std::string_view body);

Verdict classify(const Recipient& r);
// "dead", "transient", "policy", "not-failure".
std::string_view verdict_name(Verdict v);

// An address as reported ("rfc822; <User@Dom>" or "User@Dom"): the type
// prefix, blanks and angle brackets removed; "" when not usable (see above).
std::string usable_address(std::string_view text);

// The first enhanced status code (RFC 3463: class 2/4/5, then two numbers
// of 1..3 digits) standing alone in text, or "".
std::string find_status(std::string_view text);

// The recipient of `report` a bounce for `address` is about: the one whose
// Final- or Original-Recipient equals it (ASCII case-insensitive), else the
// only recipient of the report, else nullptr.
const Recipient* recipient_for(const Report& report, std::string_view address);

}  // namespace ezmlm::dsn
