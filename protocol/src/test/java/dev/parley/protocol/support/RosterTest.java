package dev.parley.protocol.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A list through its members: any member out from anywhere in it, once; the rest kept in order. */
class RosterTest {
  private static final class Item extends Roster.Member<Item> {
    final String name;

    Item(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  @Test
  void membersComeOutFromTheMiddleTheEndsAndOnceOnly() {
    Roster<Item> roster = new Roster<>();
    Item a = new Item("a");
    Item b = new Item("b");
    Item c = new Item("c");
    Item d = new Item("d");

    assertThat(roster.add(a)).isTrue();
    assertThat(roster.add(b)).isTrue();
    assertThat(roster.add(c)).isTrue();
    assertThat(roster.add(d)).isTrue();
    assertThat(roster.add(b)).isFalse();
    assertThat(roster.snapshot()).containsExactly(d, c, b, a);

    assertThat(roster.remove(b)).isTrue();
    assertThat(roster.remove(b)).isFalse();
    assertThat(roster.snapshot()).containsExactly(d, c, a);
    assertThat(roster.remove(d)).isTrue();
    assertThat(roster.snapshot()).containsExactly(c, a);
    assertThat(roster.remove(a)).isTrue();
    assertThat(roster.snapshot()).containsExactly(c);
    assertThat(roster.size()).isEqualTo(1);
    assertThat(roster.remove(c)).isTrue();
    assertThat(roster.snapshot()).isEmpty();
    assertThat(roster.size()).isZero();

    // A member taken out can come back.
    assertThat(roster.add(b)).isTrue();
    assertThat(roster.add(a)).isTrue();
    assertThat(roster.snapshot()).containsExactly(a, b);
  }
}
