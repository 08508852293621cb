package dev.parley.store.mongo.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Converts JSON payloads to BSON and back, exactly.
 *
 * <p>Object keys are stored as plain field names, except that the characters MongoDB gives a meaning
 * to in field names are percent-encoded wherever they appear: {@code %} as {@code %25}, {@code $} as
 * {@code %24}, {@code .} as {@code %2E} and NUL as {@code %00}; the empty key is stored as {@code %}.
 * Every {@code %} of a key is encoded, so decoding is unambiguous, and a stored field name never starts
 * with {@code $} or contains a dot: it is never read as an operator or a path. Numbers keep their JSON
 * type (int, long, double, decimal); integers beyond 64 bits and decimals beyond Decimal128 are kept as
 * {@code {"%bigint": "…"}} / {@code {"%decimal": "…"}}, names no user key can encode to.
 */
public final class Payloads {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String BIGINT = "%bigint";
  // JavaScript's Date.toISOString: always milliseconds, always UTC.
  private static final java.time.format.DateTimeFormatter JS_DATE =
      java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
  private static final String DECIMAL = "%decimal";

  private Payloads() {
  }

  /** The BSON form of a JSON value. */
  public static BsonValue toBson(JsonNode node) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        BsonDocument out = new BsonDocument();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          out.append(encodeKey(field.getKey()), toBson(field.getValue()));
        }
        return out;
      }
      case ARRAY -> {
        BsonArray out = new BsonArray();
        for (JsonNode item : node) {
          out.add(toBson(item));
        }
        return out;
      }
      case STRING -> {
        return new BsonString(node.asString());
      }
      case NUMBER -> {
        return number(node);
      }
      case BOOLEAN -> {
        return BsonBoolean.valueOf(node.asBoolean());
      }
      case BINARY -> {
        return new BsonBinary(node.binaryValue());
      }
      case NULL, MISSING -> {
        return BsonNull.VALUE;
      }
      default -> throw new IllegalArgumentException("payload holds a value JSON cannot express: "
          + node.getNodeType());
    }
  }

  private static BsonValue number(JsonNode node) {
    if (node.isInt() || node.isShort()) {
      return new BsonInt32(node.intValue());
    }
    if (node.isLong()) {
      return new BsonInt64(node.longValue());
    }
    if (node.isBigInteger()) {
      BigInteger value = node.bigIntegerValue();
      return new BsonDocument(BIGINT, new BsonString(value.toString()));
    }
    if (node.isBigDecimal()) {
      BigDecimal value = node.decimalValue();
      try {
        Decimal128 decimal = new Decimal128(value);
        if (decimal.bigDecimalValue().equals(value)) {
          return new BsonDecimal128(decimal);
        }
      } catch (NumberFormatException | ArithmeticException e) {
        // Beyond Decimal128's 34 digits or exponent range: kept as text below.
      }
      return new BsonDocument(DECIMAL, new BsonString(value.toString()));
    }
    return new BsonDouble(node.doubleValue());
  }

  /** The JSON value a BSON value stores. */
  public static JsonNode toJson(BsonValue value) {
    return toJson(value, false);
  }

  /**
   * A document some other program wrote, as JSON: field names as they are, a date as an ISO-8601 string
   * (as JavaScript's {@code JSON.stringify} writes one), the rest as {@link #toJson(BsonValue)} does.
   */
  public static JsonNode foreignToJson(BsonValue value) {
    return toJson(value, true);
  }

  private static JsonNode toJson(BsonValue value, boolean foreign) {
    switch (value.getBsonType()) {
      case DOCUMENT -> {
        BsonDocument document = value.asDocument();
        if (!foreign && document.size() == 1) {
          String key = document.getFirstKey();
          BsonValue only = document.get(key);
          if (only.isString() && key.equals(BIGINT)) {
            return JSON.numberNode(new BigInteger(only.asString().getValue()));
          }
          if (only.isString() && key.equals(DECIMAL)) {
            return JSON.numberNode(new BigDecimal(only.asString().getValue()));
          }
        }
        ObjectNode out = JSON.objectNode();
        for (Map.Entry<String, BsonValue> field : document.entrySet()) {
          out.set(foreign ? field.getKey() : decodeKey(field.getKey()), toJson(field.getValue(), foreign));
        }
        return out;
      }
      case ARRAY -> {
        ArrayNode out = JSON.arrayNode();
        for (BsonValue item : value.asArray()) {
          out.add(toJson(item, foreign));
        }
        return out;
      }
      case STRING -> {
        return JSON.stringNode(value.asString().getValue());
      }
      case INT32 -> {
        return JSON.numberNode(value.asInt32().getValue());
      }
      case INT64 -> {
        return JSON.numberNode(value.asInt64().getValue());
      }
      case DOUBLE -> {
        return JSON.numberNode(value.asDouble().getValue());
      }
      case DECIMAL128 -> {
        return JSON.numberNode(value.asDecimal128().getValue().bigDecimalValue());
      }
      case BOOLEAN -> {
        return JSON.booleanNode(value.asBoolean().getValue());
      }
      case BINARY -> {
        return JSON.binaryNode(value.asBinary().getData());
      }
      case NULL, UNDEFINED -> {
        return JSON.nullNode();
      }
      case DATE_TIME -> {
        if (foreign) {
          return JSON.stringNode(JS_DATE.format(java.time.Instant.ofEpochMilli(value.asDateTime().getValue())));
        }
        return JSON.numberNode(value.asDateTime().getValue());
      }
      case OBJECT_ID -> {
        return JSON.stringNode(value.asObjectId().getValue().toHexString());
      }
      default -> {
        // Written by something other than Parley: shown as its JSON-ish text rather than dropped.
        return JSON.stringNode(String.valueOf(value));
      }
    }
  }

  /** A JSON key as a field name MongoDB treats as plain text. */
  public static String encodeKey(String key) {
    if (key.isEmpty()) {
      return "%";
    }
    int length = key.length();
    int i = 0;
    while (i < length && !special(key.charAt(i))) {
      i++;
    }
    if (i == length) {
      return key;
    }
    StringBuilder out = new StringBuilder(length + 8).append(key, 0, i);
    for (; i < length; i++) {
      char c = key.charAt(i);
      switch (c) {
        case '%' -> out.append("%25");
        case '$' -> out.append("%24");
        case '.' -> out.append("%2E");
        case '\0' -> out.append("%00");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean special(char c) {
    return c == '%' || c == '$' || c == '.' || c == '\0';
  }

  /** The JSON key a field name written by {@link #encodeKey} stands for. */
  public static String decodeKey(String field) {
    if (field.equals("%")) {
      return "";
    }
    int percent = field.indexOf('%');
    if (percent < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length()).append(field, 0, percent);
    for (int i = percent; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '%' && i + 2 < field.length()) {
        int hi = Character.digit(field.charAt(i + 1), 16);
        int lo = Character.digit(field.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          out.append((char) (hi * 16 + lo));
          i += 2;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  /** The encoded size of a BSON value, in bytes, not counting the name of the field holding it. */
  public static long bsonSize(BsonValue value) {
    switch (value.getBsonType()) {
      case DOCUMENT -> {
        long size = 4 + 1;
        for (Map.Entry<String, BsonValue> field : value.asDocument().entrySet()) {
          size += 1 + cstringSize(field.getKey()) + bsonSize(field.getValue());
        }
        return size;
      }
      case ARRAY -> {
        long size = 4 + 1;
        int index = 0;
        for (Iterator<BsonValue> it = value.asArray().iterator(); it.hasNext(); index++) {
          size += 1 + Integer.toString(index).length() + 1 + bsonSize(it.next());
        }
        return size;
      }
      case STRING -> {
        return 4 + utf8Length(value.asString().getValue()) + 1;
      }
      case BINARY -> {
        return 4 + 1 + value.asBinary().getData().length;
      }
      case INT32 -> {
        return 4;
      }
      case INT64, DOUBLE, DATE_TIME, TIMESTAMP -> {
        return 8;
      }
      case DECIMAL128 -> {
        return 16;
      }
      case OBJECT_ID -> {
        return 12;
      }
      case BOOLEAN -> {
        return 1;
      }
      default -> {
        return 0;
      }
    }
  }

  /** The size of a field name as BSON stores it. */
  public static long cstringSize(String name) {
    return utf8Length(name) + 1;
  }

  private static long utf8Length(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return text.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return text.length();
  }
}
