package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RefusalTest {

  @Test
  void eachKindHasItsOwnSseStatusAndIsReadBackFromIt() {
    for (Refusal refusal : Refusal.values()) {
      assertThat(Refusal.ofSseStatus(refusal.sseStatus())).as(refusal.name()).isEqualTo(refusal);
    }
    assertThat(Refusal.INVALID_NAMESPACE.sseStatus()).isEqualTo(404);
    assertThat(Refusal.UNAUTHORIZED.sseStatus()).isEqualTo(401);
  }

  @Test
  void aStatusNoRefusalUsesStandsForNone() {
    assertThat(Refusal.ofSseStatus(200)).isNull();
    assertThat(Refusal.ofSseStatus(406)).isNull();
    assertThat(Refusal.ofSseStatus(413)).isNull();
  }
}
