// Fuzz target: ezmlm-send's whole transform of one post — header rules
// (prefix, headerremove/keep, Reply-To, From rewriting decided through a
// fake DMARC resolver), MIME part removal and the trailer — on arbitrary
// input. The first byte chooses the list's configuration, the rest is the
// message. Checked: a post is either refused with PermError or gives an
// outgoing header that starts with our lines and ends every line in '\n';
// without a filter or trailer the archive body is the input body byte for
// byte; the outgoing copy always holds the archive copy's body as a prefix
// when no filter is active.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ezmlm/lib/post_dmarc.h"
#include "ezmlm/lib/post_header.h"
#include "ezmlm/lib/post_mime.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/message.h"

namespace {

using namespace ezmlm::post;

// DNS without a network: the policy is spelled by the domain itself.
class FakeTxt : public TxtLookup {
 public:
  std::optional<std::vector<std::string>> txt(std::string_view name) override {
    if (name.find("fail") != std::string_view::npos) throw mta::TempError("DNS lookup failed", "");
    if (name.find("reject") != std::string_view::npos) return std::vector<std::string>{"v=DMARC1; p=reject"};
    if (name.find("quar") != std::string_view::npos) return std::vector<std::string>{"v=DMARC1;p=quarantine"};
    if (name.find("junk") != std::string_view::npos) return std::vector<std::string>{"v=spf1 -all", "v=DMARC1"};
    return std::nullopt;
  }
};

class Sink : public BodySink {
 public:
  std::string out, archive;
  void both(std::string_view d) override {
    out.append(d);
    archive.append(d);
  }
  void outgoing(std::string_view d) override { out.append(d); }
};

bool lines_end(std::string_view s) { return s.empty() || s.back() == '\n'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned cfg = data[0];
  std::string message(reinterpret_cast<const char*>(data) + 1, size - 1);

  HeaderRules rules;
  rules.outlocal = "list";
  rules.outhost = "example.test";
  rules.mailing_list = (cfg & 1) ? "" : "contact list-help@example.test; run by ezmlm";
  rules.sublist = cfg & 1;
  rules.listid = (cfg & 2) ? "<list.example.test>" : "";
  rules.headeradd = {"Precedence: bulk", "X-Added: yes"};
  rules.headerremove = {"return-path", "return-receipt-to", "content-length"};
  if (cfg & 4) rules.headerkeep = {"from", "to", "subject", "date", "content-type", "mime-version"};
  rules.prefix = (cfg & 8) ? "[list #]" : "";
  rules.number = 42;
  rules.replytolist = cfg & 16;
  rules.keep_received = cfg & 32;
  rules.sender = "poster@example.org";

  auto in = mta::io::Reader::from_string(message, (cfg & 0x80) != 0);
  mta::message::Header header;
  try {
    header = mta::message::read_header(in);
  } catch (const std::exception&) {
    return 0;  // a header too long is refused before we get here
  }
  FakeTxt dns;
  try {
    if (std::string domain = from_domain(header); !domain.empty())
      rules.rewrite_from = munges(dmarc_policy(domain, dns));
  } catch (const mta::TempError&) {
    return 0;  // ezmlm-send defers (111)
  }

  PostHeaders heads;
  try {
    heads = build_headers(header, rules);
  } catch (const mta::PermError&) {
    return 0;
  }
  if (!lines_end(heads.outgoing) || !lines_end(heads.archive)) std::abort();
  if (heads.archive.rfind("Return-Path: <", 0) != 0) std::abort();
  if (heads.outgoing.find("Delivered-To: mailing list list@example.test\n") == std::string::npos) std::abort();
  if (!rules.sublist && heads.outgoing.rfind("Mailing-List: ", 0) != 0) std::abort();

  BodyPlan plan;
  if (const auto* ct = header.find("content-type")) plan.type = parse_content_type(ct->value());
  else plan.type.type = "text/plain";
  if (const auto* cte = header.find("content-transfer-encoding")) plan.cte = parse_cte(cte->value());
  if (cfg & 64) {
    plan.filter.mode = (cfg & 4) ? MimeFilter::Mode::keep : MimeFilter::Mode::remove;
    plan.filter.types = {"text/html", "application/octet-stream"};
  }
  if (cfg & 2) plan.trailer = "---\nTo unsubscribe, e-mail: list-unsubscribe@example.test\n";
  Sink sink;
  try {
    transform_body(in, header.body_start, plan, sink);
  } catch (const mta::PermError&) {
    if (!plan.filter.active()) std::abort();  // only a filter empties a post
    return 0;
  }
  if (!plan.filter.active()) {
    // Everything after the header reached the archive unchanged.
    auto rest = mta::io::Reader::from_string(message);
    (void)mta::message::read_header(rest);
    const std::string body = header.body_start + rest.read_all();
    if (sink.archive != body) std::abort();
    if (!plan.trailer && sink.out != sink.archive) std::abort();
  }
  return 0;
}
