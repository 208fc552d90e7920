package dev.trcr.kernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue is the one list of addresses: the README's table says exactly what it says. */
class AddressCatalogueTest {

  /** A row of the README's address table: a line starting with "| `address` |". */
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z{}A-Z.-]+)`\\s*\\|", Pattern.MULTILINE);

  @Test
  void theReadmeTableListsEveryAddressAndNoOther() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    Set<String> documented = new TreeSet<>();
    Matcher m = ROW.matcher(readme);
    while (m.find()) {
      documented.add(m.group(1));
    }
    Set<String> catalogued = new TreeSet<>();
    for (Address a : Address.values()) {
      catalogued.add(a.template());
    }
    assertEquals(catalogued, documented);
  }

  @Test
  void everyEntryDescribesItselfAndShowsAnExample() {
    for (Address a : Address.values()) {
      assertFalse(a.description().isBlank(), a.name());
      assertNotNull(a.example(), a.name());
      assertTrue(a.kind() != Address.Kind.COMMAND || a.exampleReply() != null, a.name() + " has no example reply");
    }
  }

  @Test
  void concreteAddressesResolveToTheirEntry() {
    String team = UUID.randomUUID().toString();
    assertEquals(Address.TEAM_TIMERS, Address.of("team." + team + ".timers").orElseThrow());
    assertEquals(team, Address.TEAM_TIMERS.idOf("team." + team + ".timers").orElseThrow());
    assertTrue(Address.of("team.not-a-uuid.timers").isEmpty());
    assertTrue(Address.of("team." + team + ".timers.extra").isEmpty());
    assertEquals(Address.TIMERS_START, Address.of("timers.start").orElseThrow());
    String project = UUID.randomUUID().toString();
    String board = Address.TEAM_BOARD.address(team, project);
    assertEquals("team." + team + ".board." + project, board);
    assertEquals(Address.TEAM_BOARD, Address.of(board).orElseThrow());
    assertEquals(team, Address.TEAM_BOARD.idOf(board).orElseThrow(), "the team id grants access");
    assertTrue(Address.of("team." + team + ".board.nope").isEmpty());
  }

  @Test
  void onlyTheBrowserCommandsAreOpenToBrowsers() {
    Set<Address> open = Set.of(Address.TIMERS_START, Address.TIMERS_STOP, Address.CHAT_POST, Address.CHAT_TYPING,
        Address.BOARD_MOVE);
    for (Address a : Address.values()) {
      boolean browserCommand = a.browser() == Address.Browser.SEND;
      assertEquals(open.contains(a), browserCommand, a.name());
    }
  }

  @Test
  void channelStreamsCarryBothIdsAndNameTheirAccessCheck() {
    String team = UUID.randomUUID().toString();
    String channel = UUID.randomUUID().toString();
    String concrete = Address.TEAM_CHAT.address(team, channel);
    assertEquals("team." + team + ".chat." + channel, concrete);
    assertEquals(Address.TEAM_CHAT, Address.of(concrete).orElseThrow());
    assertEquals(java.util.List.of(team, channel), Address.TEAM_CHAT.idsOf(concrete).orElseThrow());
    assertEquals(Address.CHAT_ACCESS, Address.TEAM_CHAT.accessCheck());
    assertEquals(Address.CHAT_JOURNAL_READ, Address.TEAM_CHAT.journalReader());
    assertTrue(Address.of("team." + team + ".chat.general").isEmpty());
  }
}
