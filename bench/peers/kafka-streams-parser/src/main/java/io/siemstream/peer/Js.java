package io.siemstream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The JavaScript semantics the parser stage's TypeScript relies on, for values of a JSON tree:
 * String(v), Number(v), JSON.stringify, String.prototype.trim, the own-key order of objects and
 * Node's net.isIP. A Java port that skipped these would write different events for the same
 * records (e.g. "1.0" where the parser writes "1", or AdditionalFields in another order), and
 * the bench compares record for record.
 *
 * <p>A Java {@code null} stands for JavaScript's {@code undefined}; JSON null is a NullNode.
 */
final class Js {
  private Js() {}

  // ---- whitespace (String.prototype.trim, \s in a RegExp) ----

  /** JavaScript's WhiteSpace and LineTerminator code points (what trim() and \s match). */
  static boolean isSpace(char c) {
    switch (c) {
      case '\t': case '\n': case 0x0b: case '\f': case '\r': case ' ':
      case 0x00a0: case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000: case 0xfeff:
        return true;
      default:
        return c >= 0x2000 && c <= 0x200a;
    }
  }

  /** For java.util.regex: the characters JavaScript's \s matches. */
  static final String SPACE_CLASS = "[\\t\\n\\x0B\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

  static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) start++;
    while (end > start && isSpace(s.charAt(end - 1))) end--;
    return start == 0 && end == s.length() ? s : s.substring(start, end);
  }

  // ---- String(v) ----

  /** String(value) of a JSON value; {@code undefined} is not expected here. */
  static String string(JsonNode v) {
    if (v.isTextual()) return v.textValue();
    if (v.isNumber()) return numberToString(v.doubleValue());
    if (v.isBoolean()) return v.booleanValue() ? "true" : "false";
    if (v.isNull()) return "null";
    if (v.isArray()) return arrayJoin((ArrayNode) v);
    return "[object Object]";
  }

  /** Array.prototype.toString: elements joined by commas, null and undefined as empty. */
  private static String arrayJoin(ArrayNode array) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < array.size(); i++) {
      if (i > 0) out.append(',');
      JsonNode e = array.get(i);
      if (!e.isNull()) out.append(string(e));
    }
    return out.toString();
  }

  /** Number::toString (ECMA-262 6.1.6.1.20): the shortest digits that read back as the same double. */
  static String numberToString(double d) {
    if (Double.isNaN(d)) return "NaN";
    if (d == 0) return "0";
    if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (d < 0) return "-" + numberToString(-d);
    // integers below 2^53 print as themselves, and they are almost every number a log carries
    if (d < 9.007199254740992E15 && d == Math.rint(d)) return Long.toString((long) d);
    BigDecimal exact = new BigDecimal(d);
    BigDecimal shortest = exact;
    for (int p = 1; p <= 17; p++) {
      BigDecimal rounded = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == d) {
        shortest = rounded;
        break;
      }
    }
    shortest = shortest.stripTrailingZeros();
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale();
    if (k <= n && n <= 21) return digits + "0".repeat(n - k);
    if (0 < n && n <= 21) return digits.substring(0, n) + "." + digits.substring(n);
    if (-6 < n && n <= 0) return "0." + "0".repeat(-n) + digits;
    int e = n - 1;
    String exponent = "e" + (e < 0 ? "-" : "+") + Math.abs(e);
    return k == 1 ? digits + exponent : digits.charAt(0) + "." + digits.substring(1) + exponent;
  }

  // ---- Number(v) ----

  /** Number(value) of a JSON value. */
  static double number(JsonNode v) {
    if (v.isNumber()) return v.doubleValue();
    if (v.isTextual()) return stringToNumber(v.textValue());
    if (v.isBoolean()) return v.booleanValue() ? 1 : 0;
    if (v.isNull()) return 0;
    if (v.isArray()) return stringToNumber(arrayJoin((ArrayNode) v));
    return Double.NaN;
  }

  private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

  /** StringToNumber (ECMA-262 7.1.4.1.1): trimmed; empty is 0; decimal, 0x/0o/0b integers, Infinity. */
  static double stringToNumber(String s) {
    String t = trim(s);
    if (t.isEmpty()) return 0;
    switch (t) {
      case "Infinity": case "+Infinity": return Double.POSITIVE_INFINITY;
      case "-Infinity": return Double.NEGATIVE_INFINITY;
      default: break;
    }
    if (t.length() > 2 && t.charAt(0) == '0') {
      int radix = switch (t.charAt(1)) {
        case 'x', 'X' -> 16;
        case 'o', 'O' -> 8;
        case 'b', 'B' -> 2;
        default -> 0;
      };
      if (radix != 0) {
        String body = t.substring(2);
        for (int i = 0; i < body.length(); i++) if (Character.digit(body.charAt(i), radix) < 0 || body.charAt(i) > 'z') return Double.NaN;
        return new BigInteger(body, radix).doubleValue();
      }
    }
    if (!DECIMAL.matcher(t).matches()) return Double.NaN;
    return Double.parseDouble(t);
  }

  static boolean isInteger(double d) {
    return !Double.isInfinite(d) && !Double.isNaN(d) && Math.floor(d) == d;
  }

  static boolean isSafeInteger(double d) {
    return isInteger(d) && Math.abs(d) <= 9.007199254740991E15;
  }

  // ---- objects: own-key order, JSON.stringify ----

  /** OrdinaryOwnPropertyKeys: array-index keys in ascending order first, then the others as inserted. */
  static List<String> ownKeys(ObjectNode object) {
    List<String> keys = new ArrayList<>(object.size());
    List<String> indexes = null;
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (isArrayIndex(key)) {
        if (indexes == null) indexes = new ArrayList<>();
        indexes.add(key);
      } else keys.add(key);
    }
    if (indexes == null) return keys;
    indexes.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
    indexes.addAll(keys);
    return indexes;
  }

  /** A canonical numeric string below 2^32 - 1 ("0", "7", not "07" or "-1"). */
  static boolean isArrayIndex(String key) {
    int n = key.length();
    if (n == 0 || n > 10) return false;
    if (key.charAt(0) == '0') return n == 1;
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return Long.parseLong(key) < 4294967295L;
  }

  /** JSON.stringify of a value from JSON.parse (no undefined inside, no cycles). */
  static String stringify(JsonNode v) {
    StringBuilder out = new StringBuilder();
    stringify(v, out);
    return out.toString();
  }

  private static void stringify(JsonNode v, StringBuilder out) {
    if (v.isTextual()) quote(v.textValue(), out);
    else if (v.isNumber()) {
      double d = v.doubleValue();
      out.append(Double.isInfinite(d) || Double.isNaN(d) ? "null" : numberToString(d));
    } else if (v.isBoolean()) out.append(v.booleanValue() ? "true" : "false");
    else if (v.isNull()) out.append("null");
    else if (v.isArray()) {
      out.append('[');
      for (int i = 0; i < v.size(); i++) {
        if (i > 0) out.append(',');
        stringify(v.get(i), out);
      }
      out.append(']');
    } else {
      ObjectNode object = (ObjectNode) v;
      out.append('{');
      boolean first = true;
      for (String key : ownKeys(object)) {
        if (!first) out.append(',');
        first = false;
        quote(key, out);
        out.append(':');
        stringify(object.get(key), out);
      }
      out.append('}');
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** QuoteJSONString (ECMA-262 25.5.2.3): short escapes, \\u00xx for other controls and lone surrogates. */
  static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          boolean lone =
              Character.isHighSurrogate(c) ? !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                  : Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
          if (c < 0x20 || lone) {
            out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
          } else out.append(c);
        }
      }
    }
    out.append('"');
  }

  // ---- node:net isIP ----

  private static final String V4_SEG = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
  private static final String V4 = "(?:" + V4_SEG + "\\.){3}" + V4_SEG;
  private static final String V6_SEG = "(?:[0-9a-fA-F]{1,4})";
  private static final Pattern IPV4 = Pattern.compile(V4);
  /** Node 20's lib/internal/net.js IPv6Reg, zone id included. */
  private static final Pattern IPV6 = Pattern.compile("(?:"
      + "(?:" + V6_SEG + ":){7}(?:" + V6_SEG + "|:)|"
      + "(?:" + V6_SEG + ":){6}(?:" + V4 + "|:" + V6_SEG + "|:)|"
      + "(?:" + V6_SEG + ":){5}(?::" + V4 + "|(?::" + V6_SEG + "){1,2}|:)|"
      + "(?:" + V6_SEG + ":){4}(?:(?::" + V6_SEG + "){0,1}:" + V4 + "|(?::" + V6_SEG + "){1,3}|:)|"
      + "(?:" + V6_SEG + ":){3}(?:(?::" + V6_SEG + "){0,2}:" + V4 + "|(?::" + V6_SEG + "){1,4}|:)|"
      + "(?:" + V6_SEG + ":){2}(?:(?::" + V6_SEG + "){0,3}:" + V4 + "|(?::" + V6_SEG + "){1,5}|:)|"
      + "(?:" + V6_SEG + ":){1}(?:(?::" + V6_SEG + "){0,4}:" + V4 + "|(?::" + V6_SEG + "){1,6}|:)|"
      + "(?::(?:(?::" + V6_SEG + "){0,5}:" + V4 + "|(?::" + V6_SEG + "){1,7}|:))"
      + ")(?:%[0-9a-zA-Z-.:]{1,})?");

  /** net.isIP(text) != 0. */
  static boolean isIp(String text) {
    return IPV4.matcher(text).matches() || IPV6.matcher(text).matches();
  }

  // ---- strings for Avro ----

  /** Whether a string holds a surrogate without its pair (JSON "\ud800" escapes produce them). */
  static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
        else return true;
      } else if (Character.isLowSurrogate(c)) return true;
    }
    return false;
  }

  /**
   * UTF-8 as avsc writes a string that holds a lone surrogate: a string of up to 64 bytes through
   * its own encoder, which writes the surrogate's three bytes (ED A0 80 for \ud800), a longer one
   * through Buffer#utf8Write, which writes U+FFFD (EF BF BD). String.getBytes would write '?'.
   */
  static byte[] avscUtf8(String s) {
    // every lone surrogate takes three bytes either way, so the length decides before encoding
    boolean replace = s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 2 * countLone(s) > 64;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      int c = s.charAt(i);
      if (Character.isHighSurrogate((char) c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        c = Character.toCodePoint((char) c, s.charAt(++i));
      } else if (replace && Character.isSurrogate((char) c)) c = 0xfffd;
      if (c < 0x80) out.write(c);
      else if (c < 0x800) {
        out.write(0xc0 | (c >> 6));
        out.write(0x80 | (c & 0x3f));
      } else if (c < 0x10000) {
        out.write(0xe0 | (c >> 12));
        out.write(0x80 | ((c >> 6) & 0x3f));
        out.write(0x80 | (c & 0x3f));
      } else {
        out.write(0xf0 | (c >> 18));
        out.write(0x80 | ((c >> 12) & 0x3f));
        out.write(0x80 | ((c >> 6) & 0x3f));
        out.write(0x80 | (c & 0x3f));
      }
    }
    return out.toByteArray();
  }

  /** Lone surrogates in a string (getBytes writes each as one byte, '?'). */
  private static int countLone(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
      else if (Character.isSurrogate(c)) n++;
    }
    return n;
  }

  /** A string's bytes as Node writes them (Buffer.from, a Kafka key or header): lone surrogates as U+FFFD. */
  static byte[] utf8(String s) {
    if (!hasLoneSurrogate(s)) return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else out.append(Character.isSurrogate(c) ? '\ufffd' : c);
    }
    return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A plain object's own-key order for a map filled in insertion order (array-index keys move first). */
  static <V> Map<String, V> inObjectOrder(Map<String, V> map) {
    boolean any = false;
    for (String k : map.keySet()) if (isArrayIndex(k)) { any = true; break; }
    if (!any) return map;
    List<String> indexes = new ArrayList<>();
    for (String k : map.keySet()) if (isArrayIndex(k)) indexes.add(k);
    indexes.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
    Map<String, V> out = new java.util.LinkedHashMap<>();
    for (String k : indexes) out.put(k, map.get(k));
    for (Map.Entry<String, V> e : map.entrySet()) if (!isArrayIndex(e.getKey())) out.put(e.getKey(), e.getValue());
    return out;
  }
}
