package io.siemstream.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The two formats the peer reads, ported from src/stages/parser/formats: `json` (json.ts and
 * json-object.ts, with a log type's fieldMap; the firewall log type) and `cloudtrail`
 * (cloudtrail.ts). A format returns the event's fields by normalized name, or throws a RecordFault.
 */
final class Formats {
  private Formats() {}

  /** JSON.parse's strictness: one value and nothing after it; numbers of any length. */
  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static {
    JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNumberLength(Integer.MAX_VALUE).build());
  }

  // ---- text.ts ----

  private static final ThreadLocal<CharsetDecoder> UTF8 = ThreadLocal.withInitial(() ->
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));

  /** decodeText: a UTF-8 BOM and trailing CR/LF dropped; invalid UTF-8 read as Latin-1. */
  static String decodeText(byte[] bytes) {
    int start = 0;
    if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) start = 3;
    int end = bytes.length;
    while (end > start && (bytes[end - 1] == 0x0d || bytes[end - 1] == 0x0a)) end--;
    try {
      String text = UTF8.get().reset().decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
      // TextDecoder('utf-8') drops a byte-order mark of its own as well
      return text.startsWith("\ufeff") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }
  }

  // ---- json-object.ts ----

  static ObjectNode parseJsonObject(byte[] bytes) {
    String text = decodeText(bytes);
    if (Js.trim(text).isEmpty()) throw RecordFault.unparseable("empty record");
    JsonNode value;
    try {
      value = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      // V8 and Jackson word a syntax error differently: the bench compares the message up to here
      throw RecordFault.unparseable("not JSON: " + e.getOriginalMessage());
    }
    if (value instanceof ObjectNode object) return object;
    String got = value.isArray() ? "an array" : value.isNull() ? "null" : value.isNumber() ? "number" : value.isBoolean() ? "boolean" : "string";
    throw RecordFault.unparseable("expected a JSON object, got " + got);
  }

  /** source[a][b]…: undefined (null here) once a step is no object; arrays answer indexes and length. */
  static JsonNode getSegments(JsonNode source, String[] segments) {
    JsonNode node = source;
    for (String segment : segments) {
      if (node == null || !node.isContainerNode()) return null;
      if (node.isArray()) {
        ArrayNode array = (ArrayNode) node;
        if (segment.equals("length")) node = IntNode.valueOf(array.size());
        else if (Js.isArrayIndex(segment) && Long.parseLong(segment) < array.size()) node = array.get(Integer.parseInt(segment));
        else return null;
      } else node = node.get(segment);
    }
    return node;
  }

  static JsonNode getPath(JsonNode source, String path) {
    return getSegments(source, path.split("\\.", -1));
  }

  static ObjectNode asObject(JsonNode value) {
    return value instanceof ObjectNode object ? object : null;
  }

  /** Top-level source fields no mapping used, as text (objects as JSON), in JavaScript's key order. */
  static Map<String, String> remainingFields(ObjectNode source, Set<String> used) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : Js.ownKeys(source)) {
      JsonNode v = source.get(k);
      if (used.contains(k) || v == null || v.isNull()) continue;
      // `out["__proto__"] = text` sets nothing on a plain object
      if (k.equals("__proto__")) continue;
      out.put(k, v.isContainerNode() ? Js.stringify(v) : Js.string(v));
    }
    return out;
  }

  // ---- json.ts ----

  private static final Set<String> TIME_FIELDS = Set.of("TimeGenerated", "EventStartTime", "EventEndTime");
  private static final Set<String> IP_FIELDS = Set.of("SrcIpAddr", "DstIpAddr", "DvcIpAddr");
  private static final Set<String> PORT_FIELDS = Set.of("SrcPortNumber", "DstPortNumber");
  private static final Set<String> COUNT_FIELDS = Set.of("SrcBytes", "DstBytes", "NetworkPackets");

  static Map<String, Object> parseJson(byte[] bytes, LogType logType) {
    ObjectNode source = parseJsonObject(bytes);
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> e : logType.paths) fields.put(e.getKey(), convert(e.getKey(), getSegments(source, e.getValue())));
    if (fields.get("TimeGenerated") == null) {
      String path = logType.fieldMap.get("TimeGenerated");
      throw RecordFault.invalid("TimeGenerated: source field \"" + (path == null ? "(unmapped)" : path) + "\" is missing");
    }
    if (fields.get("NetworkProtocol") instanceof String p) fields.put("NetworkProtocol", p.toUpperCase(java.util.Locale.ROOT));
    fields.put("AdditionalFields", remainingFields(source, logType.used));
    return fields;
  }

  private static Object convert(String field, JsonNode value) {
    if (value == null || value.isNull() || (value.isTextual() && value.textValue().isEmpty())) return null;
    if (TIME_FIELDS.contains(field)) return Timestamps.toTimestampMillis(value, field);
    if (IP_FIELDS.contains(field)) return FieldValues.toIpAddress(value, field);
    if (PORT_FIELDS.contains(field)) return FieldValues.toPort(value, field);
    if (COUNT_FIELDS.contains(field)) return FieldValues.toLong(value, field);
    if (field.equals("HttpStatusCode")) return FieldValues.toInt(value, field, 100, 999);
    if (field.equals("EventResult")) return FieldValues.toEventResult(value, field);
    return FieldValues.toText(value);
  }

  // ---- cloudtrail.ts ----

  private static final Set<String> CLOUDTRAIL_MAPPED = Set.of(
      "eventTime", "eventID", "eventName", "eventSource", "eventType", "sourceIPAddress", "userAgent", "userIdentity",
      "errorCode", "errorMessage", "recipientAccountId", "resources", "responseElements", "additionalEventData");

  /** ASIM AuditEvent EventType from the API verb. */
  private static final List<Map.Entry<Pattern, String>> VERBS = List.of(
      Map.entry(Pattern.compile("^(Get|List|Describe|Head|Lookup|Search|Select|Scan|Query|BatchGet)"), "Read"),
      Map.entry(Pattern.compile("^(Create|Run|Allocate|Register|Import|Copy|Issue|Request)"), "Create"),
      Map.entry(Pattern.compile("^(Delete|Remove|Terminate|Deregister|Release|Revoke|Cancel|Purge)"), "Delete"),
      Map.entry(Pattern.compile("^(Enable|Start|Activate)"), "Enable"),
      Map.entry(Pattern.compile("^(Disable|Stop|Deactivate)"), "Disable"),
      Map.entry(Pattern.compile("^(Update|Modify|Put|Set|Attach|Detach|Associate|Disassociate|Add|Change|Replace|Tag|Untag|Authorize|Reset)"), "Set"),
      Map.entry(Pattern.compile("^(Invoke|Execute|Send|Publish|Decrypt|Encrypt|Assume|Generate)"), "Execute"));

  private static boolean isText(JsonNode v, String text) {
    return v != null && v.isTextual() && v.textValue().equals(text);
  }

  static Map<String, Object> parseCloudTrail(byte[] bytes) {
    ObjectNode r = parseJsonObject(bytes);
    if (r.get("Records") != null && r.get("Records").isArray()) {
      throw RecordFault.invalid("a whole CloudTrail file (Records array) reached the parser; route it with the JSON Records reader");
    }
    if (r.get("eventTime") == null) throw RecordFault.invalid("eventTime: missing (not a CloudTrail record?)");
    ObjectNode identity = asObject(r.get("userIdentity"));
    if (identity == null) identity = JSON.createObjectNode();
    String eventName = FieldValues.toText(r.get("eventName"));
    boolean signIn = isText(r.get("eventType"), "AwsConsoleSignIn");
    String errorCode = FieldValues.toText(r.get("errorCode"));
    String consoleResult = FieldValues.toText(getPath(r, "responseElements.ConsoleLogin"));
    boolean failed = errorCode != null || "Failure".equals(consoleResult);
    JsonNode resources = r.get("resources");
    ObjectNode resource = resources != null && resources.isArray() ? asObject(resources.get(0)) : null;
    String sourceAddress = FieldValues.toText(r.get("sourceIPAddress"));
    String username = FieldValues.toText(identity.get("userName"));
    if (username == null) username = FieldValues.toText(getPath(identity, "sessionContext.sessionIssuer.userName"));
    if (username == null) username = isText(identity.get("type"), "Root") ? "root" : null;
    if (username == null) username = FieldValues.toText(identity.get("arn"));
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("TimeGenerated", Timestamps.toTimestampMillis(r.get("eventTime"), "eventTime"));
    f.put("EventSchema", signIn ? "Authentication" : "AuditEvent");
    f.put("EventType", signIn ? ("ConsoleLogin".equals(eventName) ? "Logon" : (eventName != null ? eventName : "Logon")) : auditType(eventName, r.get("readOnly")));
    f.put("EventSubType", FieldValues.toText(r.get("eventType")));
    f.put("EventResult", failed ? "Failure" : "Success");
    f.put("EventResultDetails", errorCode);
    f.put("EventMessage", FieldValues.toText(r.get("errorMessage")));
    f.put("EventOriginalType", eventName);
    f.put("EventOriginalUid", FieldValues.toText(r.get("eventID")));
    f.put("EventProduct", "CloudTrail");
    f.put("EventVendor", "AWS");
    f.put("Operation", eventName);
    f.put("Object", FieldValues.toText(resource == null ? null : resource.get("ARN")));
    f.put("ObjectType", FieldValues.toText(resource == null ? null : resource.get("type")));
    f.put("TargetAppName", FieldValues.toText(r.get("eventSource")));
    String address = FieldValues.ipOrNull(sourceAddress);
    f.put("SrcIpAddr", address);
    f.put("SrcHostname", address == null ? sourceAddress : null);
    f.put("HttpUserAgent", FieldValues.toText(r.get("userAgent")));
    f.put("ActorUsername", username);
    f.put("TargetUsername", signIn ? username : null);
    String userId = FieldValues.toText(identity.get("principalId"));
    f.put("ActorUserId", userId != null ? userId : FieldValues.toText(identity.get("arn")));
    f.put("ActorUserType", FieldValues.toText(identity.get("type")));
    f.put("LogonMethod", signIn
        ? (isText(getPath(r, "additionalEventData.MFAUsed"), "Yes") ? "Multifactor authentication" : "Username & password")
        : null);
    String scope = FieldValues.toText(r.get("recipientAccountId"));
    f.put("DvcScopeId", scope != null ? scope : FieldValues.toText(identity.get("accountId")));
    f.put("AdditionalFields", remainingFields(r, CLOUDTRAIL_MAPPED));
    return f;
  }

  private static String auditType(String eventName, JsonNode readOnly) {
    if ((readOnly != null && readOnly.isBoolean() && readOnly.booleanValue()) || isText(readOnly, "true")) return "Read";
    if (eventName == null) return "Other";
    for (Map.Entry<Pattern, String> verb : VERBS) if (verb.getKey().matcher(eventName).find()) return verb.getValue();
    return "Other";
  }
}
