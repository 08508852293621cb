package dev.parley.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class TransportExceptionTest {

  @Test
  void aCloseCodeIsNotAnHttpStatus() {
    TransportException closed = TransportException.withCloseCode("closed", 1002);

    assertThat(closed.closeCode()).hasValue(1002);
    assertThat(closed.httpStatus()).isEmpty();
  }

  @Test
  void anHttpStatusIsNotACloseCode() {
    TransportException refused = TransportException.withHttpStatus("refused", 404, null);

    assertThat(refused.httpStatus()).hasValue(404);
    assertThat(refused.closeCode()).isEmpty();
  }

  @Test
  void aFailureWithoutANumberHasNeither() {
    TransportException failed = new TransportException("failed", new IllegalStateException("cause"));

    assertThat(failed.closeCode()).isEmpty();
    assertThat(failed.httpStatus()).isEmpty();
  }

  @Test
  void wrappingATransportFailureKeepsItsNumbers() {
    TransportException original = TransportException.withHttpStatus("refused", 403, null);

    TransportException rethrown = new TransportException("rethrown", original);

    assertThat(rethrown.httpStatus()).hasValue(403);
    assertThat(rethrown.closeCode()).isEmpty();
    assertThat(rethrown).hasCause(original);
  }

  @Test
  void aNumberThatIsNotPositiveIsRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> TransportException.withCloseCode("closed", 0));
    assertThatIllegalArgumentException().isThrownBy(() -> TransportException.withHttpStatus("refused", -1, null));
  }
}
