// filters/helpers.cpp — see helpers.h. The child tables follow qmail's
// bouncesaying, condredirect and except (reference mta.md section 8).
#include "filters/helpers.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

#include "mta/core/cli.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"

namespace filters {

using mta::TempError;

// child_verdict - the three-way split every helper makes
ChildVerdict child_verdict(int wait_status) {
  // qmail's helpers give no status code with these texts: they are what the
  // sender reads in a bounce, and what existing filters match on.
  if (!WIFEXITED(wait_status)) throw TempError("child crashed", "");
  switch (WEXITSTATUS(wait_status)) {
    case 0: return ChildVerdict::zero;
    case mta::exit_temp: return ChildVerdict::temporary;
    default: return ChildVerdict::other;
  }
}

// bouncesaying_bounces - the condition program said yes; 111 defers
bool bouncesaying_bounces(ChildVerdict v) {
  if (v == ChildVerdict::temporary) throw TempError("temporary child error", "");
  return v == ChildVerdict::zero;
}

// condredirect_redirects - the same question, asked by condredirect
bool condredirect_redirects(ChildVerdict v) { return bouncesaying_bounces(v); }

// except_exit - success becomes a bounce, failure a success
int except_exit(ChildVerdict v) { return bouncesaying_bounces(v) ? mta::exit_perm : mta::exit_ok; }

// run_child - execvp argv with our descriptors and wait for it
int run_child(const std::vector<std::string>& argv, std::string_view exec_error_text) {
  mta::process::SpawnOptions opts;
  opts.use_path = true;
  opts.exec_status_from_errno = true;
  opts.exec_error_text = std::string(exec_error_text);
  return mta::process::wait_for(mta::process::spawn(argv, opts));
}

// parse_preline - getopt over "frdFRD", then the command
PrelineOptions parse_preline(int argc, char** argv) {
  namespace po = mta::cli::po;
  po::options_description desc;
  desc.add_options()
      (",f", po::value<std::vector<std::string>>()->zero_tokens(), "omit the From_ line")
      (",r", po::value<std::vector<std::string>>()->zero_tokens(), "omit Return-Path")
      (",d", po::value<std::vector<std::string>>()->zero_tokens(), "omit Delivered-To")
      (",F", po::value<std::vector<std::string>>()->zero_tokens(), "add the From_ line")
      (",R", po::value<std::vector<std::string>>()->zero_tokens(), "add Return-Path")
      (",D", po::value<std::vector<std::string>>()->zero_tokens(), "add Delivered-To");
  // getopt order: the flags end at the command, whose own flags are its own.
  mta::cli::Parsed p = mta::cli::parse(argc, argv, desc);
  PrelineOptions o;
  for (const std::string& key : p.order) {
    if (key == "-f") o.ufline = false;
    if (key == "-F") o.ufline = true;
    if (key == "-r") o.rpline = false;
    if (key == "-R") o.rpline = true;
    if (key == "-d") o.dtline = false;
    if (key == "-D") o.dtline = true;
  }
  if (p.positional.empty()) throw mta::UsageError("");
  o.command = std::move(p.positional);
  return o;
}

// preline_prefix - UFLINE, RPLINE, DTLINE as selected, in that order
std::string preline_prefix(const PrelineOptions& o, std::string_view ufline, std::string_view rpline,
                           std::string_view dtline) {
  std::string out;
  if (o.ufline) out += ufline;
  if (o.rpline) out += rpline;
  if (o.dtline) out += dtline;
  return out;
}

// run_preline - one pipe, one child, the standard lines and the message
int run_preline(const PrelineOptions& o, const mta::dotqmail::Env& env, int message_fd) {
  // qmail's preline wants all three even when a flag leaves one out; asked
  // in this order so that the error names the first one missing.
  const std::string& ufline = env.need("UFLINE");
  const std::string& rpline = env.need("RPLINE");
  const std::string& dtline = env.need("DTLINE");
  const std::string prefix = preline_prefix(o, ufline, rpline, dtline);

  // Named fds rather than a structured binding: the copy lambda captures
  // pipe_w, which clang 14 does not allow for a binding.
  std::pair<mta::io::Fd, mta::io::Fd> pipe = mta::process::make_pipe();
  mta::io::Fd& pipe_r = pipe.first;
  mta::io::Fd& pipe_w = pipe.second;
  mta::process::SpawnOptions opts;
  opts.fds = {{0, pipe_r.get()}};
  opts.use_path = true;
  opts.exec_status_from_errno = true;
  opts.exec_error_text = mta::cat("preline: fatal: unable to run ", o.command.front(), ": ");
  ::signal(SIGPIPE, SIG_IGN);
  pid_t pid = mta::process::spawn(o.command, opts);
  pipe_r.reset();

  // Copy until the message ends or the command stops reading. qmail's
  // preline exits 111 when the command leaves early, which defers (and so
  // duplicates) deliveries to "|preline grep -q ..."; the command's own exit
  // code is the better answer.
  std::string buf(65536, '\0');
  bool reading_stopped = false;
  std::string read_error;
  auto put = [&](std::string_view data) {
    if (reading_stopped) return;
    try {
      mta::io::write_all(pipe_w.get(), data);
    } catch (const mta::MailError&) {
      reading_stopped = true;  // EPIPE: the command is gone or closed stdin
    }
  };
  put(prefix);
  while (!reading_stopped) {
    ssize_t n = ::read(message_fd, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      read_error = std::strerror(errno);
      break;
    }
    put(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
  pipe_w.reset();

  // Wait in every case, so that no child is left behind, then judge.
  const int status = mta::process::wait_for(pid);
  if (!read_error.empty()) throw TempError(mta::cat("unable to copy input: ", read_error), "");
  if (!WIFEXITED(status)) throw TempError("child crashed", "");
  return WEXITSTATUS(status);
}

// report_queued - qmail's last words: the qp, or the queue's reason
int report_queued(std::string_view prog, const mta::dotqmail::Forwarded& q, int ok_code) {
  if (!q.result.ok()) {
    std::cerr << prog << ": fatal: " << q.result.reason() << std::endl;
    return q.result.permanent() ? mta::exit_perm : mta::exit_temp;
  }
  std::cerr << prog << ": qp " << q.qp << std::endl;
  return ok_code;
}

}  // namespace filters
