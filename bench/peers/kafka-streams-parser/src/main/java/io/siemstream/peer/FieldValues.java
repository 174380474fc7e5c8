package io.siemstream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/** src/stages/parser/field-values.ts: loosely-typed source values → the normalized model, or RECORD_INVALID. */
final class FieldValues {
  private FieldValues() {}

  /** undefined, null, "" and "-" mean "no value". */
  static boolean isAbsent(JsonNode v) {
    if (v == null || v.isNull()) return true;
    if (!v.isTextual()) return false;
    String t = v.textValue();
    return t.isEmpty() || t.equals("-");
  }

  static String toIpAddress(JsonNode value, String field) {
    if (isAbsent(value)) return null;
    String text = Js.trim(Js.string(value));
    if (text.startsWith("[") && text.endsWith("]")) text = text.length() >= 2 ? text.substring(1, text.length() - 1) : "";
    if (!Js.isIp(text)) throw recordInvalid(field, "an IPv4 or IPv6 address", value);
    return text;
  }

  /** An address where a source may also put a name: null when it is no address. */
  static String ipOrNull(String value) {
    if (value == null || value.isEmpty() || value.equals("-")) return null;
    String text = Js.trim(value);
    return Js.isIp(text) ? text : null;
  }

  static Integer toPort(JsonNode value, String field) {
    if (isAbsent(value)) return null;
    double port = Js.number(value);
    if (!Js.isInteger(port) || port < 0 || port > 65_535) throw recordInvalid(field, "a port number 0-65535", value);
    return (int) port;
  }

  static Long toLong(JsonNode value, String field) {
    if (isAbsent(value)) return null;
    double n = Js.number(value);
    if (!Js.isSafeInteger(n) || n < 0) throw recordInvalid(field, "a non-negative integer", value);
    return (long) n;
  }

  static Integer toInt(JsonNode value, String field, int min, int max) {
    if (isAbsent(value)) return null;
    double n = Js.number(value);
    if (!Js.isInteger(n) || n < min || n > max) throw recordInvalid(field, "an integer " + min + "-" + max, value);
    return (int) n;
  }

  static String toText(JsonNode value) {
    if (isAbsent(value)) return null;
    return value.isContainerNode() ? Js.stringify(value) : Js.string(value);
  }

  private static final Map<String, String> EVENT_RESULTS = Map.ofEntries(
      Map.entry("success", "Success"),
      Map.entry("succeeded", "Success"),
      Map.entry("allow", "Success"),
      Map.entry("allowed", "Success"),
      Map.entry("accept", "Success"),
      Map.entry("ok", "Success"),
      Map.entry("pass", "Success"),
      Map.entry("failure", "Failure"),
      Map.entry("failed", "Failure"),
      Map.entry("fail", "Failure"),
      Map.entry("deny", "Failure"),
      Map.entry("denied", "Failure"),
      Map.entry("reject", "Failure"),
      Map.entry("drop", "Failure"),
      Map.entry("block", "Failure"),
      Map.entry("blocked", "Failure"),
      Map.entry("partial", "Partial"),
      Map.entry("na", "NA"));

  static String toEventResult(JsonNode value, String field) {
    String text = toText(value);
    if (text == null) return null;
    String result = EVENT_RESULTS.get(text.toLowerCase(Locale.ROOT));
    if (result == null) throw recordInvalid(field, "one of Success, Failure, Partial, NA (or a synonym)", value);
    return result;
  }

  /** `${field}: expected ${expected}, got ${JSON.stringify(value).slice(0, 200)}` */
  static RecordFault recordInvalid(String field, String expected, JsonNode value) {
    String shown = value == null ? "undefined" : Js.stringify(value);
    if (shown.length() > 200) shown = shown.substring(0, 200);
    return RecordFault.invalid(field + ": expected " + expected + ", got " + shown);
  }
}
