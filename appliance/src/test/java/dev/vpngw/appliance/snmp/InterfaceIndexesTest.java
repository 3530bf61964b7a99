package dev.vpngw.appliance.snmp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class InterfaceIndexesTest {
  @Test
  void anIndexStaysWithItsConnectionAndIsNeverGivenToAnother() {
    InterfaceIndexes indexes = new InterfaceIndexes();
    assertEquals(1, indexes.of("to-b"));
    assertEquals(2, indexes.of("to-c"));
    assertEquals(3, indexes.of("to-d"));
    // to-c removed from the configuration: the others keep theirs, a new one takes a fresh one.
    assertEquals(3, indexes.of("to-d"));
    assertEquals(4, indexes.of("to-e"));
    assertEquals(1, indexes.of("to-b"));
    // to-c back: its old index.
    assertEquals(2, indexes.of("to-c"));
  }
}
