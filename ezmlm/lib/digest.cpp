#include "ezmlm/lib/digest.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "ezmlm/lib/post_archive.h"
#include "ezmlm/lib/post_mime.h"
#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"

namespace ezmlm::get {

namespace {

constexpr std::string_view toc_rule = "----------------------------------------------------------------------";
constexpr std::string_view rfc1153_rule = "------------------------------";
constexpr std::string_view rfc1153_end = "***********************************";

bool mime_format(char f) { return f != 'r'; }

// The archive file of n if it is complete (owner-execute bit), else an invalid Fd.
mta::io::Fd open_complete(const fs::path& dir, unsigned long n) {
  mta::io::Fd fd = mta::io::open_if_exists(post::archive_file(dir, n), O_RDONLY);
  if (!fd) return fd;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !(st.st_mode & S_IXUSR)) return mta::io::Fd();
  return fd;
}

std::string lower(std::string_view s) { return mta::address::ascii_lower(s); }

void ensure_newline(mta::io::Writer& out, std::string_view last) {
  if (!last.empty() && last.back() != '\n') out.put('\n');
}

// Calls f with each line (without its '\n') of what follows the header:
// header.body_start, then the rest of `in`.
template <typename F>
void for_each_body_line(const mta::message::Header& header, mta::io::Reader& in, F f) {
  std::string line = header.body_start;
  if (!line.empty()) {
    const bool whole = line.back() == '\n';
    if (whole) line.pop_back();
    f(std::string_view(line));
    if (!whole) return;  // the header reader met the end of input
  }
  for (;;) {
    auto got = in.getline(line);
    if (got == mta::io::Reader::Got::nothing) return;
    f(std::string_view(line));
    if (got == mta::io::Reader::Got::partial) return;
  }
}

// m and x: the header cut to digheaders, the body as archived.
void copy_filtered(mta::io::Writer& out, mta::io::Reader& in, const std::vector<std::string>& keep) {
  auto header = mta::message::read_header(in);
  for (const auto& field : header.fields)
    if (std::find(keep.begin(), keep.end(), lower(field.name)) != keep.end()) {
      out.write(field.raw);
      ensure_newline(out, field.raw);
    }
  out.put('\n');
  for_each_body_line(header, in, [&](std::string_view l) { out << l << "\n"; });
}

// v and n: the archived message as it is (a missing final newline added).
void copy_whole(mta::io::Writer& out, mta::io::Reader& in) {
  std::string line;
  for (;;) {
    auto got = in.getline(line);
    if (got == mta::io::Reader::Got::nothing) return;
    out << line << "\n";
    if (got == mta::io::Reader::Got::partial) return;
  }
}

// r (RFC 1153): the header fields in the order the RFC asks for, blank
// lines at the start and end dropped and runs of them cut to one.
void copy_rfc1153(mta::io::Writer& out, mta::io::Reader& in) {
  auto header = mta::message::read_header(in);
  static constexpr std::string_view order[] = {"date", "to", "from", "cc", "subject", "message-id", "keywords"};
  for (auto name : order)
    if (const auto* f = header.find(name)) {
      out.write(f->raw);
      ensure_newline(out, f->raw);
    }
  out.put('\n');
  bool seen_text = false, blank_pending = false;
  for_each_body_line(header, in, [&](std::string_view l) {
    if (l.empty()) {
      if (seen_text) blank_pending = true;
      return;
    }
    if (blank_pending) out.put('\n');
    blank_pending = false;
    seen_text = true;
    out << l << "\n";
  });
}

void write_toc(mta::io::Writer& out, const BodyPlan& plan) {
  for (const Topic& topic : plan.topics) {
    out << "\n" << (topic.subject.empty() ? std::string_view("(null)") : std::string_view(topic.subject)) << "\n";
    for (const post::IndexRecord* r : topic.messages) {
      out << "\t" << std::to_string(r->number) << " " << plan.txt_by(r->author) << "\n";
    }
  }
}

void write_message(mta::io::Writer& out, const fs::path& dir, const BodyPlan& plan, unsigned long n) {
  mta::io::Fd fd = open_complete(dir, n);
  const std::string name = plan.listname + "_" + std::to_string(n) + ".eml";
  if (!mime_format(plan.format)) {
    if (!fd) {
      out << "\n== " << std::to_string(n) << " ==\n\n" << plan.get_bad;
    } else {
      mta::io::Reader in(fd.get());
      copy_rfc1153(out, in);
    }
    out << "\n" << rfc1153_rule << "\n\n";
    return;
  }
  out << "\n--" << plan.boundary << "\n";
  if (!fd) {
    out << "Content-Type: text/plain; charset=" << plan.charset << "\n";
    out << "Content-Disposition: inline; filename=\"" << name << "\"\n\n" << plan.get_bad;
    return;
  }
  out << "Content-Type: message/rfc822\n";
  out << "Content-Disposition: inline; filename=\"" << name << "\"\n\n";
  mta::io::Reader in(fd.get());
  if (plan.format == 'm' || plan.format == 'x') copy_filtered(out, in, plan.digheaders);
  else copy_whole(out, in);
}

}  // namespace

std::vector<post::IndexRecord> load_records(const fs::path& dir, Span span, std::string_view prefix) {
  std::vector<post::IndexRecord> out;
  if (span.from == 0 || span.to < span.from) return out;
  std::map<unsigned long, post::IndexRecord> known;
  for (unsigned long block = span.from / 100; block <= span.to / 100; ++block) {
    auto text = mta::io::read_file(dir / "archive" / std::to_string(block) / "index");
    if (!text) continue;
    unsigned bad = 0;
    for (auto& r : post::parse_index(*text, bad))
      if (r.number >= span.from && r.number <= span.to) known[r.number] = std::move(r);
  }
  for (unsigned long n = span.from;; ++n) {
    auto it = known.find(n);
    if (it != known.end()) {
      out.push_back(std::move(it->second));
    } else if (mta::io::Fd fd = open_complete(dir, n)) {
      mta::io::Reader in(fd.get());
      unsigned bad = 0;
      auto made = post::parse_index(post::index_entry_for(n, in, prefix, false), bad);
      if (!made.empty()) out.push_back(std::move(made.front()));
    } else {
      // Not archived (removed, or not yet complete): it still has its place,
      // where the reply says it could not be found.
      post::IndexRecord r;
      r.number = n;
      out.push_back(std::move(r));
    }
    if (n == span.to) break;
  }
  return out;
}

std::vector<Topic> make_topics(const std::vector<post::IndexRecord>& records, bool threaded) {
  std::vector<Topic> topics;
  std::map<std::string, std::size_t> by_hash;
  for (const auto& r : records) {
    if (threaded && !r.subjhash.empty()) {
      auto [it, fresh] = by_hash.emplace(r.subjhash, topics.size());
      if (!fresh) {
        topics[it->second].messages.push_back(&r);
        continue;
      }
    }
    topics.push_back(Topic{r.subject, {&r}});
  }
  return topics;
}

std::vector<std::string> default_digheaders() {
  return {"from", "to", "subject", "reply-to", "date", "message-id", "cc",
          "mime-version", "content-type", "content-transfer-encoding"};
}

void write_body(mta::io::Writer& out, const fs::path& dir, const BodyPlan& plan) {
  const bool mime = mime_format(plan.format);
  // charset :Q / :B encodes the text part (MIME formats only: RFC 1153 is
  // plain text by definition); the request copy then travels as its own
  // message/rfc822 part, since its header may hold anything.
  const char encoding = mime ? plan.encoding : 0;
  out << "MIME-Version: 1.0\n";
  if (mime) {
    out << "Content-Type: multipart/" << (plan.format == 'x' ? "mixed" : "digest") << "; boundary=" << plan.boundary
        << "\n";
  } else {
    out << "Content-Type: text/plain; charset=" << plan.charset << "\n";
  }
  out << "Subject: " << plan.subject << "\n\n";

  // The text part: subject, TOC or index, Administrivia.
  std::string text;
  mta::io::Writer tw(text);
  tw << plan.subject << "\n\n";
  if (plan.kind == Kind::index) {
    tw << plan.index_body << plan.administrivia;
  } else {
    if (plan.format != 'n' && (plan.kind == Kind::digest || plan.kind == Kind::get)) tw << plan.txt_topics << "\n";
    if (plan.format != 'n') write_toc(tw, plan);
    tw << "\n" << plan.txt_administrivia << "\n\n" << plan.administrivia;
  }
  if (!encoding) tw << plan.request_copy;
  tw.flush();
  if (mime) {
    out << "--" << plan.boundary << "\n";
    out << "Content-Type: text/plain; charset=" << plan.charset << "\n";
    if (encoding) out << "Content-Transfer-Encoding: " << (encoding == 'B' ? "base64" : "quoted-printable") << "\n";
    out << "\n";
  }
  if (encoding == 'B') out << post::encode_base64_text(text);
  else if (encoding == 'Q') out << post::encode_qp(text);
  else out << text;
  if (encoding && !plan.request_copy.empty()) {
    out << "\n--" << plan.boundary << "\n";
    out << "Content-Type: message/rfc822\nContent-Disposition: inline; filename=request.msg\n\n";
    out << plan.request_copy;
  }
  if (plan.kind == Kind::index) {
    if (mime) out << "\n--" << plan.boundary << "--\n";
    return;
  }
  if (!encoding) out << "\n" << toc_rule << "\n";
  for (const Topic& topic : plan.topics)
    for (const post::IndexRecord* r : topic.messages) write_message(out, dir, plan, r->number);
  if (mime) out << "\n--" << plan.boundary << "--\n";
  else out << plan.txt_end << "\n" << rfc1153_end << "\n";
}

std::string index_text(const fs::path& dir, Span span, std::string_view no_index_text) {
  std::string out;
  for (unsigned long block = span.from / 100; block <= span.to / 100; ++block) {
    auto text = mta::io::read_file(dir / "archive" / std::to_string(block) / "index");
    if (!text) {
      out.append(no_index_text).append("\n");
      continue;
    }
    unsigned bad = 0;
    for (const auto& r : post::parse_index(*text, bad)) {
      // The date without its time: "24 Nov 2026 12:00:01 -0000" -> "24 Nov 2026".
      std::string_view date = r.date;
      if (date.size() > 15) date.remove_suffix(15);
      out += mta::cat(std::to_string(r.number), ": ", r.subject, "\n\t", date, " ", r.author, "\n");
    }
  }
  return out;
}

}  // namespace ezmlm::get
