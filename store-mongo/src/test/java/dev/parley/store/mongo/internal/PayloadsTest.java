package dev.parley.store.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** JSON payloads survive BSON exactly; keys never become operators or paths; sizes are BSON's. */
class PayloadsTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @Test
  void keysMongoDbReadsAsOperatorsOrPathsAreEncodedReversibly() {
    for (String key : new String[] {"$set", "a.b", "%", "%24", "", "\0", "a$b.c%d", "plain", "$", ".", "%%"}) {
      String field = Payloads.encodeKey(key);
      assertThat(field).doesNotStartWith("$").doesNotContain(".").doesNotContain("\0");
      assertThat(Payloads.decodeKey(field)).isEqualTo(key);
    }
    assertThat(Payloads.encodeKey("plain")).isEqualTo("plain");
    assertThat(Payloads.encodeKey("$ne")).isEqualTo("%24ne");
  }

  @Test
  void everyJsonValueRoundTrips() {
    ObjectNode body = JSON.objectNode();
    body.put("int", 42).put("long", 1L << 40).put("double", 1.5).put("text", "x\u0000y").put("yes", true);
    body.putNull("nothing");
    body.put("big", new BigInteger("1234567890123456789012345678901234567890"));
    body.put("decimal", new BigDecimal("1.10"));
    body.put("huge decimal", new BigDecimal("1." + "1".repeat(60)));
    body.put("bytes", new byte[] {1, 2, 3});
    body.putArray("list").add(1).add("two").addObject().put("$gt", 3);
    body.putObject("%bigint").put("x", 1);
    ObjectNode fake = JSON.objectNode().put("%bigint", "1");
    body.set("fake", fake);

    assertThat(Payloads.toJson(Payloads.toBson(body))).isEqualTo(body);
    for (JsonNode value : new JsonNode[] {JSON.stringNode("s"), JSON.numberNode(7), JSON.nullNode(),
        JSON.arrayNode().add(1), JSON.booleanNode(false)}) {
      assertThat(Payloads.toJson(Payloads.toBson(value))).isEqualTo(value);
    }
  }

  @Test
  void sizeIsTheEncodedSize() {
    ObjectNode body = JSON.objectNode();
    body.put("a", 1).put("b", "h\u00e9llo \u6f22").put("c", 2.5).putArray("d").add(true).add(3L << 40);
    body.putObject("e").put("f", new BigDecimal("1.5")).put("g", new byte[10]);
    BsonDocument document = new BsonDocument("payload", Payloads.toBson(body));

    BasicOutputBuffer buffer = new BasicOutputBuffer();
    new BsonDocumentCodec().encode(new BsonBinaryWriter(buffer), document, EncoderContext.builder().build());
    BsonValue payload = document.get("payload");
    long expected = buffer.getSize() - (4 + 1) - (1 + "payload".length() + 1);
    assertThat(Payloads.bsonSize(payload)).isEqualTo(expected);
    assertThat(ByteBuffer.wrap(buffer.toByteArray())).isNotNull();
  }
}
