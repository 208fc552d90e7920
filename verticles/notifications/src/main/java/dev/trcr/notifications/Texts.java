package dev.trcr.notifications;

/** The words of notifications and emails. Everything a user typed is escaped before it goes into HTML. */
final class Texts {

  private static final int EXCERPT = 200;

  private Texts() {
  }

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** At most 200 characters of a message, on one line. */
  static String excerpt(String text) {
    if (text == null) {
      return null;
    }
    String line = text.replaceAll("\\s+", " ").strip();
    return line.codePointCount(0, line.length()) <= EXCERPT ? line
        : line.substring(0, line.offsetByCodePoints(0, EXCERPT)) + "…";
  }

  static String plain(String title, String body, String link) {
    StringBuilder out = new StringBuilder(title).append("\n\n");
    if (body != null && !body.isBlank()) {
      out.append(body).append("\n\n");
    }
    if (link != null) {
      out.append("Open in trcr: ").append(link).append('\n');
    }
    out.append("\n--\nYou can turn these emails off in trcr's notification settings.\n");
    return out.toString();
  }

  static String html(String title, String body, String link) {
    StringBuilder out = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
        .append("<p><strong>").append(escape(title)).append("</strong></p>");
    if (body != null && !body.isBlank()) {
      out.append("<p>").append(escape(body).replace("\n", "<br>")).append("</p>");
    }
    if (link != null) {
      out.append("<p><a href=\"").append(escape(link)).append("\">Open in trcr</a></p>");
    }
    return out.append("<p style=\"color:#888;font-size:12px\">You can turn these emails off in trcr's notification ")
        .append("settings.</p></body></html>").toString();
  }

  /** {@code 10 h 5 min}, {@code 42 min}, {@code 30 s}. */
  static String duration(long seconds) {
    long h = seconds / 3600;
    long m = seconds % 3600 / 60;
    if (h > 0) {
      return m > 0 ? h + " h " + m + " min" : h + " h";
    }
    return m > 0 ? m + " min" : seconds + " s";
  }
}
