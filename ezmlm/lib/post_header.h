// ezmlm/lib/post_header.h — the header of an outgoing list post and of its
// archive copy (reference ezmlm.md 3.3 and 1.5).
//
// Outgoing, in this order:
//   1. Mailing-List: (not for sublists), List-ID: <listid> (when configured);
//   2. the headeradd lines (tags already expanded by the caller);
//   3. Delivered-To: mailing list local@host;
//   4. Reply-To: <local@host> when replytolist;
//   5. the incoming fields minus headerremove names (or all not in
//      headerkeep), an incoming List-ID when we add one, Reply-To when
//      replytolist, the Subject when a prefix is added, every Received but
//      the first (unless keep_received), an mbox "From " line; From
//      rewritten when rewrite_from (see below);
//   6. Subject: <prefix> <subject> when a prefix applies (not already in the
//      decoded subject: no doubling on replies).
// Archive: Return-Path: <sender>, Delivered-To, [Reply-To], the filtered
// incoming fields with every Received line and the original From, and the
// original Subject last.
//
// Refusals (PermError, texts through `message`): a Delivered-To line equal
// to ours (ERR_LOOPING); an incoming Mailing-List on a list that is not a
// sublist (ERR_MAILING_LIST); a sublist post without Mailing-List or the
// parent's header (ERR_SUBLIST).
//
// From rewriting (rewritefrom, or the author's domain asks for it by
// DMARC): From: <name> via <outlocal> <local@host> (AUTHOR_VIA_LIST), where
// name is the display name as written, else the comment, else the address,
// quoted; then Reply-To: <original From> unless the post has a Reply-To, or
// with replytolist the original From is added to Cc instead.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/message.h"

namespace ezmlm::post {

using MessageText = std::function<std::string(std::string_view key, const std::vector<std::string>& args)>;

struct HeaderRules {
  std::string outlocal, outhost;
  std::string mailing_list;             // value of Mailing-List ("" = none: sublists)
  std::string listid;                   // "" = no List-ID
  std::vector<std::string> headeradd;   // "Name: value" lines, expanded
  std::vector<std::string> headerremove;  // lower-case names
  std::vector<std::string> headerkeep;    // lower-case names; empty = keep all
  std::string prefix;                   // as configured ('#' not yet replaced); "" = none
  unsigned long number = 0;             // replaces the last '#' of prefix
  bool replytolist = false;
  bool keep_received = false;           // -r
  bool sublist = false;
  std::string sublist_header = "mailing-list";  // -H: the parent's mark
  bool rewrite_from = false;
  std::string sender;                   // envelope sender, for the archive's Return-Path
  MessageText message;                  // text/messages lookup
};

struct PostHeaders {
  std::string outgoing;
  std::string archive;
};

PostHeaders build_headers(const mta::message::Header& in, const HeaderRules& rules);
// The refusals of build_headers alone (it makes them too), for a caller
// that wants them before it starts work that build_headers' other input
// (rewrite_from, from DNS) must wait for.
void check_refusals(const mta::message::Header& in, const HeaderRules& rules);

// The prefix with its last '#' replaced by the number.
std::string numbered_prefix(std::string_view prefix, unsigned long number);

// The From line of rule "rewrite" for a From value (exposed for tests).
std::string rewritten_from(std::string_view from_value, const HeaderRules& rules);

// The domain of the first From address, lower case, or "".
std::string from_domain(const mta::message::Header& in);

// qmail-local's quoting of the envelope sender for Return-Path (newlines as '_').
std::string return_path_line(std::string_view sender);

}  // namespace ezmlm::post
