// ezmlm/lib/ezmlmrc.cpp — interpreter of the ezmlmrc template language.
//
// The state machine follows ezmlm-make(1) of ezmlm-idx 7.2: one "current
// file" (the last one opened), one "file name" (the last named in a plain
// file tag, kept by "</#FLAGS/>"), and whether the lines under the current
// tag are written. An "E" tag checks for an existing file only when it would
// open a file, so the decision is made by the first tag that names it.
#include "ezmlm/lib/ezmlmrc.h"

#include <cctype>

namespace ezmlm::rc {

namespace {

using mta::cat;

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

enum class TagKind { file, remove, mkdir, link };

struct Tag {
  TagKind kind = TagKind::file;
  std::string name;    // without the kind character
  std::string flags;   // after '#', without "/>"
};

// parse_tag - one "</...>" line; throws TemplateError with the line.
Tag parse_tag(std::string_view line) {
  if (line.find('.') != std::string_view::npos)
    throw TemplateError(cat("periods not allowed in tags: ", line));
  std::size_t end = line.find("/>", 2);
  if (end == std::string_view::npos) throw TemplateError(cat("tag has no end: ", line));
  std::string_view inner = line.substr(2, end - 2);
  Tag tag;
  std::size_t hash = inner.find('#');
  std::string_view name = inner.substr(0, hash);
  if (hash != std::string_view::npos) {
    tag.flags = std::string(inner.substr(hash + 1));
    if (tag.flags.find('/') != std::string::npos) throw TemplateError(cat("tag has no end: ", line));
  }
  if (!name.empty() && (name[0] == '+' || name[0] == '-' || name[0] == ':')) {
    tag.kind = name[0] == '+' ? TagKind::mkdir : name[0] == '-' ? TagKind::remove : TagKind::link;
    name.remove_prefix(1);
    if (name.empty() && tag.kind != TagKind::link) throw TemplateError(cat("empty name in tag: ", line));
  }
  tag.name = std::string(name);
  return tag;
}

struct Verdict {
  bool wanted = true;      // every flag condition holds
  bool keep_existing = false;  // "E": do not overwrite an existing file
};

// evaluate - the FLAGS of a tag against the context.
Verdict evaluate(std::string_view flags, const Context& ctx) {
  Verdict v;
  bool negate = false;
  for (char c : flags) {
    if (c == '^') {
      negate = true;
      continue;
    }
    if ((c == 'E' && !negate) || (c == 'e' && negate)) {
      if (ctx.flag('e') && !ctx.force) v.keep_existing = true;
    } else if (is_lower(c)) {
      v.wanted = v.wanted && (ctx.flag(c) != negate);
    } else if (is_upper(c)) {
      v.wanted = v.wanted && (ctx.flag(static_cast<char>(c - 'A' + 'a')) == negate);
    } else if (is_digit(c)) {
      v.wanted = v.wanted && (!ctx.args[static_cast<std::size_t>(c - '0')].empty() != negate);
    }
    negate = false;
  }
  return v;
}

}  // namespace

std::string Context::flag_string() const {
  std::string out = "-";
  for (int i = 0; i < 26; ++i) out.push_back(static_cast<char>((flags[static_cast<std::size_t>(i)] ? 'a' : 'A') + i));
  return out;
}

bool version_matches(std::string_view line, std::string_view program_version) {
  std::size_t dash = program_version.rfind('-');
  std::string_view v = dash == std::string_view::npos ? program_version : program_version.substr(dash + 1);
  std::size_t dot = v.find('.');
  if (dot == std::string_view::npos || dot + 1 >= v.size()) return false;
  std::string_view major = v.substr(0, dot);
  if (line.substr(0, major.size()) != major) return false;
  // The character after the major number is not compared (qmail's own
  // check skips it too); the first minor digit is.
  return line.size() > major.size() + 1 && line[major.size() + 1] == v[dot + 1];
}

std::string substitute(std::string_view line, const Context& ctx) {
  std::string out;
  out.reserve(line.size());
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '<' && i + 4 < line.size() && line[i + 1] == '#' && line[i + 3] == '#' && line[i + 4] == '>') {
      char c = line[i + 2];
      switch (c) {
        case 'B': out += ctx.bin; break;
        case 'C': out += ctx.digestcode; break;
        case 'D': out += ctx.dir; break;
        case 'F': out += ctx.flag_string(); break;
        case 'H': out += ctx.host; break;
        case 'L': out += ctx.local; break;
        case 'T': out += ctx.dot; break;
        case 'X': out += ctx.template_path; break;
        default:
          if (is_digit(c))
            out += ctx.args[static_cast<std::size_t>(c - '0')];
          else
            out.append(line.substr(i, 5));  // a run-time tag: <#l#>, <#A#> ...
      }
      i += 5;
    } else {
      out.push_back(line[i++]);
    }
  }
  return out;
}

std::pair<std::string_view, std::string_view> split_version(std::string_view text) {
  std::size_t nl = text.find('\n');
  if (nl == std::string_view::npos) throw TemplateError("template has no version line");
  return {text.substr(0, nl), text.substr(nl + 1)};
}

void run(std::string_view body, const Context& ctx, Target& target) {
  std::string fname;                // the file of the last plain file tag
  std::optional<std::string> open;  // the file being written
  bool absent = false;              // the last open decision found no file to keep
  bool writing = false;             // lines under the current tag go out

  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    bool has_newline = nl != std::string_view::npos;
    std::string_view line = body.substr(pos, has_newline ? nl - pos : std::string_view::npos);
    pos = has_newline ? nl + 1 : body.size();

    if (!line.empty() && line[0] == '#') continue;  // comment
    if (line.substr(0, 2) != "</") {
      if (!writing) continue;
      std::string out = substitute(line, ctx);
      if (has_newline) out.push_back('\n');
      target.write(out);
      continue;
    }

    // A tag: whatever it is, it ends the lines of the previous one.
    Tag tag = parse_tag(line);
    Verdict v = evaluate(tag.flags, ctx);
    writing = false;
    switch (tag.kind) {
      case TagKind::mkdir:
        if (v.wanted) target.mkdir(tag.name);
        continue;
      case TagKind::remove:
        if (v.wanted) target.remove(tag.name);
        continue;
      case TagKind::link: {
        if (!v.wanted) continue;
        std::size_t slash = tag.name.find('/');
        if (slash == std::string::npos || slash + 1 >= tag.name.size())
          throw TemplateError(cat("link tag names no file: ", line));
        target.symlink(tag.name.substr(0, slash), tag.name.substr(slash + 1));
        continue;
      }
      case TagKind::file:
        break;
    }

    if (!tag.name.empty()) fname = tag.name;
    if (fname != open.value_or("")) {
      // Another file: close the open one; open this one unless "E" keeps it.
      absent = !(v.keep_existing && target.exists(fname));
      if (open) {
        target.close();
        open.reset();
      }
      if (v.wanted && absent) {
        if (fname.empty()) throw TemplateError(cat("tag names no file: ", line));
        target.open(fname);
        open = fname;
      }
    }
    writing = v.wanted && absent;
  }
  if (open) target.close();
}

// ---- MemoryTarget ----------------------------------------------------------

void MemoryTarget::open(const std::string& file) {
  files[file].clear();
  open_ = file;
  log.push_back("open " + file);
}

void MemoryTarget::write(std::string_view text) {
  if (!open_) mta::panic("ezmlmrc: write without an open file");
  files[*open_].append(text);
}

void MemoryTarget::close() {
  log.push_back("close " + open_.value_or("?"));
  open_.reset();
}

void MemoryTarget::remove(const std::string& file) {
  files.erase(file);
  log.push_back("rm " + file);
}

void MemoryTarget::mkdir(const std::string& dir) {
  dirs.push_back(dir);
  log.push_back("mkdir " + dir);
}

void MemoryTarget::symlink(const std::string& ext, const std::string& file) {
  links[ext] = file;
  log.push_back("ln " + ext + " " + file);
}

}  // namespace ezmlm::rc
