#include "svg.h"

#include <cmath>
#include <cstdio>

namespace paxoskv::bench {

std::string xml_escape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          escaped += '?';
        } else {
          escaped += c;
        }
    }
  }
  return escaped;
}

std::string svg_number(double value) {
  if (!std::isfinite(value)) value = 0;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  if (std::string_view(text) == "-0.0") return "0.0";
  return text;
}

SvgDocument::SvgDocument(double width, double height, std::string_view title) {
  body_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  body_ += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + svg_number(width) +
           "\" height=\"" + svg_number(height) + "\" viewBox=\"0 0 " + svg_number(width) + " " +
           svg_number(height) + "\" font-family=\"sans-serif\">\n";
  body_ += "<title>" + xml_escape(title) + "</title>\n";
}

void SvgDocument::rect(double x, double y, double width, double height, std::string_view fill,
                       std::string_view stroke) {
  body_ += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" width=\"" +
           svg_number(width) + "\" height=\"" + svg_number(height) + "\" fill=\"" +
           xml_escape(fill) + "\" stroke=\"" + xml_escape(stroke) + "\"/>\n";
}

void SvgDocument::line(double x1, double y1, double x2, double y2, std::string_view stroke,
                       bool dashed) {
  body_ += "<line x1=\"" + svg_number(x1) + "\" y1=\"" + svg_number(y1) + "\" x2=\"" +
           svg_number(x2) + "\" y2=\"" + svg_number(y2) + "\" stroke=\"" + xml_escape(stroke) +
           "\"" + (dashed ? " stroke-dasharray=\"3 3\"" : "") + "/>\n";
}

void SvgDocument::polyline(const std::vector<std::pair<double, double>>& points,
                           std::string_view stroke, std::string_view css_class) {
  body_ += "<polyline class=\"" + xml_escape(css_class) + "\" fill=\"none\" stroke=\"" +
           xml_escape(stroke) + "\" stroke-width=\"1.5\" points=\"";
  bool first = true;
  for (const auto& [x, y] : points) {
    if (!first) body_ += ' ';
    body_ += svg_number(x) + "," + svg_number(y);
    first = false;
  }
  body_ += "\"/>\n";
}

void SvgDocument::text(double x, double y, std::string_view text, Anchor anchor, int size,
                       bool bold, double rotate) {
  const char* anchor_name = anchor == Anchor::start    ? "start"
                            : anchor == Anchor::middle ? "middle"
                                                       : "end";
  body_ += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" font-size=\"" +
           std::to_string(size) + "\" text-anchor=\"" + anchor_name + "\"";
  if (bold) body_ += " font-weight=\"bold\"";
  if (rotate != 0) {
    body_ += " transform=\"rotate(" + svg_number(rotate) + " " + svg_number(x) + " " +
             svg_number(y) + ")\"";
  }
  body_ += ">" + xml_escape(text) + "</text>\n";
}

std::string SvgDocument::finish() {
  body_ += "</svg>\n";
  return std::move(body_);
}

}  // namespace paxoskv::bench
