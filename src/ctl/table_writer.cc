// tablewriter's layout (NewWriter defaults plus SetAlignment(ALIGN_RIGHT)), step for step.
#include "ctl/table_writer.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>

#include "ctl/go_text.h"

namespace synod::ctl {
namespace {

constexpr std::size_t kMaxCellWidth = 30;         // tablewriter's MAX_ROW_WIDTH
constexpr std::int64_t kTooLongPenalty = 100000;  // WrapWords' penalty for an over-long line

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  while (!text.empty()) {
    text.remove_prefix(go::decode_rune(text).size);
    ++width;
  }
  return width;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string::npos) break;
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::string join(const std::vector<std::string>& parts, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += ' ';
    out += parts[i];
  }
  return out;
}

std::string pad_center(const std::string& text, std::size_t width) {
  const std::size_t length = display_width(text);
  if (length >= width) return text;
  const std::size_t gap = width - length;
  const std::size_t left = gap / 2;
  return std::string(left, ' ') + text + std::string(gap - left, ' ');
}

std::string pad_left(const std::string& text, std::size_t width) {
  const std::size_t length = display_width(text);
  if (length >= width) return text;
  return std::string(width - length, ' ') + text;
}

bool is_digit_or_space(char c) { return (c >= '0' && c <= '9') || c == ' '; }

}  // namespace

std::vector<std::string> wrap_words(const std::string& text, std::size_t limit) {
  std::string flattened = text;
  std::replace(flattened.begin(), flattened.end(), '\n', ' ');
  const std::vector<std::string> words = split(flattened, ' ');
  const std::size_t count = words.size();
  std::vector<std::size_t> widths(count);
  for (std::size_t i = 0; i < count; ++i) {
    widths[i] = display_width(words[i]);
    limit = std::max(limit, widths[i]);
  }
  // WrapWords: minimise the sum of squared slack, breaking before words; line_end[i] is where
  // the line starting at word i ends.
  const auto line_width = [&](std::size_t first, std::size_t last) {
    std::size_t width = 0;
    for (std::size_t k = first; k <= last; ++k) width += widths[k] + (k > first ? 1 : 0);
    return static_cast<std::int64_t>(width);
  };
  const auto limit_width = static_cast<std::int64_t>(limit);
  std::vector<std::size_t> line_end(count, count);
  std::vector<std::int64_t> cost(count, std::numeric_limits<std::int32_t>::max());
  for (std::size_t i = count; i-- > 0;) {
    if (line_width(i, count - 1) <= limit_width) {
      cost[i] = 0;
      line_end[i] = count;
      continue;
    }
    for (std::size_t j = i + 1; j < count; ++j) {
      const std::int64_t width = line_width(i, j - 1);
      const std::int64_t slack = limit_width - width;
      std::int64_t candidate = slack * slack + cost[j];
      if (width > limit_width) candidate += kTooLongPenalty;
      if (candidate < cost[i]) {
        cost[i] = candidate;
        line_end[i] = j;
      }
    }
  }
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < count; i = line_end[i]) lines.push_back(join(words, i, line_end[i]));
  return lines;
}

std::string table_title(const std::string& header) {
  std::string title = header;
  for (std::size_t i = 0; i < title.size(); ++i) {
    if (title[i] == '_') {
      title[i] = ' ';
    } else if (title[i] == '.') {
      const bool after_non_digit = i != 0 && !is_digit_or_space(title[i - 1]);
      const bool before_non_digit = i + 1 != title.size() && !is_digit_or_space(title[i + 1]);
      if (after_non_digit || before_non_digit) title[i] = ' ';
    }
  }
  std::string trimmed(go::trim_space(title));
  if (trimmed.empty() && !header.empty()) trimmed = " ";
  for (char& c : trimmed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return trimmed;
}

TableWriter::TableWriter(std::vector<std::string> header) {
  for (std::size_t column = 0; column < header.size(); ++column) {
    header_.push_back(make_cell(header[column], column));
  }
}

void TableWriter::append_row(std::vector<std::string> row) {
  std::vector<Cell> cells;
  for (std::size_t column = 0; column < row.size(); ++column) {
    cells.push_back(make_cell(row[column], column));
  }
  rows_.push_back(std::move(cells));
}

// tablewriter's parseDimension with autoWrap and reflowText on.
TableWriter::Cell TableWriter::make_cell(const std::string& text, std::size_t column) {
  const std::vector<std::string> raw_lines = split(text, '\n');
  std::size_t width = 0;
  for (const std::string& line : raw_lines) width = std::max(width, display_width(line));
  width = std::min(width, kMaxCellWidth);
  Cell cell{wrap_words(join(raw_lines, 0, raw_lines.size()), width)};
  for (const std::string& line : cell.lines) width = std::max(width, display_width(line));
  if (column_widths_.size() <= column) column_widths_.resize(column + 1, 0);
  column_widths_[column] = std::max(column_widths_[column], width);
  return cell;
}

std::string TableWriter::border_line() const {
  std::string line = "+";
  for (const std::size_t width : column_widths_) line += std::string(width + 2, '-') + "+";
  return line + "\n";
}

void TableWriter::render_row(std::string& out, const std::vector<Cell>& row, bool is_header) const {
  std::size_t height = 0;
  for (const Cell& cell : row) height = std::max(height, cell.lines.size());
  for (std::size_t line = 0; line < height; ++line) {
    out += '|';
    for (std::size_t column = 0; column < row.size(); ++column) {
      const std::vector<std::string>& lines = row[column].lines;
      const std::size_t width = column_widths_[column];
      if (is_header) {
        const std::string text = line < lines.size() ? table_title(lines[line]) : "";
        out += ' ' + pad_center(text, width) + " |";
      } else {
        // Short cells are filled with two spaces per missing line, as tablewriter does.
        const std::string text = line < lines.size() ? lines[line] : "  ";
        out += ' ' + pad_left(text, width) + " |";
      }
    }
    out += '\n';
  }
}

std::string TableWriter::render() const {
  std::string out = border_line();
  if (!header_.empty()) {
    render_row(out, header_, true);
    out += border_line();
  }
  for (const std::vector<Cell>& row : rows_) render_row(out, row, false);
  out += border_line();
  return out;
}

}  // namespace synod::ctl
