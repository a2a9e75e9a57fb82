// ezmlm/lib/digest.h — the body of a digest or an archive reply (ezmlm.md 6.2).
//
// A reply of ezmlm-get is the archived messages of a range, threaded: a
// table of contents by subject ("topic") with "N by: author" lines, an
// Administrivia section (text/digest for digests; text/bottom and the
// request for replies), then the messages, topic by topic. The formats:
//   m  multipart/digest: a text/plain part (TOC, Administrivia), then one
//      message/rfc822 part per message, Content-Disposition inline with
//      filename="<local>_<N>.eml", the message's header cut to digheaders
//   x  the same as multipart/mixed (for clients that mishandle digest)
//   v  as m, messages whole
//   n  as v, in number order and without the TOC
//   r  RFC 1153 plain text: ordered Date/To/From/Cc/Subject/Message-ID/
//      Keywords, runs of blank lines cut to one, 30-dash separators
// With a charset ending in :Q or :B the text part is quoted-printable or
// base64 and the request copy becomes a message/rfc822 part of its own.
// A missing or incomplete archive file (no owner-execute bit) becomes the
// text/get-bad text in its place.
//
// Subjects and authors come from the subject index (post_threads.h's
// parse_index over archive/<N/100>/index); a message the index does not
// know is indexed on the fly from its own header (post_archive.h's
// index_entry_for), so an unindexed list still gets a useful TOC.
//
// write_body() streams to a Writer: a digest of 100 large messages is never
// held in memory.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ezmlm/lib/get_command.h"
#include "ezmlm/lib/post_threads.h"
#include "mta/core/io.h"

namespace ezmlm::get {

namespace fs = std::filesystem;

// The index records of messages span.from..span.to (only those archived),
// in number order; `prefix` strips the list prefix when a record is made
// from the message itself.
std::vector<post::IndexRecord> load_records(const fs::path& dir, Span span, std::string_view prefix);

struct Topic {
  std::string subject;
  std::vector<const post::IndexRecord*> messages;
};
// Threaded: one topic per subject hash, in order of first message.
// Not threaded: one topic per message.
std::vector<Topic> make_topics(const std::vector<post::IndexRecord>& records, bool threaded);

enum class Kind { digest, get, thread, index };

struct BodyPlan {
  Kind kind = Kind::get;
  char format = 'm';
  std::string listname;        // outlocal: filenames, "End of L Digest"
  std::string subject;         // the whole Subject value
  std::string boundary;        // 20 letters (makehash)
  std::string charset;         // for text parts
  Span span;                   // "Topics (messages A through B)"
  std::vector<Topic> topics;
  std::string administrivia;   // rendered text/digest or text/bottom
  std::string request_copy;    // Return-Path + the request's header (+ copylines)
  char encoding = 0;           // 'Q' or 'B' from charset: the text part encoded
  std::vector<std::string> digheaders;  // lowercase names kept by m and x
  std::string get_bad;         // rendered text/get-bad
  std::string index_body;      // Kind::index: index_text() (no TOC, no messages)
  // Texts from text/messages.
  std::string txt_topics;      // "Topics (messages A through B)" filled in
  std::string txt_administrivia;
  std::function<std::string(const std::string& author)> txt_by;  // "by: author"
  std::string txt_end;         // "End of L Digest" filled in
};

// The default digheaders.
std::vector<std::string> default_digheaders();

// MIME-Version, Content-Type, Subject, the blank line and the body.
void write_body(mta::io::Writer& out, const fs::path& dir, const BodyPlan& plan);

// The index reply's body text for blocks span.from/100 .. span.to/100:
// "N: subject" and "\tdate author" lines (hashes and times removed).
std::string index_text(const fs::path& dir, Span span, std::string_view no_index_text);

}  // namespace ezmlm::get
