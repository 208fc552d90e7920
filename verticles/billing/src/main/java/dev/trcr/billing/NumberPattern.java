package dev.trcr.billing;

import dev.trcr.kernel.ErrorCode;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A team's invoice number pattern, e.g. {@code INV-{yyyy}-{seq:4}}: {@code {yyyy}} is the UTC year of issue,
 * {@code {seq}} the team's gapless counter, {@code {seq:N}} the same zero-padded to N digits (1–12). The counter never
 * resets, so numbers stay unique whatever the pattern; a pattern must contain {@code {seq}}.
 */
record NumberPattern(String text) {

  static final String DEFAULT = "INV-{yyyy}-{seq:4}";
  private static final Pattern TOKEN = Pattern.compile("\\{([^{}]*)}");
  private static final Pattern SEQ = Pattern.compile("seq(?::([1-9]|1[0-2]))?");
  private static final int MAX_LENGTH = 64;

  /** Checks a pattern (400 validation_failed on invoiceNumberPattern otherwise). */
  static NumberPattern of(String text) {
    if (text == null || text.isBlank() || text.length() > MAX_LENGTH) {
      throw invalid("invoiceNumberPattern must have 1 to " + MAX_LENGTH + " characters");
    }
    boolean seq = false;
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      String token = m.group(1);
      if (SEQ.matcher(token).matches()) {
        seq = true;
      } else if (!token.equals("yyyy")) {
        throw invalid("invoiceNumberPattern knows {yyyy}, {seq} and {seq:N} (N 1-12), not {" + token + "}");
      }
    }
    String outside = TOKEN.matcher(text).replaceAll("");
    if (outside.indexOf('{') >= 0 || outside.indexOf('}') >= 0) {
      throw invalid("invoiceNumberPattern has an unclosed brace");
    }
    if (!seq) {
      throw invalid("invoiceNumberPattern must contain {seq} or {seq:N}");
    }
    if (outside.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '"')) {
      throw invalid("invoiceNumberPattern must not contain control characters, slashes or quotes (it names the PDF "
          + "file)");
    }
    return new NumberPattern(text);
  }

  String format(int year, long seq) {
    Matcher m = TOKEN.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String token = m.group(1);
      String value;
      if (token.equals("yyyy")) {
        value = String.format("%04d", year);
      } else {
        Matcher s = SEQ.matcher(token);
        s.matches();
        value = s.group(1) == null ? Long.toString(seq) : String.format("%0" + s.group(1) + "d", seq);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static RuntimeException invalid(String message) {
    return ErrorCode.VALIDATION_FAILED.field("invoiceNumberPattern", message);
  }
}
