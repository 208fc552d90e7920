package dev.trcr.kernel;

import java.util.List;

/**
 * RFC 4180 text: fields separated by commas, records ended by CRLF; a field holding a comma, a quote, CR or LF is
 * quoted, with its quotes doubled. A field that a spreadsheet would run as a formula ({@code =}, {@code +}, {@code -},
 * {@code @} first) is prefixed with a quote character, so an exported description cannot execute in Excel.
 */
public final class Csv {

  private Csv() {
  }

  /** One record with its CRLF; {@code null} is an empty field. */
  public static String row(List<?> fields) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(field(fields.get(i)));
    }
    return out.append("\r\n").toString();
  }

  public static String row(Object... fields) {
    return row(java.util.Arrays.asList(fields));
  }

  static String field(Object value) {
    if (value == null) {
      return "";
    }
    String text = value.toString();
    if (!(value instanceof Number) && !text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0) {
      text = "'" + text;
    }
    boolean quote = text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\r') >= 0
        || text.indexOf('\n') >= 0;
    return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
  }
}
