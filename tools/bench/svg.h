// A small SVG writer: a self-contained document of shapes and text (no scripts, no
// external fonts, links or styles), every text escaped for XML.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paxoskv::bench {

// `text` with & < > " ' as entities, and control characters (not allowed in XML 1.0)
// as '?'.
std::string xml_escape(std::string_view text);

// A coordinate as the document writes it: one decimal, "-0.0" as "0.0".
std::string svg_number(double value);

enum class Anchor { start, middle, end };

class SvgDocument {
 public:
  SvgDocument(double width, double height, std::string_view title);

  void rect(double x, double y, double width, double height, std::string_view fill,
            std::string_view stroke = "none");
  void line(double x1, double y1, double x2, double y2, std::string_view stroke,
            bool dashed = false);
  void polyline(const std::vector<std::pair<double, double>>& points, std::string_view stroke,
                std::string_view css_class);
  void text(double x, double y, std::string_view text, Anchor anchor = Anchor::start, int size = 12,
            bool bold = false, double rotate = 0);

  // The whole document; the writer is then done with.
  std::string finish();

 private:
  std::string body_;
};

}  // namespace paxoskv::bench
