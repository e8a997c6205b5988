#pragma once
// The subset of github.com/olekukonko/tablewriter that `etcdctl -w table` uses: a bordered table
// whose header is upper-cased and centred, whose cells are right-aligned, and whose cells wider
// than 30 columns are word-wrapped with minimal raggedness onto several lines, all as that
// library does it. Display width counts code points (the library counts East Asian wide
// characters as two; etcd's tables hold ASCII).
#include <string>
#include <vector>

namespace synod::ctl {

class TableWriter {
 public:
  explicit TableWriter(std::vector<std::string> header);
  void append_row(std::vector<std::string> row);
  std::string render() const;

 private:
  struct Cell {
    std::vector<std::string> lines;
  };
  Cell make_cell(const std::string& text, std::size_t column);
  std::string border_line() const;
  void render_row(std::string& out, const std::vector<Cell>& row, bool is_header) const;

  std::vector<Cell> header_;
  std::vector<std::vector<Cell>> rows_;
  std::vector<std::size_t> column_widths_;
};

// tablewriter's WrapString: words of `text` onto lines of at most `limit` columns, a longer word
// on a line of its own.
std::vector<std::string> wrap_words(const std::string& text, std::size_t limit);
// tablewriter's Title: '_' (and '.' between letters) to spaces, trimmed, upper-cased.
std::string table_title(const std::string& header);

}  // namespace synod::ctl
