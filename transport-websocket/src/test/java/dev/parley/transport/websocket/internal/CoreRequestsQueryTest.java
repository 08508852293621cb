package dev.parley.transport.websocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the core handler reads the few query parameters it needs, without Jetty's cached parse. */
class CoreRequestsQueryTest {
  @Test
  void readsEachNamedValue() {
    String query = "EIO=4&transport=polling&t=PzT1&sid=a-b_c";
    assertThat(CoreRequests.queryValue(query, "EIO")).isEqualTo("4");
    assertThat(CoreRequests.queryValue(query, "transport")).isEqualTo("polling");
    assertThat(CoreRequests.queryValue(query, "sid")).isEqualTo("a-b_c");
    assertThat(CoreRequests.queryValue(query, "t")).isEqualTo("PzT1");
  }

  @Test
  void aNameMatchesWholeNotAsAPrefixOrSuffix() {
    assertThat(CoreRequests.queryValue("sidx=1&xsid=2", "sid")).isNull();
    assertThat(CoreRequests.queryValue("sidx=1&sid=3", "sid")).isEqualTo("3");
    assertThat(CoreRequests.queryValue("EIO=4", "EI")).isNull();
  }

  @Test
  void theFirstOfRepeatedValuesAndEmptyOnes() {
    assertThat(CoreRequests.queryValue("sid=one&sid=two", "sid")).isEqualTo("one");
    assertThat(CoreRequests.queryValue("sid=&EIO=4", "sid")).isEmpty();
    assertThat(CoreRequests.queryValue("EIO=4&sid", "sid")).isEmpty();
    assertThat(CoreRequests.queryValue("", "sid")).isNull();
    assertThat(CoreRequests.queryValue(null, "sid")).isNull();
  }

  @Test
  void valuesArePercentDecodedAndAMalformedEscapeReadsAsAbsent() {
    assertThat(CoreRequests.queryValue("sid=a%2Bb+c", "sid")).isEqualTo("a+b c");
    assertThat(CoreRequests.queryValue("sid=%zz", "sid")).isNull();
    assertThat(CoreRequests.queryValue("EIO=%34", "EIO")).isEqualTo("4");
  }
}
