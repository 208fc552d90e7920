package dev.trcr.chat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Finds mentions in a message: {@code @} followed by a member's name with its spaces removed, case-insensitive
 * ({@code @AdaLovelace} for "Ada Lovelace"). The {@code @} must not follow a letter or digit (an email address is no
 * mention) and the name must not run on into more letters or digits ({@code @Ada} does not mention "Adam").
 */
final class Mentions {

  private Mentions() {
  }

  /** The mentioned users among {@code names} (user id → display name), in order of first mention. */
  static List<UUID> extract(String text, Map<UUID, String> names) {
    Set<UUID> found = new LinkedHashSet<>();
    if (text == null || text.indexOf('@') < 0) {
      return List.of();
    }
    List<Map.Entry<UUID, String>> handles = new ArrayList<>();
    names.forEach((id, name) -> {
      String handle = handle(name);
      if (!handle.isEmpty()) {
        handles.add(Map.entry(id, handle));
      }
    });
    for (int at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
      if (at > 0 && Character.isLetterOrDigit(text.codePointBefore(at))) {
        continue;
      }
      int start = at + 1;
      for (Map.Entry<UUID, String> h : handles) {
        String handle = h.getValue();
        int end = start + handle.length();
        if (text.regionMatches(true, start, handle, 0, handle.length())
            && (end >= text.length() || !Character.isLetterOrDigit(text.codePointAt(end)))) {
          found.add(h.getKey());
        }
      }
    }
    return new ArrayList<>(found);
  }

  /** A name as it is mentioned: without whitespace. */
  static String handle(String name) {
    return name == null ? "" : name.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
  }
}
