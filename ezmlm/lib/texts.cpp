#include "ezmlm/lib/texts.h"

#include <optional>
#include <utility>

#include "mta/core/exitcodes.h"

namespace ezmlm {

bool is_known_tag(char tag) {
  static constexpr std::string_view known = "AaBCcDdHhLlnRrTtX0123456789";
  return known.find(tag) != std::string_view::npos;
}

// expand - replace every <#x#> of text; see texts.h for the three cases.
std::string expand(std::string_view text, const TagValues& tags, ExpandMode mode) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '<' && i + 4 < text.size() && text[i + 1] == '#' && text[i + 3] == '#' &&
        text[i + 4] == '>') {
      char tag = text[i + 2];
      if (mode == ExpandMode::header && (tag == 'A' || tag == 't'))
        throw mta::TempError(mta::cat("the tag <#", std::string_view(&tag, 1),
                                      "#> may not be used in a header file"));
      if (const std::string* v = tags.find(tag)) out += *v;
      else if (is_known_tag(tag)) out += "?????";
      i += 5;
      continue;
    }
    out += text[i++];
  }
  if (mode == ExpandMode::header) {
    // Blank lines would end the header early.
    std::string kept;
    std::size_t start = 0;
    while (start < out.size()) {
      auto nl = out.find('\n', start);
      std::size_t end = nl == std::string::npos ? out.size() : nl;
      std::string_view line(out.data() + start, end - start);
      bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
      if (!blank) {
        kept.append(line);
        if (nl != std::string::npos) kept += '\n';
      }
      start = end + 1;
    }
    out = std::move(kept);
  }
  return out;
}

namespace {
// "<=abc=>" alone on a line: the letters between the markers.
std::optional<std::string_view> section_flags(std::string_view line) {
  if (line.size() >= 4 && line.substr(0, 2) == "<=" && line.substr(line.size() - 2) == "=>")
    return line.substr(2, line.size() - 4);
  return std::nullopt;
}
}  // namespace

std::string render_text(std::string_view text, const TagValues& tags,
                        const std::function<bool(char)>& is_on) {
  std::string out;
  bool printing = true;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (auto flags = section_flags(line)) {
      // 7.2.2 reads both cases of a letter as "on" (ezmlm.md 3.1).
      printing = true;
      for (char c : *flags) {
        char f = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
        if (!is_on(f)) printing = false;
      }
      continue;
    }
    if (!printing) continue;
    if (!line.empty() && line[0] == '#') continue;
    if (line == "!A" || line == "!R") {
      const std::string* v = tags.find(line[1]);
      out += "   ";
      out += v ? *v : std::string("?????");
      out += '\n';
      continue;
    }
    out += expand(line, tags, ExpandMode::text);
    out += '\n';
  }
  return out;
}

std::string format_message(std::string_view text, const std::vector<std::string>& args) {
  TagValues tags;
  for (char d = '1'; d <= '9'; ++d) {
    std::size_t k = d - '1';
    tags.set(d, k < args.size() ? args[k] : std::string());
  }
  // Only the parameter tags are touched; other <#x#> stay for a later pass.
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '<' && i + 4 < text.size() && text[i + 1] == '#' && text[i + 2] >= '1' &&
        text[i + 2] <= '9' && text[i + 3] == '#' && text[i + 4] == '>') {
      out += *tags.find(text[i + 2]);
      i += 5;
      continue;
    }
    out += text[i++];
  }
  return out;
}

namespace {
// Our own wording; an installation's text/messages overrides any entry.
constexpr std::pair<std::string_view, const char*> fallback_table[] = {
    {"ERR_NOSENDER", "SENDER not set"},
    {"ERR_BOUNCE", "I do not reply to bounce messages (#5.7.2)"},
    {"ERR_ANONYMOUS", "I do not reply to messages without a usable sender address (#5.7.2)"},
    {"ERR_NODEFAULT", "DEFAULT not set"},
    {"ERR_NOLOCAL", "LOCAL not set"},
    {"ERR_LOOPING", "this message already has my Delivered-To line (#5.4.6)"},
    {"ERR_MAILING_LIST", "this message came from a mailing list; I do not reply to those (#5.7.2)"},
    {"ERR_NOT_PUBLIC", "this list does not take requests from the public (#5.7.2)"},
    {"ERR_NOT_ALLOWED", "only moderators may use this command (#5.7.2)"},
    {"ERR_NOT_AVAILABLE", "this command is not available on this list (#5.7.2)"},
    {"ERR_NO_ADDRESS", "the list address must be in To: or Cc: (#5.7.0)"},
    {"ERR_ADDR_AT", "the address has no '@' (#5.1.3)"},
    {"ERR_ADDR_LONG", "the address is too long (#5.1.3)"},
    {"ERR_ADDR_8BIT", "the address has 8-bit bytes that are not UTF-8 (#5.1.3)"},
    {"ERR_ADDR_NL", "the address contains a line break or a NUL (#5.1.3)"},
    {"ERR_NO_SUBJECT", "the message has no subject (#5.7.0)"},
    {"ERR_SUBCOMMAND", "the subject is a command; send it to the -request address (#5.7.0)"},
    {"ERR_MAX_SIZE", "the message body is larger than <#1#> bytes (#5.2.3)"},
    {"ERR_MIN_SIZE", "the message body is smaller than <#1#> bytes (#5.7.0)"},
    {"ERR_BAD_TYPE", "messages of type <#1#> are not accepted (#5.2.3)"},
    {"ERR_BAD_PART", "message parts of type <#1#> are not accepted (#5.2.3)"},
    {"ERR_BAD_ALL", "nothing was left of the message after removing parts (#5.2.3)"},
    {"ERR_JUNK", "junk mail is not accepted (#5.7.0)"},
    {"ERR_NO_POST", "only moderators may post to this list (#5.7.2)"},
    {"ERR_SUBDIR_ABS", "absolute directory names outside of the list directory are no longer supported"},
    {"ERR_SUBDIR", "a subscriber database must be a subdirectory of the list directory"},
    {"ERR_NOCMD", "the subscriber database is not available"},
    {"ERR_DNS_LOOKUP", "DNS lookup failed"},
    {"ERR_TMP_QMAIL_QUEUE", "temporary failure of qmail-queue"},
    {"ERR_SWITCH", "unable to switch to <#1#>"},
    {"ERR_READ", "unable to read <#1#>"},
    {"ERR_OPEN", "unable to open <#1#>"},
    {"ERR_WRITE", "unable to write <#1#>"},
    {"TXT_MAILING_LIST", "contact <#1#>-help@<#2#>; run by ezmlm"},
    {"TXT_ONLY_SUBSCRIBERS", "Sorry, only subscribers may post. If you are a subscriber, please forward this message to <#1#>-owner@<#2#> to get your new address included (#5.7.2)"},
    {"TXT_REJECT_POSTS", "Sorry, posts from your address are not accepted here (#5.7.2)"},
    {"AUTHOR_VIA_LIST", "<#1#> via <#2#>"},
    {"SUB_WELCOME", "WELCOME to"},
    {"SUB_GOODBYE", "GOODBYE from"},
    {"SUB_USR_SUBSCRIBE", "confirm subscribe to"},
    {"SUB_MOD_SUBSCRIBE", "CONFIRM subscribe to"},
    {"SUB_USR_UNSUBSCRIBE", "confirm unsubscribe from"},
    {"SUB_MOD_UNSUBSCRIBE", "CONFIRM unsubscribe from"},
    {"SUB_SUBSCRIBE_NOP", "Already subscribed to"},
    {"SUB_UNSUBSCRIBE_NOP", "Not subscribed to"},
    {"SUB_HELP", "Help for"},
    {"SUB_MODERATE", "MODERATE for"},
    {"SUB_CONFIRM_POST", "Confirm post to"},
    {"SUB_RETURNED_POST", "Returned post for"},
    {"SUB_WARNING", "Warning from"},
    {"SUB_PROBE", "Probe from"},
    // ezmlm-return, ezmlm-warn (info lines)
    {"TXT_BOUNCE_NOT_COUNTED", "<#1#>: bounce not counted (<#2#>, status <#3#>); see bounce/Log"},
    {"TXT_BOUNCE_BAD_COOKIE", "ignoring a bounce with a bad or expired cookie: <#1#>"},
    {"TXT_BOUNCE_WARNING_SENT", "warning sent to <#1#>"},
    {"TXT_BOUNCE_PROBE_SENT", "probe sent to <#1#>"},
    // ezmlm-request, ezmlm-gate, ezmlm-limit
    {"ERR_NOT_CLEAN", "a request may only hold letters, digits and the characters . _ + - (#5.7.0)"},
    {"TXT_LISTS", "LISTS:"},
    {"TXT_WHICH", "WHICH (<#1#>):"},
    {"ERR_CHILD_TEMP", "a program run for the list failed temporarily (#4.3.0)"},
    {"ERR_SEEK_INPUT", "unable to rewind the message"},
    {"ERR_EXCESS_MOD", "too many messages in a short time: the list is now moderated"},
    {"ERR_EXCESS_DEFER", "too many messages in a short time: deferring this one (#4.3.0)"},
    // ezmlm-get (digests and archive retrieval)
    {"SUB_DIGEST_ISSUE_N", "<#1#> Issue <#2#>"},
    {"SUB_RESULT_OF", "Result of:"},
    {"TXT_TOP_TOPICS", "Topics (messages <#1#> through <#2#>)"},
    {"TXT_TOPICS", "Topics:"},
    {"TXT_ADMINISTRIVIA", "Administrivia:"},
    {"TXT_BY", "by: <#1#>"},
    {"TXT_NOINDEX", "(no index for this range)"},
    {"TXT_END_DIGEST", "End of <#1#> Digest"},
    {"ERR_NOT_ARCHIVED", "this list is not archived (#5.3.0)"},
    {"ERR_NOT_INDEXED", "this list has no subject index (#5.3.0)"},
    {"ERR_GET_CMD", "archive commands are turned off on this list (#5.7.2)"},
    // ezmlm-moderate: the lines around the moderator's comment in a reject notice
    {"TXT_MOD_COMMENT_START", ">>>>> comment from the moderator >>>>>"},
    {"TXT_MOD_COMMENT_END", "<<<<< end of the comment <<<<<"},
    // ezmlm-manage: text edits, moderator-approved db additions, the daily limit
    {"ERR_EDIT_SIZE", "the edited text is longer than <#1#> bytes (#5.2.3)"},
    {"ERR_EDIT_MARKERS", "the reply has no text between the two marker lines (#5.7.0)"},
    {"TXT_SENDER_CHECK", "Processed SENDER check <#1#> request"},
    {"TXT_CONFIRM_LIMIT", "not sending another request to <#1#> today (confirmlimit <#2#> reached)"},
};
}  // namespace

std::pair<std::string, std::string> split_dsn(std::string_view text) {
  // "... (#5.1.3)": a '(' '#', digits and dots, ')' at the very end.
  auto open = text.rfind(" (#");
  if (open == std::string_view::npos || text.empty() || text.back() != ')') return {std::string(text), ""};
  std::string_view code = text.substr(open + 3, text.size() - open - 4);
  if (code.empty() || code.find_first_not_of("0123456789.") != std::string_view::npos)
    return {std::string(text), ""};
  return {std::string(text.substr(0, open)), std::string(code)};
}

const char* fallback_message(std::string_view name) {
  for (const auto& [key, text] : fallback_table)
    if (key == name) return text;
  return nullptr;
}

}  // namespace ezmlm
